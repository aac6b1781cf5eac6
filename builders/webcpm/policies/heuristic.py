"""Heuristic policy: the oracle's browsing (keyword queries, follow-up searches, scrolling both ways,
relevance-checked quotes) without reading the reference answers, so it needs nothing a real user
would not have: quotes are chosen by overlap with the question alone."""
from __future__ import annotations

from typing import Any

from builders.webcpm.policies.oracle import OraclePolicy, setup


def make(options: Any) -> Any:
    """Registry entry: the oracle policy with `use_answers=False` (ranked by question terms only)."""
    return setup(OraclePolicy(name="heuristic", use_answers=False, min_overlap=1, strong_overlap=3,
                              seed=options.seed), options)
