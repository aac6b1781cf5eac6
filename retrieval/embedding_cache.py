"""On-disk embedding cache: one folder per (model, weights, corpus, prefixes, max length), one .npy per chunk.

Why chunk files: encoding a big corpus is the slow part of dense retrieval, so it is written chunk by chunk
(a crash resumes at the first missing chunk, never re-encodes or duplicates one), and search reads one chunk
at a time, so memory is bounded by the chunk size rather than the corpus size. Only .npy and JSON: never
pickle (`np.load(..., allow_pickle=False)`).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from core import atomic_write_bytes, sha256_text

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx", ".gguf")
_META = "meta.json"
_IDS = "ids.json"


def default_cache_dir() -> Path:
    """`<cache root>/_embeddings`, the cache root being the data registry's: BENCH_CACHE, else
    $XDG_CACHE_HOME/databench, else ~/.cache/databench."""
    root = os.environ.get("BENCH_CACHE")
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "databench")
    return Path(root) / "_embeddings"


def corpus_sha(ids: Iterable[str], texts: Iterable[str]) -> str:
    """sha256 over (id, text) pairs in corpus order; order matters because chunk rows follow it."""
    h = hashlib.sha256()
    for doc_id, text in zip(ids, texts, strict=True):
        for part in (doc_id, text):
            raw = part.encode("utf-8")
            h.update(len(raw).to_bytes(8, "little"))
            h.update(raw)
    return h.hexdigest()


def weights_sha(model_dir: str | Path) -> str | None:
    """sha256 over the weight files of a model folder (names + bytes), or None if it has none.

    Identifies the exact weights when a model name alone does not (a local path can be overwritten).
    """
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return None
    files = sorted(p for p in model_dir.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
    if not files:
        return None
    h = hashlib.sha256()
    for path in files:
        h.update(str(path.relative_to(model_dir)).encode())
        with open(path.resolve(), "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()


def cache_key(fields: dict[str, Any]) -> str:
    """Stable short key of the fields that change the embeddings."""
    return sha256_text(json.dumps(fields, sort_keys=True, ensure_ascii=False))[:24]




class ChunkStore:
    """A folder of `chunk_00000.npy` files (float32/float16 rows in corpus order) plus ids.json and meta.json.

    meta.json is written last: a store without it is incomplete and can be resumed chunk by chunk.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # -- writing -------------------------------------------------------------------------------
    def chunk_path(self, i: int) -> Path:
        return self.path / f"chunk_{i:05d}.npy"

    def has_chunk(self, i: int) -> bool:
        return self.chunk_path(i).is_file()

    def write_chunk(self, i: int, emb: np.ndarray) -> None:
        """Atomic: a chunk file is either complete or absent."""
        import io

        self.path.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(emb), allow_pickle=False)
        atomic_write_bytes(self.chunk_path(i), buf.getvalue())

    def finish(self, ids: list[str], meta: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path / _IDS, json.dumps(ids, ensure_ascii=False).encode())
        atomic_write_bytes(self.path / _META, json.dumps(meta, ensure_ascii=False, indent=2).encode())

    # -- reading -------------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        return (self.path / _META).is_file() and (self.path / _IDS).is_file()

    def meta(self) -> dict[str, Any]:
        return json.loads((self.path / _META).read_text(encoding="utf-8"))

    def ids(self) -> list[str]:
        return json.loads((self.path / _IDS).read_text(encoding="utf-8"))

    def n_chunks(self) -> int:
        return int(self.meta()["n_chunks"])

    def read_chunk(self, i: int) -> np.ndarray:
        return np.load(self.chunk_path(i), allow_pickle=False)

    def iter_chunks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(row offset, embeddings) per chunk; one chunk in memory at a time."""
        offset = 0
        for i in range(self.n_chunks()):
            emb = self.read_chunk(i)
            yield offset, emb
            offset += emb.shape[0]

    def copy_to(self, dest: str | Path) -> "ChunkStore":
        dest = Path(dest)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(self.path, dest)
        return ChunkStore(dest)
