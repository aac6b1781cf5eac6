"""Reading WebCPM trace files as records, each error naming the file and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from annotation.webcpm.validate import load_records
from builders.webcpm.errors import WebCPMError

__all__ = ["read_traces"]


def read_traces(path: str | Path) -> list[dict[str, Any]]:
    records = []
    for line, rec in load_records(path):
        where = f"{path}:{line}" if line else str(path)
        if isinstance(rec, Exception):
            raise WebCPMError(f"{where}: {rec}")
        if not isinstance(rec, dict) or "_id" not in rec:
            raise WebCPMError(f"{where}: not a WebCPM trace record (field _id)")
        records.append(rec)
    if not records:
        raise WebCPMError(f"{path}: no trace records (empty file)")
    return records
