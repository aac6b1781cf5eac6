"""Folders in a registered task's own `--data-dir` layout: score them through `--dataset` with that task's
scorer and every one of its declared modes (so the numbers are the task's by construction).

- `muser`: a MUSER dataset folder (`cases/cands_by_query.json`, `cases/train_test.json`,
  `labels/sim_scores.json`: `bench build muser` output or the public files) -> task `muser`
  (modes paper, paper-head, standard; `--retriever` re-ranks the pools when `cases/cases_pool.json` is there).
- `webcpm`: one module folder of `bench build webcpm-tasks` (`query/`, `fact/`, `synthesis/` or `action/`
  holding `{split}.jsonl` rows with id, source, target) -> task `webcpm-MODULE` (modes paper, strict).
"""
from __future__ import annotations

from pathlib import Path

from benchmarks.datasets_local.base import LocalDataError, LocalFormat

WEBCPM_MODULES = ("action", "query", "fact", "synthesis")
MUSER_FILES = ("cases/cands_by_query.json", "cases/train_test.json", "labels/sim_scores.json")


def _muser_detect(folder: Path) -> str | None:
    return "MUSER layout (" + ", ".join(MUSER_FILES) + ")" if all((folder / f).is_file() for f in MUSER_FILES) else None


def _webcpm_detect(folder: Path) -> str | None:
    if folder.name not in WEBCPM_MODULES or not any(folder.glob("*.jsonl")):
        return None
    first = next(iter(sorted(folder.glob("*.jsonl"))))
    with open(first, encoding="utf-8-sig", errors="replace") as f:
        head = f.readline()
    return f"WebCPM {folder.name} module folder" if all(f'"{k}"' in head for k in ("id", "source", "target")) else None


def registered_task(fmt: str, folder: Path) -> tuple[str, Path]:
    """(registered task name, the folder to pass it as --data-dir) for a folder of format `fmt`."""
    if fmt == "muser":
        return "muser", folder
    if fmt == "webcpm":
        if folder.name not in WEBCPM_MODULES:
            raise LocalDataError(f"{folder}: webcpm layout: point --dataset at one module folder "
                                 f"({', '.join(WEBCPM_MODULES)}) of a `bench build webcpm-tasks` output")
        return f"webcpm-{folder.name}", folder.parent
    raise LocalDataError(f"format {fmt!r} is not a registered task's layout")


def _splits_webcpm(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.jsonl"))


MUSER = LocalFormat(name="muser", detect=_muser_detect, kind=lambda folder: "task",
                    splits=lambda folder: ["test"], language=lambda folder: "zh")
WEBCPM = LocalFormat(name="webcpm", detect=_webcpm_detect, kind=lambda folder: "task", splits=_splits_webcpm,
                     language=lambda folder: "zh", default_name=lambda folder: f"{folder.parent.name}-{folder.name}")
