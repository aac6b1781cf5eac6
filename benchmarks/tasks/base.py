"""Tasks are declarative metadata plus one `evaluate` entry point.

Like mteb's TaskMetadata: the name, dataset, language, metric set and main score are data,
so `bench list` and the leaderboard can describe a task without running it. Each task kind
(retrieval, qa, classification, generation) has one subclass that knows how to run it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from annotation.floor import UserError

TaskKind = Literal["retrieval", "qa", "classification", "generation"]


class TaskError(UserError):
    """A user-facing error: printed by the CLI as one line, never a traceback."""


@dataclass
class RunOptions:
    """Everything `bench run` can pass to a task; each task kind reads what it needs."""

    retriever: str | None = None
    k: int = 100
    output: Path | None = None
    run_file: Path | None = None          # score an external TREC/JSON run
    predictions: Path | None = None       # score an external prediction file (QA, actions)
    model: str | None = None              # HF name or local path (dense, reader, generator)
    split: str | None = None
    mode: str | None = None               # metric protocol variant (e.g. paper / strict)
    device: str | None = None             # None = auto (cuda > mps > cpu)
    batch_size: int | None = None
    params: dict[str, Any] = field(default_factory=dict)   # retriever/model params (k1=..., b=...)
    data_dir: Path | None = None          # override the registry's dataset folder
    show_progress: bool = True


@dataclass(frozen=True)
class Task:
    name: str
    kind: TaskKind
    dataset: str                 # registry name in benchmarks.data
    language: str                # ISO 639-1 ("en", "zh")
    split: str
    metrics: tuple[str, ...]
    main_score: str
    description: str
    version: str = "1"           # bump when data or protocol changes results

    def evaluate(self, options: RunOptions) -> "Any":
        """Run (or score) and return a benchmarks.results.Result."""
        raise NotImplementedError(f"task {self.name} has no runner")
