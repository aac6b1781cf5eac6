from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def uc_data(shared_data: Path) -> Path:
    """shared/data (tests/conftest.py's mirror); exported as BENCH_DATA_MIRROR so the builder's
    decontamination and the CLI subprocesses read ultra_eval.json through the same registry."""
    if not (shared_data / "ultrachat" / "ultra_eval.json").exists():
        pytest.skip(f"no ultrachat data in {shared_data}")
    os.environ["BENCH_DATA_MIRROR"] = str(shared_data)
    return shared_data
