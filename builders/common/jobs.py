"""Job machinery every builder shares: resume, deterministic shards, a run manifest, and a worker
pool with a rich progress bar, around the output file that is its own checkpoint
(`core.checkpointed.CheckpointedJsonl`: one durable line per finished item, so a kill -9 loses
at most one partial line and a resume neither duplicates nor loses an item).
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from core import atomic_write_json, canonical_json, read_json, sha256_json
from core.checkpointed import CheckpointedJsonl, JobError
from engines.executors import ExecutorSpec, create_executor, shard_of

T = TypeVar("T")


# -- hashing and sharding ----------------------------------------------------------------------
def config_hash(config: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that changes the output (not paths, not concurrency)."""
    return sha256_json(config)


def check_shard(num_shards: int, shard_index: int) -> None:
    if num_shards < 1 or not 0 <= shard_index < num_shards:
        raise JobError(f"--shard-index must be in [0, {num_shards}) and --num-shards >= 1 "
                       f"(got {shard_index} of {num_shards})")


def select_shard(items: Iterable[T], key: Callable[[T], str], num_shards: int, shard_index: int) -> list[T]:
    """Items of shard `shard_index`; the shards of one item list are disjoint and cover it."""
    check_shard(num_shards, shard_index)
    if num_shards == 1:
        return list(items)
    return [it for it in items if shard_of(key(it), num_shards) == shard_index]


def shard_suffix(num_shards: int, shard_index: int) -> str:
    return "" if num_shards == 1 else f"-{shard_index:05d}-of-{num_shards:05d}"


