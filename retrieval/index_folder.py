"""The saved form of an on-disk engine (tantivy, Lucene) is its index folder: what both share.

Why: these engines write their index to a folder anyway, so `save(dir)` is a copy, `load(dir)` reads our meta
file beside the engine's files, and `index()` can skip the build when the folder already holds the same corpus
under the same analysis (the fingerprint). One place for it, so the engines cannot drift apart.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from core import read_json
from retrieval.base import RetrieverError
from retrieval.embedding_cache import corpus_sha
from retrieval.types import Corpus


def folder_for(owner: object, index_dir: str | Path | None, prefix: str) -> tuple[Path, bool]:
    """(folder, owned): `index_dir` as given, or a temp folder removed when `owner` is garbage-collected."""
    if index_dir is not None:
        return Path(index_dir), False
    tmp = tempfile.mkdtemp(prefix=prefix)
    weakref.finalize(owner, shutil.rmtree, tmp, True)
    return Path(tmp), True


def fingerprint(corpus: Corpus, analysis: Any) -> str:
    """sha256 over the corpus (ids + texts, in order) and the analysis settings that shape the index."""
    ids = list(corpus)
    sha = corpus_sha(ids, [corpus[d].full_text for d in ids])
    return hashlib.sha256(f"{sha}|{json.dumps(analysis, sort_keys=True)}".encode()).hexdigest()


def holds(folder: Path, meta_file: str, wanted: str) -> bool:
    """Whether `folder` already holds a complete index with fingerprint `wanted` (meta is written last; an
    unreadable meta file means "rebuild", never an error)."""
    meta_path = folder / meta_file
    if not meta_path.is_file():
        return False
    try:
        meta = read_json(meta_path, what=f"index meta {meta_file}", error=RetrieverError)
    except RetrieverError:
        return False
    return isinstance(meta, dict) and meta.get("fingerprint") == wanted


def copy_folder(src: Path, dest: str | Path) -> None:
    """`save(dest)`: replace `dest` by a copy of the index folder (nothing to do when it is the folder itself)."""
    dest = Path(dest)
    if dest.resolve() == src.resolve():
        return
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)


def read_meta(folder: str | Path, meta_file: str, engine: str) -> dict[str, Any]:
    """Our meta file of a saved index, or a one-line RetrieverError when `folder` is not one."""
    meta_path = Path(folder) / meta_file
    if not meta_path.is_file():
        raise RetrieverError(f"{engine}: {folder} is not a saved {engine} index (missing {meta_file})")
    return read_json(meta_path, what=f"{engine} index meta", error=RetrieverError)
