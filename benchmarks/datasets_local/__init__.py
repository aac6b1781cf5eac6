"""Score a dataset the user brings: `bench run --dataset PATH` (BEIR, HF/MTEB, TREC, SQuAD/CMRC).

`open_dataset` resolves the folder and its description (databench.yaml or detection), `build_task`
turns that into a Task with one declared Mode, and `run_local` runs it like any registered task,
then writes the description next to the results when the folder had none. `task_for_result` rebuilds
the task of a saved local result for `bench submit` / `bench verify` (re-scored on a given folder).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.datasets_local.base import DESCRIPTION_FILE, LocalDataError
from benchmarks.datasets_local.task import PREFIX, build_task, is_local

if TYPE_CHECKING:
    from benchmarks.results import Result
    from benchmarks.tasks.base import RunOptions, Task

__all__ = ["LocalDataError", "run_local", "open_dataset", "build_task", "is_local", "task_for_result", "PREFIX"]


def open_dataset(*args: Any, **kwargs: Any):  # re-export without importing yaml at CLI start
    from benchmarks.datasets_local.open import open_dataset as _open

    return _open(*args, **kwargs)


def run_local(path: str | Path, options: "RunOptions", *, fmt: str | None = None,
              lang: str | None = None) -> tuple["Result", Path, Path | None]:
    """(result, results JSON, description written or None) of `bench run --dataset PATH`."""
    from benchmarks.datasets_local.description import write_description
    from benchmarks.runner import run_task

    local = open_dataset(path, fmt=fmt, lang=lang, split=options.split)
    options.split = None if options.split == local.desc.split else options.split
    result, result_path = run_task(build_task(local.desc, local.folder, local.sha), options)
    written = None
    if not local.described:
        written = write_description(local.desc, result_path.with_name(result_path.stem + "." + DESCRIPTION_FILE))
    return result, result_path, written


def task_for_result(result: "Result", data_dirs: Mapping[str, Path] | None) -> tuple["Task | None", str | None]:
    """(the task a local result was scored with, on the folder given for its dataset; or None, why).

    The folder comes from `--data-dir NAME=FOLDER`, else the path the result recorded (the submitter's
    own machine). The description is the one the result recorded; the folder's sha is checked by the caller."""
    from benchmarks.datasets_local.description import complete, from_dict
    from benchmarks.datasets_local.base import folder_sha

    recorded = result.extra.get("databench") if isinstance(result.extra, dict) else None
    if not isinstance(recorded, dict):
        return None, "field extra.databench: missing (a local-dataset result records its description)"
    given = (data_dirs or {}).get(result.dataset)
    folder = Path(given) if given is not None else Path(str(recorded.get("path", "")))
    if not str(folder) or not folder.is_dir():
        return None, (f"field dataset: {result.dataset!r} is a local dataset; give its folder with "
                      f"--data-dir {result.dataset}=FOLDER")
    try:
        desc = complete(from_dict({**recorded, "path": str(folder)}, "field extra.databench"), "field extra.databench")
    except LocalDataError as exc:
        return None, str(exc)
    from benchmarks.datasets_local.registry import get_format

    if not desc.files and not get_format(desc.format).detect(folder):
        return None, f"field extra.databench.format: {folder} is not a {desc.format} dataset folder"
    only = [folder / desc.files["file"]] if desc.files.get("file") else None
    return build_task(desc, folder.resolve(), folder_sha(folder, only=only)), None
