"""`run_task(name, options) -> (Result, path)`: what `bench run` calls, usable from Python.

The task does the work (`task.evaluate(options)`); the runner resolves the task, saves the
results JSON atomically next to the run file, and names both the same way (plus `.MODE` when the
result is in a mode other than the task's default, so two modes of one run do not overwrite each other).
"""
from __future__ import annotations

from pathlib import Path

from benchmarks.artifacts import artifact_stem
from benchmarks.results import Result
from benchmarks.tasks.base import RunOptions, Task
from benchmarks.tasks.registry import get_task

DEFAULT_OUTPUT = Path("runs")


def run_task(name: str | Task, options: RunOptions | None = None) -> tuple[Result, Path]:
    """`name` is a registered task's name, or a Task object (a user's folder: benchmarks.datasets_local)."""
    options = options or RunOptions()
    if options.output is None:
        options.output = DEFAULT_OUTPUT
    task = get_task(name) if isinstance(name, str) else name
    result = task.evaluate(options)
    suffix = f".{result.mode}" if result.mode and result.mode != task.default_mode else ""
    path = result.save(Path(options.output) / f"{artifact_stem(result.task, result.model.name)}{suffix}.json")
    return result, path
