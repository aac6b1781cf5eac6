"""The typed, versioned result of one (task, model) evaluation.

One JSON file per result. `schema_version` is bumped on any breaking change and
`load_result` keeps reading every older version (see benchmarks.submission for the checks).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


def package_version() -> str:
    try:
        return metadata.version("databench")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def machine_info(device: str = "cpu") -> dict[str, Any]:
    return {
        "device": device,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }


@dataclass
class ModelInfo:
    name: str                       # retriever registry name, HF model id or "external-run"
    revision: str | None = None     # model hash / git revision when known
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    task: str
    task_version: str
    dataset: str
    dataset_sha: str                    # sha256 over the dataset's files (registry order)
    split: str
    model: ModelInfo
    metrics: dict[str, dict[str, float]]           # metric set name -> {metric: value}
    main_score: dict[str, Any]                     # {"metric": "nDCG@10", "set": "standard", "value": 0.4}
    per_query: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # set -> qid -> metric
    conventions: dict[str, str] = field(default_factory=dict)  # missing queries, ties, gain, cut-offs
    run_file: str | None = None
    run_sha256: str | None = None
    wall_time_s: float | None = None
    package_version: str = field(default_factory=package_version)
    machine: dict[str, Any] = field(default_factory=machine_info)
    date: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: str | Path) -> Path:
        """Atomic write: a crashed run never leaves a half-written result."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False, indent=2, sort_keys=False)
            f.write("\n")
        os.replace(tmp, path)
        return path


def result_from_dict(data: dict[str, Any]) -> Result:
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"unsupported result schema_version {version!r} (this package reads {SCHEMA_VERSION})")
    data = dict(data)
    data["model"] = ModelInfo(**data["model"])
    return Result(**data)


def load_result(path: str | Path) -> Result:
    with open(path, encoding="utf-8") as f:
        return result_from_dict(json.load(f))
