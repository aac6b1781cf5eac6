"""The three module protocols of the loop (answer extractor, question generator, reader) and their values.

Every backend (rule, hf, llm) implements these, so `Snowball` never knows which one it runs.
`fit(examples)` re-trains on the current seed set S (flat SQuAD records); `warm_start=True` continues
from the current state instead (used by the experiment's "generated then seed" setting).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

__all__ = ["Candidate", "Answer", "AnswerExtractor", "QuestionGenerator", "Reader"]

Record = dict[str, Any]


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
class AnswerExtractor(Protocol):
    name: str

    def fit(self, examples: Sequence[Record], *, warm_start: bool = False) -> None: ...

    def extract(self, context: str, k: int) -> list[Candidate]: ...

    def params(self) -> dict[str, Any]: ...


@runtime_checkable
class QuestionGenerator(Protocol):
    name: str

    def fit(self, examples: Sequence[Record], *, warm_start: bool = False) -> None: ...

    def generate(self, context: str, answers: Sequence[Candidate], n: int) -> list[list[tuple[str, float]]]:
        """For each answer, up to n (question, score) pairs, best first (batched on purpose)."""
        ...

    def params(self) -> dict[str, Any]: ...


@runtime_checkable
class Reader(Protocol):
    name: str

    def fit(self, examples: Sequence[Record], *, warm_start: bool = False) -> None: ...

    def answer(self, items: Sequence[tuple[str, str]]) -> list[Answer]:
        """Answer (context, question) pairs; batched so GPU readers can use their batch size."""
        ...

    def params(self) -> dict[str, Any]: ...