# -- run manifest ------------------------------------------------------------------------------
def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def config_diff(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two configs, as `key: old -> new` (values shortened)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[str] = []
        for k in sorted(set(old) | set(new), key=str):
            out += config_diff(old.get(k, "<unset>"), new.get(k, "<unset>"), f"{prefix}{k}.")
        return out
    if canonical_json(old) == canonical_json(new):
        return []
    return [f"{prefix.rstrip('.') or 'config'}: {_short(old)} -> {_short(new)}"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def start_manifest(path: str | Path, *, job: str, config: Mapping[str, Any], backends: Mapping[str, Any],
                   seed: int | None, num_shards: int = 1, shard_index: int = 0,
                   resume: bool = False) -> dict[str, Any]:
    """Write (or, under resume, re-open) the run manifest.

    An existing manifest without `resume` is refused (the folder/file holds another run); under
    `resume` a changed config is refused with the keys that changed, so two configs never mix.
    """
    path = Path(path)
    chash = config_hash(config)
    if path.exists() and not resume:
        raise JobError(f"{path} exists: pass --resume to continue that run, or choose a new output")
    if resume and path.exists():
        old = read_json(path, what="run manifest", error=JobError)
        if old.get("config_hash") != chash:
            changed = config_diff(old.get("config", {}), dict(config)) or [
                f"config hash {str(old.get('config_hash'))[:12]} -> {chash[:12]}"]
            more = f" (+{len(changed) - 3} more)" if len(changed) > 3 else ""
            raise JobError(f"{path}: config changed since this run started ({'; '.join(changed[:3])}{more}); "
                           "--resume needs the same config (or choose a new output)")
        old["resumes"] = int(old.get("resumes", 0)) + 1
        old["status"] = "running"
        old["updated_at"] = now_iso()
        old["backends"] = dict(backends)
        atomic_write_json(path, old)
        return old
    manifest = {"job": job, "config_hash": chash, "config": json.loads(canonical_json(dict(config))),
                "backends": dict(backends), "seed": seed, "num_shards": num_shards, "shard_index": shard_index,
                "status": "running", "started_at": now_iso(), "updated_at": now_iso(), "resumes": 0, "stages": {}}
    atomic_write_json(path, manifest)
    return manifest


def check_output(manifest: str | Path, outputs: Sequence[str | Path], *, resume: bool) -> None:
    """Refuse, before anything is written, what start_manifest and CheckpointedJsonl would find too late:
    an existing output without --resume, or --resume on an output that has no manifest to check it against."""
    used = [Path(p) for p in outputs if Path(p).exists() and (Path(p).is_dir() and any(Path(p).iterdir())
                                                               or Path(p).is_file() and Path(p).stat().st_size > 0)]
    if not resume and (used or Path(manifest).exists()):
        first = Path(manifest) if Path(manifest).exists() else used[0]
        raise JobError(f"{first} exists: pass --resume to continue that run, or choose a new output")
    if resume and used and not Path(manifest).exists():
        raise JobError(f"{used[0]} exists but its run manifest {manifest} does not: cannot check that --resume "
                       "continues the same config; choose a new output")


def update_manifest(path: str | Path, manifest: dict[str, Any], **changes: Any) -> dict[str, Any]:
    manifest.update(changes)
    manifest["updated_at"] = now_iso()
    atomic_write_json(path, manifest)
    return manifest


@dataclass
class BuildReport:
    """What every builder returns (each adds its own counts): where the output and its run manifest are,
    and how long this process took. The CLI prints it; Python callers read the fields."""
    out: Path
    manifest: Path
    seconds: float


# -- a build that keeps nothing -----------------------------------------------------------------
class NothingKept(JobError):
    """A build that kept no record: a one-line error saying why (exit 2), never an empty dataset with exit 0."""


def _first_missing(path: Path) -> Path | None:
    """The outermost folder (or the file itself) on the way to `path` that does not exist yet."""
    path = path.absolute()
    if path.exists():
        return None
    while not path.parent.exists():
        path = path.parent
    return path


@contextmanager
def nothing_kept_leaves_nothing(*outputs: str | Path) -> Iterator[None]:
    """Around a build: when it raises `NothingKept`, remove what it created (each output, its manifest,
    the folders made on the way to them; an existing empty folder is emptied again), so a build that keeps
    no record leaves nothing behind. An output that held something before (a `--resume`) is left as it was."""
    created = [p for p in (_first_missing(Path(o)) for o in outputs) if p is not None]
    emptied = [Path(o) for o in outputs if Path(o).is_dir() and not any(Path(o).iterdir())]
    try:
        yield
    except NothingKept:
        for path in created:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
        for child in (c for folder in emptied if folder.is_dir() for c in list(folder.iterdir())):
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink()
        raise


# -- running items through a worker pool -------------------------------------------------------
@dataclass
class JobStats:
    total: int = 0
    skipped_done: int = 0
    written: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    llm: dict[str, Any] = field(default_factory=dict)    # server requests/s, tokens/s, cache hits (with meters)

    def to_dict(self) -> dict[str, Any]:
        out = {"total": self.total, "already_done": self.skipped_done, "written": self.written,
               "failed": self.failed, "errors": self.errors[:20], "seconds": round(self.seconds, 2)}
        if self.llm:
            out["llm"] = self.llm
        return out


def run_items(items: Sequence[T], *, key: Callable[[T], str], work: Callable[[T], Mapping[str, Any] | None],
              writer: CheckpointedJsonl, workers: int = 1, description: str = "items",
              show_progress: bool = True, meters: Sequence[Any] = (), retry_errors: tuple[type[BaseException], ...] = (),
              reject_writer: CheckpointedJsonl | None = None, ordered: bool = False,
              executor: ExecutorSpec | None = None, finalize: Callable[[Any], Mapping[str, Any] | None] | None = None,
              ) -> JobStats:
    """Run `work` on every item not yet in the writer's `done` set, writing each result as it finishes.

    `work` returns a record (written to `writer`), a record with `"_rejected": True` (written to
    `reject_writer`, so a resume does not redo it either), or None (nothing written; redone on resume).
    Exceptions listed in `retry_errors` are counted as failures and left for a later --resume; any
    other exception stops the job (already-written items stay written).

    `ordered=True` writes results in input order (a finished item waits for the ones before it), so the
    file is byte-identical whatever the worker count, and after a kill -9 + resume; otherwise results are
    written as they finish (input order among those finishing together).

    `executor` (default: local threads) says where `work` runs (engines.executors); results always
    come back here and are written by this process, so the output does not depend on it. `finalize`, when
    given, turns what `work` returned into the record, here in the driver and (with `ordered=True`) in
    input order: the place for a step that depends on the items before (a duplicate filter), so `work`
    stays independent per item and can run anywhere.
    """
    done = set(writer.done) | (set(reject_writer.done) if reject_writer else set())
    todo = [it for it in items if key(it) not in done]
    stats = JobStats(total=len(items), skipped_done=len(items) - len(todo))
    t0 = time.monotonic()
    progress = _Progress(description, len(items), stats.skipped_done, meters, enabled=show_progress)

    def finish(fut: Future) -> None:
        try:
            rec = fut.result()
        except retry_errors as exc:
            stats.failed += 1
            stats.errors.append(str(exc))
            progress.advance(failed=True)
            return
        if finalize is not None:
            rec = finalize(rec)
        if rec is not None:
            if rec.get("_rejected") and reject_writer is not None:
                reject_writer.write({k: v for k, v in rec.items() if k != "_rejected"})
            else:
                writer.write({k: v for k, v in rec.items() if k != "_rejected"})
            stats.written += 1
        progress.advance()

    pool = create_executor(executor, work, workers) if todo else None
    with progress:
        pending: dict[Future, int] = {}
        ready: dict[int, Future] = {}               # ordered: finished, waiting for the items before them
        next_index = 0
        window = (pool.workers if pool else 1) * 2  # bounded: memory stays flat on millions of items

        def collect() -> None:
            nonlocal next_index
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=pending.__getitem__):    # several done at once: input order
                index = pending.pop(fut)
                if ordered:
                    ready[index] = fut
                else:
                    finish(fut)
            while next_index in ready:
                finish(ready.pop(next_index))
                next_index += 1

        try:
            for index, item in enumerate(todo):
                pending[pool.submit(key(item), item)] = index
                if len(pending) + len(ready) >= window:
                    collect()
            while pending:
                collect()
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
        finally:
            if pool is not None:
                pool.close()
    stats.seconds = time.monotonic() - t0
    stats.llm = progress.summary()
    return stats


def llm_totals(meters: Sequence[Any]) -> dict[str, Any]:
    """Server requests, completion tokens and cache hits summed over backend meters (engines.llm.base)."""
    snaps = [m.snapshot() for m in meters]
    return {"requests": sum(s["requests"] for s in snaps),
            "prompt_tokens": sum(s["prompt_tokens"] for s in snaps),
            "completion_tokens": sum(s["completion_tokens"] for s in snaps),
            "cache_hits": sum(s.get("cache_hits", 0) for s in snaps),
            "cost_usd": round(sum(s["cost_usd"] for s in snaps), 8)}


def llm_rates(before: Mapping[str, Any], after: Mapping[str, Any], seconds: float) -> dict[str, Any]:
    """What the LLM server did between two `llm_totals`: counts, requests/s and completion tokens/s
    (server work only: a cache hit is counted apart and is in neither rate)."""
    d = {k: after[k] - before[k] for k in ("requests", "prompt_tokens", "completion_tokens", "cache_hits")}
    s = max(seconds, 1e-9)
    return {**d, "seconds": round(seconds, 2), "requests_per_s": round(d["requests"] / s, 3),
            "completion_tokens_per_s": round(d["completion_tokens"] / s, 2)}


class _Progress:
    """rich progress, refreshed every second: items done / total, ETA, and from the backend meters the
    server's requests/s and completion tokens/s, cache hits, cost so far and failures."""

    def __init__(self, description: str, total: int, already: int, meters: Sequence[Any], *, enabled: bool) -> None:
        self.enabled = enabled
        self.meters = list(meters)
        self.description = description
        self.total, self.already = total, already
        self.t0 = time.monotonic()
        self.start = llm_totals(self.meters)
        self.count = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def summary(self) -> dict[str, Any]:
        """The LLM figures of this job so far (see llm_rates); empty without meters."""
        if not self.meters:
            return {}
        return llm_rates(self.start, llm_totals(self.meters), time.monotonic() - self.t0)

    def _fields(self) -> dict[str, Any]:
        seconds = max(time.monotonic() - self.t0, 1e-9)
        out: dict[str, Any] = {"rate": f"{(self.count - self.failed) / seconds * 60:.1f}", "failed": self.failed,
                               "llm": ""}
        if self.meters:
            now = llm_totals(self.meters)
            r = llm_rates(self.start, now, seconds)
            out["llm"] = (f"{r['requests_per_s']:.2f} req/s {r['completion_tokens_per_s']:.1f} tok/s "
                          f"{r['cache_hits']} cached ${now['cost_usd']:.4f}")
        return out

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[rate]}/min"), TextColumn("{task.fields[llm]}"),
                                      TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                                      TextColumn("ETA"), TimeRemainingColumn(), transient=False)
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=self.total, completed=self.already,
                                                 **self._fields())
            if self.meters:           # requests finish between items: show them as they come
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if self._progress is not None:
                    self._progress.update(self._task, **self._fields())

    def advance(self, failed: bool = False) -> None:
        with self._lock:
            self.count += 1
            self.failed += int(failed)
            if self._progress is None:
                return
            self._progress.update(self._task, advance=1, **self._fields())

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._progress is not None:
            self._progress.stop()
