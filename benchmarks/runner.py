"""`run_task(name, options) -> (Result, path)`: what `bench run` calls, usable from Python.

The task does the work (`task.evaluate(options)`); the runner resolves the task, saves the
results JSON atomically next to the run file, and names both the same way: `TASK__MODEL`, plus the
variant of the user's choices (`-p`, `--k`, ...; benchmarks.artifacts) and `.MODE` when the result is in a
mode other than the task's default, so neither other parameters nor another mode overwrite a result.
"""
from __future__ import annotations

from pathlib import Path

from benchmarks.artifacts import artifact_stem, variant
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
    choices = task.choices(options)                      # before compute, which may consume params
    scored = choices.pop("file", None)
    options.variant = variant(choices)                   # the task names its run/predictions files with it
    result = task.evaluate(options)
    if scored is not None and Path(scored).stem not in result.model.name:   # `external-run` does not say which
        choices["file"] = scored
    suffix = f".{result.mode}" if result.mode and result.mode != task.default_mode else ""
    stem = artifact_stem(result.task, result.model.name, variant(choices))
    path = result.save(Path(options.output) / f"{stem}{suffix}.json")
    return result, path
