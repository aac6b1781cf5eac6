"""Policies drive a `Browser` through one question: replay, oracle, heuristic (the oracle without the
reference answers), LLM.

Every policy has `name` and `run(browser, question) -> dict` (policy notes for the record's `meta`).
Each policy module also has `make(options) -> PolicySetup`, which builds it from the build's options;
a new policy is one module plus one line in `POLICIES`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from builders.webcpm.browser import Browser
from builders.webcpm.errors import WebCPMError
from core.registry import resolve

AnswerFn = Callable[[str, list[str]], str]


class Policy(Protocol):
    name: str

    def run(self, browser: Browser, question: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class PolicyOptions:
    """Everything any policy may need; each policy reads its own fields."""
    replay: Path | None = None          # replay: trace file to replay
    llm: Any = None                     # llm: a engines.llm.spec.BackendSpec
    llm_max_tokens: int = 128
    llm_answer: bool = False            # llm: also write the answer with the model
    seed: int = 0


@dataclass
class PolicySetup:
    policy: Policy
    config: dict[str, Any]              # what about the policy changes the traces (goes into the config hash)
    answer: AnswerFn | None = None      # None: the extractive answer step
    backends: dict[str, Any] = field(default_factory=dict)
    answer_kind: str = "extractive"     # "extractive" | "llm:MODEL": goes into each record's meta.answer
    # called with the questions before anything is written: raises when the policy can do nothing useful
    # with them, or returns a note for the build summary (None: nothing to say)
    check: Callable[[list[dict[str, Any]]], str | None] | None = None
    meters: list[Any] = field(default_factory=list)   # chat backend meters: LLM requests/s, tokens/s, cache hits


POLICIES: dict[str, str] = {
    "oracle": "builders.webcpm.policies.oracle",
    "heuristic": "builders.webcpm.policies.heuristic",
    "replay": "builders.webcpm.policies.replay",
    "llm": "builders.webcpm.policies.llm",
}


def create_policy(name: str, options: PolicyOptions | None = None) -> PolicySetup:
    """The named policy, built from `options` by its module's `make`."""
    if name not in POLICIES:
        raise WebCPMError(f"--policy {name!r}: unknown policy; known: {' | '.join(POLICIES)}")
    return resolve(POLICIES[name]).make(options or PolicyOptions())
