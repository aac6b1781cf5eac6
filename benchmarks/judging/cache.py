"""A durable request cache: one JSONL line per answered request, keyed by the sha256 of what was asked.

Built on builders.common.jobs.CheckpointedJsonl, so a line exists exactly when its response was fsynced;
after a kill -9 the partial last line is cut and every complete one is reused. Callers write each
response as soon as it arrives (inside the worker), so a resumed run re-sends only requests that were
in flight at the kill, never one that was answered.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

from core import sha256_json
from core.checkpointed import CheckpointedJsonl


def cache_key(payload: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that determines a response."""
    return sha256_json(dict(payload))


class JsonlCache:
    """`get(key)` -> stored record or None; `put(record)` (needs `record["key"]`) writes it durably once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer = CheckpointedJsonl(self.path, key="key", keep_records=True).open(resume=True)
        self._records: dict[str, dict[str, Any]] = self._writer.records  # type: ignore[assignment]
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            rec = self._records.get(key)
            if rec is None:
                self.misses += 1
            else:
                self.hits += 1
            return rec

    def put(self, record: Mapping[str, Any]) -> None:
        self._writer.write(record)                  # durable, then visible through `records`

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> "JsonlCache":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
