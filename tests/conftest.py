"""Shared test fixtures: the real data mirror, offline mode, and a private cache.

Tests read real files from the data mirror (CI: <clone>/../shared/data, exported by .ci/run as
BENCH_DATA_MIRROR); they never download from model/dataset hubs.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _mirror() -> Path:
    """BENCH_DATA_MIRROR, else shared/data beside the clone (CI), else two levels up (git worktrees)."""
    if os.environ.get("BENCH_DATA_MIRROR"):
        return Path(os.environ["BENCH_DATA_MIRROR"]).expanduser().resolve()
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "data").is_dir():
            return (base / "shared" / "data").resolve()
    return REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder holding the real datasets (shared/data); skips the test when it is absent."""
    path = _mirror()
    if not path.is_dir():
        pytest.skip(f"data mirror {path} not found (set BENCH_DATA_MIRROR)")
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the registry's cache (downloads, verification stamps) out of the user's home."""
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path_factory.getbasetemp() / "bench_cache"))
