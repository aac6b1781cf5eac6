"""Policies drive a `Browser` through one question: replay, heuristic oracle, LLM.

Every policy has `name` and `run(browser, question) -> dict` (policy notes for the record's
`meta`); a new policy is one module plus one line in `POLICIES`.
"""
from __future__ import annotations

from typing import Any, Protocol

from builders.webcpm.browser import Browser


class Policy(Protocol):
    name: str

    def run(self, browser: Browser, question: dict[str, Any]) -> dict[str, Any]: ...


POLICIES: dict[str, str] = {
    "oracle": "builders.webcpm.policies.oracle:OraclePolicy",
    "replay": "builders.webcpm.policies.replay:ReplayPolicy",
    "llm": "builders.webcpm.policies.llm:LLMPolicy",
}
