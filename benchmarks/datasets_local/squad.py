"""Extractive QA files: SQuAD v1.1 / v2.0 and CMRC 2018 nested JSON (`{"data": [{"paragraphs": ...}]}`),
HF's flattened JSON, or flat squad-layout JSONL. A folder must hold exactly one such file (or name it
in databench.yaml `files: {file: NAME}`); `--dataset FILE` points at one directly.

Scoring follows the official evaluators (benchmarks.tasks.qa_task): SQuAD v1.1 EM/F1 for English,
CMRC 2018 EM/F1 for Chinese. SQuAD v2.0 questions marked unanswerable are not scored (v1.1 rules);
the result's conventions say how many were left out.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core import iter_jsonl, read_json
from benchmarks.datasets_local.base import LocalDataError, LocalFormat

SUFFIXES = (".json", ".jsonl")


def _head(path: Path) -> str:
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return f.read(8192)


def looks_like_qa(path: Path) -> bool:
    """Judged from the first 8 KiB: a nested `"data"` object, or a JSONL line with question + context."""
    if path.suffix not in SUFFIXES or not path.is_file():
        return False
    head = _head(path).lstrip()
    if path.suffix == ".json":
        return head.startswith("{") and '"data"' in head and ('"paragraphs"' in head or '"question"' in head)
    first = head.split("\n", 1)[0]
    return first.startswith("{") and '"question"' in first and '"context"' in first


def candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if looks_like_qa(p))


def qa_file(folder: Path, files: dict[str, str] | None = None) -> Path:
    if files and "file" in files:
        path = folder / files["file"]
        if not path.is_file():
            raise LocalDataError(f"{path}: file not found (databench.yaml files.file)")
        return path
    found = candidates(folder)
    if len(found) != 1:
        what = "no SQuAD/CMRC JSON or JSONL file" if not found else \
            f"{len(found)} QA files ({', '.join(p.name for p in found)})"
        raise LocalDataError(f"{folder}: squad layout: {what}; pass --dataset FOLDER/FILE or name it in "
                             f"databench.yaml files.file")
    return found[0]


def detect(folder: Path) -> str | None:
    found = candidates(folder)
    return f"QA file {found[0].name}" if len(found) == 1 else (
        f"{len(found)} QA files" if found else None)


def qa_records(folder: Path, desc) -> Iterator[dict[str, Any]]:
    from annotation.squad import QADataError, iter_nested

    path = qa_file(folder, desc.files)
    if path.suffix == ".jsonl":
        for _, rec in iter_jsonl(path, error=LocalDataError):
            yield rec
        return
    try:
        yield from iter_nested(read_json(path, what="SQuAD/CMRC JSON", error=LocalDataError), str(path))
    except QADataError as exc:
        raise LocalDataError(str(exc)) from None


FORMAT = LocalFormat(name="squad", detect=detect, kind=lambda folder: "qa", qa_records=qa_records)
