"""On-disk cache of tokenised corpora: a costly analyzer (jieba) runs once per corpus, not once per run.

Why: `bench run lecard -r bm25` spends almost all its time in jieba, and the corpus does not change between
runs. A cache entry is keyed by the corpus (sha256 over ids and texts, in order), the tokenizer's settings
(`params()`), the versions of the libraries that shape its output (jieba, PyStemmer, spaCy's stopword list) and
the sha256 of the tokenizer's source, so a change to any of them is a miss, never a stale hit.

An entry is a folder of `tokens.npy` (every document's term ids, concatenated, int32), `offsets.npy` (int64,
n_docs + 1: document i is tokens[offsets[i]:offsets[i+1]]), `vocab.json` (the terms, in id order, ids given in
first-seen order exactly as the fresh path gives them) and `meta.json`. It is built aside and renamed into
place (core.atomic_folder), so a reader sees a whole entry or none. Only npy (allow_pickle=False) and JSON.

Where: `token_cache=` (a folder, `on`, `off`, or `auto`: on for analyzers marked costly, i.e. jieba), else the
BENCH_TOKEN_CACHE environment variable (a folder or `off`), else `<cache root>/_tokens` (the cache root being
BENCH_CACHE, else $XDG_CACHE_HOME/databench, else ~/.cache/databench).
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from core import atomic_folder, sha256_file, sha256_text
from retrieval.base import RetrieverError
from retrieval.embedding_cache import corpus_sha
from retrieval.tokenize import Tokenizer
from retrieval.types import Corpus

FORMAT = 1
ENV = "BENCH_TOKEN_CACHE"
_OFF = {"off", "false", "0", "no", "none"}
_ON = {"on", "true", "1", "yes"}
_SHAPING_LIBS = ("jieba", "PyStemmer", "spacy")   # spacy: the Chinese stopword list


def default_cache_dir() -> Path:
    root = os.environ.get("BENCH_CACHE")
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "databench")
    return Path(root) / "_tokens"


def cache_dir_for(setting: str | Path | None, tokenizer: Tokenizer) -> Path | None:
    """The cache folder to use, or None when caching is off for this tokenizer and setting."""
    value = "auto" if setting is None else str(setting)
    if value.lower() in _OFF:
        return None
    if value.lower() not in _ON | {"auto"}:
        return Path(value)                      # an explicit folder
    if value.lower() == "auto" and not getattr(tokenizer, "costly", False):
        return None
    env = os.environ.get(ENV, "")
    if env.lower() in _OFF and env:
        return None if value.lower() == "auto" else default_cache_dir()   # `on` beats the environment's `off`
    return Path(env) if env else default_cache_dir()


def _library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in _SHAPING_LIBS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _code_sha(tokenizer: Tokenizer) -> str:
    import inspect

    source = inspect.getsourcefile(type(tokenizer))
    return sha256_file(source) if source else type(tokenizer).__qualname__


def entry_key(corpus_hash: str, tokenizer: Tokenizer) -> dict[str, Any]:
    """Everything that decides the cached tokens (written to meta.json, hashed into the folder name)."""
    return {"format": FORMAT, "corpus_sha256": corpus_hash, "tokenizer": tokenizer.params(),
            "libraries": _library_versions(), "tokenizer_code_sha256": _code_sha(tokenizer)}


class TokenCache:
    """One cache folder; `get_or_build` returns (term ids per document, vocabulary term -> id)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def entry_path(self, key: dict[str, Any]) -> Path:
        return self.folder / sha256_text(json.dumps(key, sort_keys=True, ensure_ascii=False))[:32]

    def load(self, key: dict[str, Any], n_docs: int) -> tuple[list[list[int]], dict[str, int]] | None:
        path = self.entry_path(key)
        meta_path = path / "meta.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("key") != key or meta.get("n_docs") != n_docs:
                return None  # a hash-prefix collision or a foreign folder: rebuild rather than trust it
            tokens = np.load(path / "tokens.npy", allow_pickle=False)
            offsets = np.load(path / "offsets.npy", allow_pickle=False)
            terms = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise RetrieverError(f"{path}: unreadable token cache entry ({e}); delete the folder") from None
        if len(offsets) != n_docs + 1 or int(offsets[-1]) != len(tokens) or (len(tokens) and int(tokens.max()) >= len(terms)):
            raise RetrieverError(f"{path}: inconsistent token cache entry (offsets/tokens/vocab); delete the folder")
        flat = tokens.tolist()
        bounds = offsets.tolist()
        ids = [flat[bounds[i]:bounds[i + 1]] for i in range(n_docs)]
        return ids, {t: i for i, t in enumerate(terms)}

    def store(self, key: dict[str, Any], ids: list[list[int]], vocab: dict[str, int]) -> Path:
        path = self.entry_path(key)
        lengths = np.fromiter((len(d) for d in ids), dtype=np.int64, count=len(ids))
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        tokens = np.fromiter((t for d in ids for t in d), dtype=np.int32, count=int(offsets[-1]))
        terms = sorted(vocab, key=vocab.__getitem__)
        if [vocab[t] for t in terms] != list(range(len(terms))):
            raise RetrieverError("token cache: vocabulary ids are not 0..n-1")
        with atomic_folder(path) as tmp:
            np.save(tmp / "tokens.npy", tokens, allow_pickle=False)
            np.save(tmp / "offsets.npy", offsets, allow_pickle=False)
            (tmp / "vocab.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
            meta = {"key": key, "n_docs": len(ids), "n_tokens": int(offsets[-1]), "n_terms": len(terms)}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def cached_term_ids(tokenizer: Tokenizer, corpus: Corpus, setting: str | Path | None,
                    build: Callable[[], tuple[list[list[int]], dict[str, int]]]) -> tuple[list[list[int]], dict[str, int]]:
    """`build()` (tokenise the corpus, number the terms in first-seen order), through the cache when it is on
    for this tokenizer; with the cache off the corpus is not even hashed."""
    folder = cache_dir_for(setting, tokenizer)
    if folder is None:
        return build()
    cache = TokenCache(folder)
    doc_ids = list(corpus)
    key = entry_key(corpus_sha(doc_ids, (corpus[d].full_text for d in doc_ids)), tokenizer)
    hit = cache.load(key, len(doc_ids))
    if hit is not None:
        return hit
    ids, vocab = build()
    cache.store(key, ids, dict(vocab))
    return ids, vocab

