"""WebCPM test fixtures on the real data (tests/conftest.py finds the mirror: `shared_data`)."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def test_output(shared_data: Path) -> Path:
    """The released action-prediction output (159 prompts from real human traces)."""
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
