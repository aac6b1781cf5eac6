"""The one request cache every LLM client shares: one JSONL line per answered request, keyed by sha256.

Why here (engines/, below builders and benchmarks): the UltraChat build, QASnowball's `llm` backend, the
WebCPM `llm` policy and `ultrachat-eval` all pay for chat requests; a request that was answered once is
never paid for again, by any of them, after a kill or in a second identical run.

- Key: sha256 of the canonical JSON of what determines the reply: backend kind, model, sampling (seed
  included) and the exact messages (plus a backend's extra request fields, e.g. a grammar). Never the base
  URL, an API key or a header: no secret is keyed or stored (records hold the reply and its usage only).
- Durable: built on core.checkpointed.CheckpointedJsonl, so a line exists exactly when its response was
  fsynced; after a kill -9 the partial last line is cut and every complete one is reused.
- Shared: the default folder is `$BENCH_LLM_CACHE`, else `$BENCH_CACHE/llm`, else
  `~/.cache/databench/llm` (override per run with the CLIs' `--llm-cache DIR`; `--no-llm-cache` or
  `BENCH_LLM_CACHE=off` turns it off). Inside one process a file is
  opened once (`open_cache`) whoever asks; another process using the same file at the same time is refused
  with one line (an flock), since two appenders could cut each other's lines on resume.
"""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any, Mapping, Sequence

from core import sha256_json
from core.checkpointed import CheckpointedJsonl
from core.errors import UserError

__all__ = ["CacheBusy", "JsonlCache", "cache_key", "cache_off_by_default", "default_cache_dir", "open_cache",
           "request_key"]

ENV = "BENCH_LLM_CACHE"


class CacheBusy(UserError):
    """The cache file is held by another running process."""


OFF = ("off", "none", "0")


def cache_off_by_default() -> bool:
    """`BENCH_LLM_CACHE=off` turns the default cache off (the test suite does, so a test that counts requests
    at a proxy is not answered from another test's cache; a test of the cache names its folder)."""
    return os.environ.get(ENV, "").strip().lower() in OFF


def default_cache_dir() -> Path:
    """`$BENCH_LLM_CACHE`, else `$BENCH_CACHE/llm` (the data registry's cache root), else
    `~/.cache/databench/llm`."""
    if os.environ.get(ENV) and not cache_off_by_default():
        return Path(os.environ[ENV])
    if os.environ.get("BENCH_CACHE"):
        return Path(os.environ["BENCH_CACHE"]) / "llm"
    return Path.home() / ".cache" / "databench" / "llm"


def cache_key(payload: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that determines a response."""
    return sha256_json(dict(payload))


def request_key(kind: str, model: str, messages: Sequence[Mapping[str, str]], sampling: Mapping[str, Any],
                extra: Mapping[str, Any] | None = None) -> str:
    """The key of one chat request: backend kind, model, sampling, messages (+ extra body fields)."""
    payload: dict[str, Any] = {"kind": kind, "model": model, "sampling": dict(sampling),
                               "messages": [dict(m) for m in messages]}
    if extra:
        payload["extra"] = dict(extra)
    return cache_key(payload)


class JsonlCache:
    """`get(key)` -> stored record or None; `put(record)` (needs `record["key"]`) writes it durably once.

    Open it through `open_cache` so that two clients of one process share one instance (a second
    instance on the same file would find the file locked)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lockfile = open(self.path.with_name(self.path.name + ".lock"), "a")
        try:
            fcntl.flock(self._lockfile.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lockfile.close()
            raise CacheBusy(f"{self.path}: request cache in use by another running process; wait for it or "
                            f"give this run its own cache folder (--llm-cache DIR or {ENV}=DIR)") from None
        self._writer = CheckpointedJsonl(self.path, key="key", keep_records=True).open(resume=True)
        self._records: dict[str, dict[str, Any]] = self._writer.records  # type: ignore[assignment]
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._users = 1

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            rec = self._records.get(key)
            if rec is None:
                self.misses += 1
            else:
                self.hits += 1
            return rec

    def __len__(self) -> int:
        return len(self._records)

    def put(self, record: Mapping[str, Any]) -> None:
        self._writer.write(record)                  # durable, then visible through `records`

    def close(self) -> None:
        with _OPEN_LOCK:
            self._users -= 1
            if self._users > 0:
                return
            if _OPEN.get(self.path.resolve()) is self:
                del _OPEN[self.path.resolve()]
        self._writer.close()
        fcntl.flock(self._lockfile.fileno(), fcntl.LOCK_UN)
        self._lockfile.close()

    def __enter__(self) -> "JsonlCache":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


_OPEN: dict[Path, JsonlCache] = {}
_OPEN_LOCK = threading.Lock()


def open_cache(path: str | Path) -> JsonlCache:
    """The process's one JsonlCache for `path` (opened on first use; each caller closes it once)."""
    key = Path(path).resolve()
    with _OPEN_LOCK:
        cache = _OPEN.get(key)
        if cache is not None:
            cache._users += 1
            return cache
        cache = JsonlCache(path)
        _OPEN[key] = cache
        return cache
