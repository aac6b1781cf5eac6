"""Fixtures for the QA benchmark tests: the data mirror (as CI sets BENCH_DATA_MIRROR)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = Path(os.environ.get("BENCH_DATA_MIRROR", Path(__file__).resolve().parents[4] / "shared" / "data"))
    if not (root / "cmrc2018").is_dir():
        pytest.skip(f"shared data not found at {root}")
    os.environ.setdefault("BENCH_DATA_MIRROR", str(root))
    return root
