"""Per-dataset file manifests (path -> sha256, size), stored as JSON beside this module.

They are generated once from a trusted copy's SHA256SUMS (`python -m benchmarks.data.manifest
DIR NAME`) and committed, so a user's download is checked against sums that ship with the code.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core import atomic_write_text

MANIFEST_DIR = Path(__file__).with_name("manifests")


@dataclass(frozen=True)
class FileEntry:
    path: str      # relative, "/"-separated
    sha256: str
    size: int


@lru_cache(maxsize=None)
def load_manifest(name: str) -> tuple[FileEntry, ...]:
    data = json.loads((MANIFEST_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return tuple(FileEntry(p, e["sha256"], e["size"]) for p, e in data["files"].items())


def build_manifest(folder: Path) -> dict:
    """Read `folder/SHA256SUMS` (sha256sum format) and the sizes of the listed files."""
    files = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, path = line.split(None, 1)
        path = path.lstrip("*").strip()
        files[path] = {"sha256": digest, "size": (folder / path).stat().st_size}
    return {"format": 1, "files": dict(sorted(files.items()))}


if __name__ == "__main__":  # python -m benchmarks.data.manifest /path/to/mirror/<folder> <name>
    src, name = Path(sys.argv[1]), sys.argv[2]
    out = MANIFEST_DIR / f"{name}.json"
    entries = build_manifest(src)["files"]
    body = ",\n".join(f"  {json.dumps(p, ensure_ascii=False)}: {json.dumps(e)}" for p, e in entries.items())
    atomic_write_text(out, '{"format": 1, "files": {\n' + body + "\n}}\n")
    print(f"wrote {out}")
