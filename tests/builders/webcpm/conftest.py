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


@pytest.fixture(scope="session")
def dureader(shared_data: Path):
    from builders.webcpm.web import dureader_pages

    return dureader_pages(shared_data / "dureader_demo" / "devset" / "search.dev.json")


@pytest.fixture(scope="session")
def web(dureader):
    """The DuReader demo documents behind the project's real BM25 (bm25s, jieba tokens)."""
    from builders.webcpm.web import LocalWeb
    from retrieval.registry import create

    pages, _ = dureader
    return LocalWeb(pages, create("bm25", lang="zh"))


@pytest.fixture(scope="session")
def oracle_traces(web, dureader, tmp_path_factory) -> Path:
    """Oracle-policy traces for all 100 DuReader demo questions (built once per session)."""
    from builders.webcpm.build import build_traces
    from builders.webcpm.policies.oracle import OraclePolicy

    out = tmp_path_factory.mktemp("webcpm") / "traces.jsonl"
    build_traces(dureader[1], web, OraclePolicy(), out, resume=False, show_progress=False)
    return out
