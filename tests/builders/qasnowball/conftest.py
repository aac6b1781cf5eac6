"""Small real slices of the shared data for the QASnowball builder tests (shared_data: tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def cmrc_slice(shared_data):
    """150 CMRC trial questions as S0 and 24 CMRC dev contexts as documents (dev questions dropped)."""
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.inputs import docs_from_records

    seed = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_trial.json").records[:150]
    docs = docs_from_records(load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json").records)[:24]
    return seed, docs
