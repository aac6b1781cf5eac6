"""What every extractive QA reader takes and gives: candidate spans, answers, and the `Reader` protocol.

`fit(examples)` re-trains on flat SQuAD records; `warm_start=True` continues from the current state
instead (used by QASnowball's experiment for its "generated then seed" setting).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

from core import UserError

__all__ = ["Candidate", "Answer", "Reader", "ReaderError", "Record"]

Record = dict[str, Any]


class ReaderError(UserError):
    """A reader that cannot be trained or loaded on what it was given (printed as one line by the CLI)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate answer span: context[start:end] == text."""

    start: int
    end: int
    text: str
    type: str = "OTHER"        # PER / LOC / ORG / TIME / NUM / OTHER / NP
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    start: int
    text: str
    score: float               # reader confidence in [0, 1]


@runtime_checkable
class Reader(Protocol):
    name: str

    def fit(self, examples: Sequence[Record], *, warm_start: bool = False) -> None: ...

    def answer(self, items: Sequence[tuple[str, str]]) -> list[Answer]:
        """Answer (context, question) pairs; batched so GPU readers can use their batch size."""
        ...

    def params(self) -> dict[str, Any]: ...
