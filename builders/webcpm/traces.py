"""Reading WebCPM trace files as records, each error naming the file and line.

Every reader of traces (the converter, the replay policy, `bench stats webcpm`) gets only records that pass
`annotation.webcpm`'s validator, the check `bench validate webcpm` runs: a trace with an unknown action or a
quote that is not in its page window would otherwise be converted, replayed or described without a word.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from annotation.issues import Issue
from annotation.webcpm.validate import load_records, validate_record
from builders.webcpm.errors import WebCPMError

__all__ = ["read_traces", "load_traces", "check_traces"]

HINT = "run `bench validate webcpm FILE` for every issue"


def _raw(path: str | Path) -> list[tuple[int | None, dict[str, Any]]]:
    records = []
    for line, rec in load_records(path):
        where = f"{path}:{line}" if line else str(path)
        if isinstance(rec, Exception):
            raise WebCPMError(f"{where}: {rec}")
        if not isinstance(rec, dict) or "_id" not in rec:
            raise WebCPMError(f"{where}: not a WebCPM trace record (field _id)")
        records.append((line, rec))
    if not records:
        raise WebCPMError(f"{path}: no trace records (empty file)")
    return records


def check_traces(records: Sequence[tuple[int | None, dict[str, Any]]], file: str, *, skip_invalid: bool = False,
                 hint: str = HINT) -> tuple[list[dict[str, Any]], list[Issue]]:
    """(the records the validator accepts, the first issue of each one it rejects; a repeated `_id` is rejected
    too). Without `skip_invalid` a rejected record is a WebCPMError naming file, line, record and field, and
    how many records fail."""
    kept: list[dict[str, Any]] = []
    rejected: list[Issue] = []
    seen: set[str] = set()
    for line, rec in records:
        issues = [i for i in validate_record(rec, file, line) if i.severity == "error"]
        rid = rec.get("_id")
        if not issues and str(rid) in seen:
            issues = [Issue(file, "duplicate _id", record=str(rid), field="_id", line=line)]
        if issues:
            rejected.append(issues[0])
            continue
        seen.add(str(rid))
        kept.append(rec)
    if rejected and not skip_invalid:
        raise WebCPMError(f"{rejected[0]} ({len(rejected)} of {len(records)} trace{'s' if len(records) != 1 else ''} "
                          f"fail the WebCPM validator; {hint})")
    return kept, rejected


def load_traces(path: str | Path, *, skip_invalid: bool = False, hint: str = HINT) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The valid traces of a JSONL/JSON trace file and the first issue of each invalid one (`check_traces`)."""
    return check_traces(_raw(path), str(path), skip_invalid=skip_invalid, hint=hint)


def read_traces(path: str | Path) -> list[dict[str, Any]]:
    """Every trace of the file; a line that is not a trace, or a trace the validator rejects, is a one-line error."""
    return load_traces(path)[0]
