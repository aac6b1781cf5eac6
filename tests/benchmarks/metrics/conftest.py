"""Real data for the WebCPM tests, read in place from BENCH_DATA_MIRROR (default ../shared/data)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = Path(os.environ.get("BENCH_DATA_MIRROR", REPO.parent / "shared" / "data"))
    if not (root / "webcpm").is_dir() or not (root / "dureader_demo").is_dir():
        pytest.skip(f"shared data not found at {root} (set BENCH_DATA_MIRROR)")
    os.environ["BENCH_DATA_MIRROR"] = str(root)
    return root


@pytest.fixture(scope="session")
def test_output(shared_data: Path) -> Path:
    return shared_data / "webcpm" / "inference" / "output" / "test_output.json"
