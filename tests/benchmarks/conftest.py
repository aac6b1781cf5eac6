"""Fixtures for benchmarks tests: the shared data mirror (read in place, never copied)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(os.environ.get("BENCH_DATA_MIRROR", REPO.parent / "shared" / "data"))
    if not path.is_dir() and Path("/work/shared/data").is_dir():
        path = Path("/work/shared/data")
    if not path.is_dir():
        pytest.skip(f"shared data mirror not found at {path} (set BENCH_DATA_MIRROR)")
    os.environ["BENCH_DATA_MIRROR"] = str(path)
    return path
