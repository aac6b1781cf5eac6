"""Name a local file by what it is (basename + sha256), never by where it lies on someone's disk.

A result travels: to a submission zip, to the leaderboard, to other people's machines. A path such as
`/home/alice/runs/x.run` or `../shared/data/...` tells them nothing they can use and leaks a local layout,
while `{"file": "x.run", "sha256": "..."}` identifies the file anywhere. `bench run` records model
parameters this way (`file_ref`), and `bench submit` scrubs whatever path is still left in a result's
model params and extra (`scrub_paths`), so no local path reaches a package or the page.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core import sha256_file, sha256_json

_ABSOLUTE = re.compile(r"^(/|~/|\.\.?[/\\]|[A-Za-z]:[\\/]|\\\\)")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


MAX_LISTED_FILES = 20_000      # a folder's listing hash stops being cheap beyond this


def file_ref(path: str | Path) -> dict[str, Any]:
    """`{"file": basename, "sha256": hex}` for a file; for a folder (a model or data dir)
    `{"folder": basename, "listing_sha256": hex}` over its relative file names and sizes (cheap even for
    a large checkpoint, and it changes when a file is added, removed or resized); `{"file": basename}`
    when it cannot be read (the name is all that is left to say)."""
    p = Path(path)
    if p.is_file():
        return {"file": p.name, "sha256": sha256_file(p)}
    if p.is_dir():
        ref: dict[str, Any] = {"folder": p.resolve().name}
        listing = []
        for i, f in enumerate(sorted(p.rglob("*"))):
            if i >= MAX_LISTED_FILES:
                return ref
            if f.is_file():
                listing.append([f.relative_to(p).as_posix(), f.stat().st_size])
        ref["listing_sha256"] = sha256_json(listing)
        return ref
    return {"file": p.name}


def looks_like_path(value: str, *, base: Path | None = None) -> bool:
    """An absolute/home/`./`/`../`/drive/UNC path, or a relative `a/b` that exists (cwd or `base`).
    URLs and prose (anything with a space) are not paths."""
    if not value or _URL.match(value) or "\n" in value:
        return False
    if _ABSOLUTE.match(value):
        return " " not in value or Path(value).expanduser().exists()
    if ("/" in value or "\\" in value) and " " not in value:
        return any((root / value).exists() for root in (Path.cwd(), base) if root is not None)
    return False


_PREFIXED = re.compile(r"^([A-Za-z][\w.+-]*):(.+)$")


def scrub_paths(value: Any, *, base: Path | None = None, prefixed: bool = False) -> Any:
    """A copy of `value` (JSON-like) with every local path replaced by its `file_ref` (relative paths
    are resolved against `base`, then the cwd). `prefixed` also cuts `backend:/a/b/model` to
    `backend:model` (how judged tasks name a local judge)."""
    if isinstance(value, dict):
        return {k: scrub_paths(v, base=base, prefixed=prefixed) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_paths(v, base=base, prefixed=prefixed) for v in value]
    if isinstance(value, str) and looks_like_path(value, base=base):
        p = Path(value).expanduser()
        if not p.is_absolute() and base is not None and (base / p).exists():
            p = base / p
        return file_ref(p)
    if isinstance(value, str) and prefixed:
        m = _PREFIXED.match(value)
        if m and not _URL.match(value) and looks_like_path(m.group(2), base=base):
            return f"{m.group(1)}:{Path(m.group(2)).name}"
    return value


LOCAL_ENDPOINT = "(local endpoint)"
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def is_local_url(value: str) -> bool:
    """A URL whose host only means something on the submitter's machine or network: loopback, private
    and link-local addresses, `localhost`, `*.local`/`*.internal`, or a bare intranet name (no dot)."""
    import ipaddress
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not _URL.match(value):
        return False
    try:
        host = (urlsplit(value).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified


PATH_KEYS = frozenset({"source", "question_source"})   # fields that only ever hold a file's path


def scrub_for_publication(value: Any, *, base: Path | None = None, key: str = "") -> Any:
    """What `bench submit` publishes: `scrub_paths` (prefixed names too), and every URL of a local
    endpoint (a llama.cpp server on 127.0.0.1, a GPU box on the LAN) replaced by "(local endpoint)".
    A field that only holds paths (`PATH_KEYS`) becomes a `file_ref` even when the path no longer
    exists and holds a space (which `looks_like_path` would take for prose)."""
    if isinstance(value, dict):
        return {k: scrub_for_publication(v, base=base, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_for_publication(v, base=base, key=key) for v in value]
    if isinstance(value, str) and is_local_url(value):
        return LOCAL_ENDPOINT
    if isinstance(value, str) and key in PATH_KEYS and ("/" in value or "\\" in value) and not _URL.match(value):
        p = Path(value).expanduser()
        return file_ref(base / p if not p.is_absolute() and base is not None and (base / p).exists() else p)
    return scrub_paths(value, base=base, prefixed=True)


def local_name(name: str, *, base: Path | None = None) -> str:
    """A model name that is a local path (`-m /models/my-reader`) becomes its basename (`my-reader`)."""
    if looks_like_path(name, base=base):
        return Path(name.rstrip("/\\")).name or name
    m = _PREFIXED.match(name)
    if m and not _URL.match(name) and looks_like_path(m.group(2), base=base):
        return f"{m.group(1)}:{Path(m.group(2)).name}"
    return name


__all__ = ["file_ref", "looks_like_path", "scrub_paths", "local_name", "is_local_url", "scrub_for_publication",
           "LOCAL_ENDPOINT"]
