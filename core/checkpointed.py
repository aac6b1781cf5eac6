"""An append-only JSONL file that is its own checkpoint: one durable line per finished item.

Why the output file is the checkpoint: an item counts as done exactly when its line is complete on
disk (one `write` + flush + fsync per item). After a kill -9 the only possible damage is one partial
last line, which `open(resume=True)` cuts off; the ids of complete lines are skipped. So there is no
second state file that could disagree with the output: no duplicate and no loss. The builders' jobs
and the judge's response cache both write through it.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Mapping

from core.errors import UserError
from core.jsonl import iter_jsonl

__all__ = ["CheckpointedJsonl", "JobError"]


class JobError(UserError):
    """A user-facing job error (output exists without --resume, config changed under --resume, bad shard)."""



def _end_of_last_line(f: Any, size: int, block: int = 1 << 16) -> int:
    """Offset just past the file's last newline (0 if none), read backwards from the end: the records
    themselves are then read once, by the strict reader, not a second time here."""
    pos = size
    while pos > 0:
        start = max(0, pos - block)
        f.seek(start)
        cut = f.read(pos - start).rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        pos = start
    return 0


class CheckpointedJsonl:
    """Append-only JSONL keyed by `key`; each `write` is durable before it returns.

    `open(resume=False)` refuses an existing non-empty file (no silent overwrite); `open(resume=True)`
    truncates a partial last line and loads the ids already written into `done`. With
    `keep_records=True`, `records` holds every record of the file (loaded and written), so a cache or
    a round summary answers from memory instead of reading the file again.
    """

    def __init__(self, path: str | Path, *, key: str = "id", keep_records: bool = False) -> None:
        self.path = Path(path)
        self.key = key
        self.done: set[str] = set()
        self.records: dict[str, dict[str, Any]] | None = {} if keep_records else None
        self.truncated_bytes = 0
        self._f: Any = None
        self._lock = threading.Lock()

    def open(self, *, resume: bool) -> "CheckpointedJsonl":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size > 0:
            if not resume:
                raise JobError(f"{self.path} already exists; pass --resume to continue it or pick a new output")
            self._repair_and_load()
        self._f = open(self.path, "a", encoding="utf-8")
        return self

    def _repair_and_load(self) -> None:
        with open(self.path, "r+b") as f:      # keep everything up to the last complete line
            size = f.seek(0, os.SEEK_END)
            end = _end_of_last_line(f, size)
            if end < size:
                self.truncated_bytes = size - end
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        for lineno, rec in iter_jsonl(self.path, error=JobError):
            if self.key not in rec:
                raise JobError(f"{self.path}:{lineno}: record has no {self.key!r} field; "
                               "the file was not written by this job")
            rid = str(rec[self.key])
            self.done.add(rid)
            if self.records is not None:
                self.records.setdefault(rid, rec)

    def write(self, record: Mapping[str, Any]) -> None:
        rid = str(record[self.key])
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            if rid in self.done:        # a second write of one id would be a duplicate: refuse it
                return
            self._f.write(line)
            self._f.flush()
            os.fsync(self._f.fileno())
            self.done.add(rid)
            if self.records is not None:         # what a re-read would give, not the caller's live object
                self.records[rid] = json.loads(line)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self) -> "CheckpointedJsonl":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
