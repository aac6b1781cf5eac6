"""The data registry: dataset name -> a local folder whose files match the committed sha256 sums.

Where files come from, in order:
1. a mirror folder (`mirror=` argument, `--mirror DIR`, or env BENCH_DATA_MIRROR): `<mirror>/<folder>/`,
   used in place and verified (verification is remembered per file size + mtime);
2. the cache (env BENCH_CACHE, default ~/.cache/databench): `<cache>/<name>/`, filled by `fetch`
   from the public origin (raw GitHub files at pinned commits; env BENCH_DATA_ORIGIN or `origin=`
   replaces the origin by a base URL serving `<folder>/<path>`, e.g. a local HTTP mirror).
Downloads land in a temp file, are checked, then renamed in: a half-downloaded or corrupt file is
never left where a task would read it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from benchmarks.data.manifest import FileEntry, load_manifest
from benchmarks.data.sources import SOURCES, DatasetSource
from core import DataError, atomic_output, atomic_write_text, sha256_file

__all__ = ["available", "get_source", "files", "dataset_dir", "dataset_sha", "fetch", "verify", "where",
           "mirror_root", "cache_root"]

MIRROR_ENV = "BENCH_DATA_MIRROR"
ORIGIN_ENV = "BENCH_DATA_ORIGIN"
CACHE_ENV = "BENCH_CACHE"
MIRROR_HINT = f"no internet? set {MIRROR_ENV}=DIR (a local copy of the public files, e.g. ../shared/data)"


def available() -> list[str]:
    return sorted(SOURCES)


def get_source(name: str) -> DatasetSource:
    try:
        return SOURCES[name]
    except KeyError:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(available())}") from None


def files(name: str) -> tuple[FileEntry, ...]:
    get_source(name)
    return load_manifest(name)


def dataset_sha(name: str) -> str:
    """One sha256 for the dataset revision: over the sorted (path, sha256) pairs of its manifest."""
    h = hashlib.sha256()
    for entry in sorted(files(name), key=lambda e: e.path):
        h.update(f"{entry.path}\t{entry.sha256}\n".encode())
    return h.hexdigest()


def mirror_root(mirror: str | Path | None = None) -> Path | None:
    value = mirror if mirror is not None else os.environ.get(MIRROR_ENV)
    return Path(value).expanduser() if value else None


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "databench").expanduser()


def _check_file(path: Path, entry: FileEntry, *, what: str) -> None:
    if not path.is_file():
        raise DataError(f"{path}: missing file of dataset {what} ({MIRROR_HINT})" if what else f"{path}: missing")
    digest = sha256_file(path)
    if digest != entry.sha256:
        raise DataError(f"{path}: wrong checksum (sha256 {digest[:16]}..., expected {entry.sha256[:16]}...); "
                        "the file is corrupt or a different version")


def _stamp_path(folder: Path) -> Path:
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_root() / "verified" / f"{key}.json"


def _verify_folder(name: str, folder: Path, *, force: bool = False) -> None:
    """Check every file of `name` under `folder`; remember (size, mtime) of checked files."""
    stamp_file = _stamp_path(folder)
    try:
        stamps = {} if force else json.loads(stamp_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamps = {}
    fresh: dict[str, list] = {}
    for entry in files(name):
        path = folder / entry.path
        try:
            st = path.stat()
        except OSError:
            raise DataError(f"{path}: missing file of dataset {name} ({MIRROR_HINT})") from None
        sig = [entry.sha256, st.st_size, st.st_mtime_ns]
        if stamps.get(entry.path) != sig:
            _check_file(path, entry, what=name)
        fresh[entry.path] = sig
    try:
        atomic_write_text(stamp_file, json.dumps(fresh))
    except OSError:
        pass  # a read-only cache only costs re-hashing next time


def verify(name: str, *, mirror: str | Path | None = None) -> Path:
    """Re-hash every file (no remembered results) where `dataset_dir` would read them; returns that folder."""
    source = get_source(name)
    root = mirror_root(mirror)
    folder = root / source.folder if root else cache_root() / name
    if not folder.is_dir():
        raise DataError(f"{folder}: dataset {name} is not there; run `bench data fetch {name}`"
                        + ("" if root else f" ({MIRROR_HINT})"))
    _verify_folder(name, folder, force=True)
    return folder


def where(name: str, *, mirror: str | Path | None = None) -> Path:
    """The folder `dataset_dir` uses (may not exist yet)."""
    source = get_source(name)
    root = mirror_root(mirror)
    return root / source.folder if root else cache_root() / name


def dataset_dir(name: str, *, mirror: str | Path | None = None, download: bool = True,
                show_progress: bool = False) -> Path:
    """A verified local folder holding dataset `name` (fetched from the origin when needed)."""
    source = get_source(name)
    root = mirror_root(mirror)
    if root is not None:
        folder = root / source.folder
        if not folder.is_dir():
            raise DataError(f"{folder}: dataset {name} not found in the mirror {root} ({MIRROR_ENV})")
        _verify_folder(name, folder)
        return folder
    folder = cache_root() / name
    if all((folder / e.path).is_file() for e in files(name)):
        _verify_folder(name, folder)
        return folder
    if not download:
        raise DataError(f"{folder}: dataset {name} is not downloaded; run `bench data fetch {name}` ({MIRROR_HINT})")
    return fetch(name, show_progress=show_progress)


def _download(url: str, dest: Path, entry: FileEntry, client) -> None:  # httpx.Client
    import httpx

    h = hashlib.sha256()
    with atomic_output(dest, binary=True) as out:      # nothing is saved unless the checksum matches
        try:
            with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DataError(f"{url}: HTTP {response.status_code} ({MIRROR_HINT})")
                for chunk in response.iter_bytes(1 << 16):
                    h.update(chunk)
                    out.write(chunk)
        except httpx.HTTPError as exc:
            raise DataError(f"{url}: download failed ({type(exc).__name__}: {exc}); {MIRROR_HINT}") from None
        if h.hexdigest() != entry.sha256:
            raise DataError(f"{url}: wrong checksum (sha256 {h.hexdigest()[:16]}..., expected "
                            f"{entry.sha256[:16]}...) for {entry.path}; nothing was saved")


def fetch(name: str, *, mirror: str | Path | None = None, origin: str | None = None,
          show_progress: bool = False, workers: int = 8) -> Path:
    """Put dataset `name` into the cache: copied from a mirror, else downloaded; every file verified."""
    from retrieval.progress import bar

    source = get_source(name)
    folder = cache_root() / name
    todo: list[FileEntry] = []
    for entry in files(name):
        path = folder / entry.path
        if path.is_file() and path.stat().st_size == entry.size and sha256_file(path) == entry.sha256:
            continue
        todo.append(entry)
    root = mirror_root(mirror)
    if root is not None:
        src_folder = root / source.folder
        with bar(f"copying {name} from {root}", len(todo), enabled=show_progress) as advance:
            for entry in todo:
                src = src_folder / entry.path
                _check_file(src, entry, what=name)
                with atomic_output(folder / entry.path, binary=True) as out, open(src, "rb") as inp:
                    shutil.copyfileobj(inp, out)
                advance()
    elif todo:
        import httpx

        base = origin or os.environ.get(ORIGIN_ENV)

        def url_for(entry: FileEntry) -> str:
            if base:
                return f"{base.rstrip('/')}/{quote(source.folder)}/{quote(entry.path)}"
            return source.origin_url(entry.path)

        with httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True) as client, \
                bar(f"downloading {name}", len(todo), enabled=show_progress) as advance, \
                ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(_download, url_for(e), folder / e.path, e, client) for e in todo]
            for future in futures:
                future.result()
                advance()
    _verify_folder(name, folder)
    return folder
