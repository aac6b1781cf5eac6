"""The loop's two generating module protocols (answer extractor, question generator); the third, the
reader, and the values they exchange are `engines.readers.base`.

Every backend (rule, hf, llm) implements these, so `Snowball` never knows which one it runs.
`fit(examples)` re-trains on the current seed set S (flat SQuAD records); `warm_start=True` continues
from the current state instead (used by the experiment's "generated then seed" setting).
"""
from __future__ import annotations

from typing import Any, Protocol, Sequence, runtime_checkable

from engines.readers.base import Candidate, Record

__all__ = ["AnswerExtractor", "QuestionGenerator"]


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
