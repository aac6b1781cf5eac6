from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders.llm.llama_server import ensure_server, llama_server_available

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def llama_server():
    ok, why = llama_server_available()
    if not ok:
        pytest.skip(why)
    return ensure_server()


@pytest.fixture(scope="session")
def uc_data(shared_data: Path) -> Path:
    """shared/data (tests/conftest.py's mirror); exported as BENCH_DATA_MIRROR so the builder's
    decontamination and the CLI subprocesses read ultra_eval.json through the same registry."""
    if not (shared_data / "ultrachat" / "ultra_eval.json").exists():
        pytest.skip(f"no ultrachat data in {shared_data}")
    os.environ["BENCH_DATA_MIRROR"] = str(shared_data)
    return shared_data
