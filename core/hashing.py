"""sha256 helpers: files are hashed in 1 MiB chunks (memory stays flat on multi-GB corpora)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_tree(root: str | Path, paths: Iterable[str | Path]) -> str:
    """One sha256 for a set of files under `root`: over "relative/path<TAB>sha256" lines, in the given order
    (callers choose which files count and sort them); the revision of a user's dataset folder."""
    h = hashlib.sha256()
    for path in paths:
        h.update(f"{Path(path).relative_to(root).as_posix()}\t{sha256_file(path)}\n".encode())
    return h.hexdigest()


def canonical_json(obj: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the same object always gives the same string."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_json(obj: Any) -> str:
    return sha256_text(canonical_json(obj))
