"""Where work items run: `local` (a thread pool in this process) or `ray` (Ray actors on a local or remote
Ray cluster). A registry, so another engine is one class + one line.

Why in engines/: two rooms fan work out the same way - the builders (`run_items`, one record per item)
and dense retrieval (one embedding chunk per item) - and retrieval/ must not import builders/, so the one
executor lives below both, importing nothing of ours but `core`; ray stays optional (`require`).

Why the driver still writes everything: results come back to the process that owns the output (a
builder's CheckpointedJsonl, dense retrieval's ChunkStore) and are written there, so resume and
byte-identity are the same as with the local executor whatever the worker count. Items are assigned to Ray
actors by hashing their id (`shard_of`), so the worker count may change between relaunches; a worker
process that dies is restarted by Ray and its in-flight items are re-run there (actor task retries); the
writer refuses a second line for an id (a chunk file is replaced atomically), so a redone item is never
written twice.
"""
from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from core import UserError
from core.optional import require

RAY_PIP = "ray==2.60.0"
EXECUTORS = ("local", "ray")


def shard_of(key: str, num_shards: int) -> int:
    """Stable shard of an item id: the same on every machine and Python (no PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % num_shards


class ExecutorError(UserError):
    """A bad --executor / --address / --num-workers, or a Ray cluster that cannot be reached."""


@dataclass(frozen=True)
class ExecutorSpec:
    """What the CLI asked for: `--executor NAME [--address ADDR] [--num-workers N]` (not part of the
    hashed config: the output does not depend on it)."""
    name: str = "local"
    address: str | None = None
    num_workers: int | None = None

    def __post_init__(self) -> None:
        if self.name not in EXECUTORS:
            raise ExecutorError(f"--executor {self.name!r}: expected one of {', '.join(EXECUTORS)}")
        if self.num_workers is not None and self.num_workers < 1:
            raise ExecutorError(f"--num-workers {self.num_workers}: must be >= 1")
        if self.address and self.name != "ray":
            raise ExecutorError("--address is only used with --executor ray")


class LocalExecutor:
    """Today's behaviour: `workers` threads in this process."""

    def __init__(self, work: Callable[[Any], Any], workers: int = 1) -> None:
        self.work = work
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers)

    def submit(self, key: str, item: Any) -> Future:
        return self._pool.submit(self.work, item)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Failure:
    """An exception raised by `work` inside a Ray worker, carried back as a value so the driver re-raises
    the original exception (a UserError stays a one-line error, retry_errors still match)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _ray_worker_class(ray: Any) -> Any:
    @ray.remote(max_restarts=4, max_task_retries=4)
    class Worker:
        def __init__(self, work: Callable[[Any], Any]) -> None:
            self.work = work          # unpickled once per worker process (e.g. the builder's index)

        def run(self, item: Any) -> Any:
            try:
                return self.work(item)
            except Exception as exc:  # noqa: BLE001 - returned to the driver, which re-raises it
                return _Failure(exc)

        def pid(self) -> int:
            return os.getpid()
    return Worker


def jvm_ray_conflict(starting: str) -> str | None:
    """Why `starting` ("ray": a Ray driver, or "jvm": the lucene retriever's Java VM) must not start in this
    process because the other already runs in it; None when the mix is safe.

    Ray's driver installs its own SIGSEGV handler (and resets it on shutdown); the JVM uses SIGSEGV internally
    (safepoints, null checks) and dies on its next one (rc 139, no message) once its handler is gone, in either
    order. Java's libjsig, preloaded, chains the handlers and makes the mix safe.
    """
    if "libjsig" in os.environ.get("LD_PRELOAD", ""):
        return None
    way_out = "run lucene and Ray in separate processes, or start Python with LD_PRELOAD=$JAVA_HOME/lib/libjsig.so"
    if starting == "ray":
        jnius_config = sys.modules.get("jnius_config")
        if jnius_config is not None and getattr(jnius_config, "vm_running", False):
            return ("--executor ray: a Java VM (the lucene retriever) already runs in this process, and a Ray "
                    f"driver would replace its signal handlers and crash it; {way_out}")
        return None
    ray = sys.modules.get("ray")
    if ray is not None and getattr(ray, "is_initialized", lambda: False)():
        return f"the lucene retriever: a Ray driver runs in this process, and the JVM would crash with it; {way_out}"
    return None


class RayExecutor:
    """N Ray actors, each holding one copy of `work`; item `key` goes to actor `shard_of(key, N)`."""

    def __init__(self, work: Callable[[Any], Any], *, address: str | None = None,
                 num_workers: int | None = None, actor_options: dict[str, Any] | None = None) -> None:
        """`actor_options`: Ray resources per worker, e.g. {"num_gpus": 1} for encoding on one GPU each
        (Ray hides every GPU from an actor that asked for none)."""
        ray = require("ray", RAY_PIP, "--executor ray", error=ExecutorError)
        self.ray = ray
        if not ray.is_initialized() and (why := jvm_ray_conflict("ray")):
            raise ExecutorError(why)
        if not ray.is_initialized():     # stays up for the next stage (a qasnowball round); ray shuts it at exit
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False,
                         runtime_env={"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}})
            except (ConnectionError, RuntimeError, ValueError) as exc:
                why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                hint = ("; if the head is up, this process needs its auth token (RAY_AUTH_MODE=token and "
                        "RAY_AUTH_TOKEN_PATH, see README 'Scaling out')") if address else ""
                raise ExecutorError(f"--executor ray --address {address or '(local)'}: cannot start or reach "
                                    f"a Ray cluster ({why}){hint}") from None
        n = num_workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        try:
            self._work_ref = ray.put(work)     # kept referenced: a restarted actor unpickles it again
        except TypeError as exc:
            raise ExecutorError(f"--executor ray: the builder's work function cannot be sent to Ray workers "
                                f"({str(exc).splitlines()[0]})") from None
        worker = _ray_worker_class(ray)
        if actor_options:
            worker = worker.options(**actor_options)
        self.actors = [worker.remote(self._work_ref) for _ in range(n)]
        self.workers = n

    def submit(self, key: str, item: Any) -> Future:
        actor = self.actors[shard_of(key, len(self.actors))]
        ray_future = actor.run.remote(item).future()
        out: Future = Future()

        def unwrap(f: Future) -> None:
            try:
                value = f.result()
            except BaseException as exc:  # noqa: BLE001 - e.g. the actor died past its restarts
                out.set_exception(exc)
                return
            if isinstance(value, _Failure):
                out.set_exception(value.exc)
            else:
                out.set_result(value)
        ray_future.add_done_callback(unwrap)
        return out

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)


def create_executor(spec: ExecutorSpec | None, work: Callable[[Any], Any], workers: int = 1,
                    actor_options: dict[str, Any] | None = None) -> Any:
    """The executor `spec` names, running `work`. `workers` is the builder's local thread count (some
    builders need 1: their policy is not thread-safe); `--num-workers` sets the Ray worker processes."""
    spec = spec or ExecutorSpec()
    if spec.name == "ray":
        return RayExecutor(work, address=spec.address, num_workers=spec.num_workers, actor_options=actor_options)
    return LocalExecutor(work, workers)

