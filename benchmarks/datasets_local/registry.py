"""Every local-dataset format, by name: one line each (a new format is one module + one line here)."""
from __future__ import annotations

from pathlib import Path

from benchmarks.datasets_local.base import LocalDataError, LocalFormat
from core.registry import resolve

FORMATS: dict[str, str] = {
    "beir": "benchmarks.datasets_local.beir:FORMAT",
    "hf": "benchmarks.datasets_local.hf:FORMAT",          # MTEB / HF parquet or jsonl configs (`bench export`)
    "trec": "benchmarks.datasets_local.trec:FORMAT",
    "squad": "benchmarks.datasets_local.squad:FORMAT",    # SQuAD v1.1/v2, CMRC 2018, flat squad JSONL
    "muser": "benchmarks.datasets_local.registered:MUSER",     # a registered task's own --data-dir layout
    "webcpm": "benchmarks.datasets_local.registered:WEBCPM",
}


def available() -> list[str]:
    return list(FORMATS)


def get_format(name: str) -> LocalFormat:
    if name not in FORMATS:
        raise LocalDataError(f"unknown dataset format {name!r}; known: {', '.join(FORMATS)}")
    return resolve(FORMATS[name])


def detect(folder: Path) -> tuple[str, str]:
    """(format name, evidence) of the one format `folder` matches; none or several is a one-line error."""
    matches = [(name, evidence) for name in FORMATS if (evidence := get_format(name).detect(folder))]
    if not matches:
        raise LocalDataError(f"{folder}: no known dataset layout (beir: corpus.jsonl + queries.jsonl + qrels/; "
                             "hf: README.md configs corpus/queries/default or squad columns; trec: topics + qrels "
                             "+ docs files; squad: one SQuAD/CMRC JSON file); pass --dataset-format")
    if len(matches) > 1:
        raise LocalDataError(f"{folder}: ambiguous layout, matches " + "; ".join(f"{n} ({e})" for n, e in matches)
                             + f"; pass --dataset-format {'|'.join(n for n, _ in matches)}")
    return matches[0]
