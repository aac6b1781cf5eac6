"""QA exporters write folders `datasets.load_dataset` reads with no script."""
from __future__ import annotations

import datasets
import pytest

from bench.export.registry import get_exporter


@pytest.fixture(autouse=True)
def _mirror(shared_data, monkeypatch):
    """The registry (and CLI subprocesses) read the shared data mirror, as CI does."""
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))


def test_xquad_and_cmrc_exports(shared_data, tmp_path):
    p = get_exporter("xquad")(tmp_path / "xquad")
    en = datasets.load_dataset(str(p), "en", split="test")
    zh = datasets.load_dataset(str(p), "zh", split="test")
    assert en.num_rows == zh.num_rows == 1190 and en[0]["id"] == zh[0]["id"]
    c = get_exporter("cmrc2018")(tmp_path / "cmrc")
    dev = datasets.load_dataset(str(c), split="dev")
    assert dev.num_rows == 3219
    row = dev[0]
    for t, s in zip(row["answers"]["text"], row["answers"]["answer_start"]):
        assert row["context"][s:s + len(t)] == t
