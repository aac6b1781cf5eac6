"""Fusion: values equal ranx's fuse on a fixture; parameter routing; a real bm25+dense fusion end to end."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from retrieval.base import RetrieverError
from retrieval.fusion import FusionRetriever, fuse, normalize
from retrieval.registry import create, load, route_params
from retrieval.types import Document

# no ties inside a query (ranx breaks ties by its own internal order)
RUN_A = {"q1": {"d1": 12.0, "d2": 9.5, "d3": 7.25, "d4": 1.0}, "q2": {"d2": 3.0, "d5": 2.0, "d6": 0.5},
         "q3": {"d9": 1.0}}
RUN_B = {"q1": {"d3": 0.91, "d1": 0.80, "d5": 0.42}, "q2": {"d6": 0.7, "d2": 0.65, "d7": 0.1, "d5": -0.2},
         "q3": {"d8": 0.3, "d9": 0.2}}


def _ranx(runs: list[dict], **kw) -> dict:
    from ranx import Run, fuse as ranx_fuse

    return ranx_fuse(runs=[Run(r) for r in runs], **kw).to_dict()


def _assert_close(ours: dict, theirs: dict) -> None:
    for qid, docs in theirs.items():
        assert set(ours[qid]) == set(docs), qid
        for d, s in docs.items():
            assert math.isclose(ours[qid][d], s, rel_tol=1e-9, abs_tol=1e-12), (qid, d, ours[qid][d], s)


# ranx is only the oracle here: its numba JIT costs ~14 s on a fresh venv (2-20 s cached, contended), once per
# process, so its tests share one xdist worker (tests/xdist_groups.py) rather than compile on each
def pytestmark_ranx(test):
    return pytest.mark.slow(pytest.mark.xdist_group("ranx")(test))


@pytestmark_ranx
def test_rrf_equals_ranx() -> None:
    ours = fuse([RUN_A, RUN_B], "rrf", rrf_k=60)
    _assert_close(ours, _ranx([RUN_A, RUN_B], norm=None, method="rrf", params={"k": 60}))
    assert ours["q1"]["d1"] == pytest.approx(1 / 61 + 1 / 62)


@pytestmark_ranx
@pytest.mark.parametrize("norm,ranx_norm", [("min-max", "min-max"), ("zscore", "zmuv")])
def test_weighted_sum_equals_ranx(norm: str, ranx_norm: str) -> None:
    ours = fuse([RUN_A, RUN_B], "wsum", weights=[0.3, 0.7], norm=norm)
    _assert_close(ours, _ranx([RUN_A, RUN_B], norm=ranx_norm, method="wsum", params={"weights": [0.3, 0.7]}))


def test_normalize_edge_cases_and_truncation() -> None:
    assert normalize({"q": {"a": 2.0, "b": 2.0}}, "min-max") == {"q": {"a": 0.0, "b": 0.0}}  # zero spread
    assert normalize({"q": {}}, "zscore") == {"q": {}}
    top = fuse([RUN_A, RUN_B], "rrf", k=2)
    assert all(len(v) <= 2 for v in top.values()) and set(top) == {"q1", "q2", "q3"}
    with pytest.raises(RetrieverError, match="weights"):
        fuse([RUN_A, RUN_B], "wsum", weights=[1.0])
    with pytest.raises(RetrieverError, match="unknown method"):
        fuse([RUN_A], "borda")


def test_params_are_routed_to_the_parts_that_take_them() -> None:
    per_part, fusion = route_params(["bm25", "dense"], {"k1": 0.9, "lang": "en", "dense.batch_size": 8,
                                                        "fusion": "wsum", "weights": "0.4,0.6"})
    assert per_part[0] == {"k1": 0.9, "lang": "en"}
    assert per_part[1] == {"lang": "en", "batch_size": 8}
    assert fusion == {"fusion": "wsum", "weights": "0.4,0.6"}
    with pytest.raises(RetrieverError, match="no part"):
        route_params(["bm25", "dense"], {"bogus": 1})
    with pytest.raises(RetrieverError, match="names no part"):
        route_params(["bm25", "dense"], {"tantivy.k1": 1})


def test_bm25_plus_dense_end_to_end(tiny_model: Path, tiny_texts: list[str], tmp_path: Path) -> None:
    corpus = {f"d{i}": Document(f"d{i}", t) for i, t in enumerate(tiny_texts)}
    queries = {"a": "cat on the mat", "b": "stock markets"}
    fr = create("bm25+dense", lang="en", model=str(tiny_model), cache_dir=str(tmp_path / "c"),
                fusion="wsum", weights="0.5,0.5")
    assert isinstance(fr, FusionRetriever)
    fr.index(corpus, show_progress=False)
    run = fr.search(queries, k=5, show_progress=False)
    bm25 = fr.parts[0].search(queries, 100, show_progress=False)
    dense = fr.parts[1].search(queries, 100, show_progress=False)
    assert run == fuse([bm25, dense], "wsum", weights=[0.5, 0.5], k=5)
    assert fr.params()["parts"][1]["name"] == "dense"
    fr.save(tmp_path / "saved")
    again = load("bm25+dense", tmp_path / "saved")
    assert again.search(queries, k=5, show_progress=False) == run
    pools = {"a": ["d0", "d1", "d3"], "b": ["d2", "d3"]}
    rr = fr.rerank(corpus, queries, pools, k=2, show_progress=False)
    assert set(rr["a"]) <= set(pools["a"]) and set(rr["b"]) <= set(pools["b"])
