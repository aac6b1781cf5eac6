"""Fixtures for the QASnowball builder tests: the shared data mirror and small real slices of it."""
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
    return root


@pytest.fixture(scope="session")
def cmrc_slice(shared_data):
    """150 CMRC trial questions as S0 and 24 CMRC dev contexts as documents (dev questions dropped)."""
    from builders.common.squad_io import load_qa_file
    from builders.qasnowball.inputs import docs_from_records

    seed = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_trial.json").records[:150]
    docs = docs_from_records(load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json").records)[:24]
    return seed, docs
