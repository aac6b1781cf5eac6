from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders.llm.llama_server import ensure_server, llama_server_available

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def llama_server():
    ok, why = llama_server_available()
    if not ok:
        pytest.skip(why)
    return ensure_server()


@pytest.fixture(scope="session")
def uc_data() -> Path:
    """shared/data (BENCH_DATA_MIRROR, else <repo>/../shared/data); ultra_eval.json must be there."""
    root = Path(os.environ.get("BENCH_DATA_MIRROR", REPO.parent / "shared" / "data"))
    if not (root / "ultrachat" / "ultra_eval.json").exists():
        pytest.skip(f"no shared data at {root}")
    os.environ["BENCH_DATA_MIRROR"] = str(root)
    return root
