import json

import pytest

from benchmarks.metrics.muser_paper import (LECARD_PAPER, MUSER_PAPER, MUSER_PAPER_HEAD, evaluate_lecard_paper,
                                            evaluate_paper, lecard_test_queries, load_judged, score_query)

# MUSER paper (CIKM 2023) Table 6, Overall, BM25 (x100): the calibration row.
PAPER_BM25_OVERALL = {"P@5": 63.60, "P@10": 48.60, "MAP": 79.24, "NDCG@10": 23.68, "NDCG@20": 21.98, "NDCG@30": 20.53}


def test_reproduces_paper_bm25_row(muser_dir):
    judged = load_judged(muser_dir / "labels/top30_dict.json")
    split = json.loads((muser_dir / "cases/train_test.json").read_text())
    run = json.loads((muser_dir / "predictions/bm25_top100.json").read_text())
    ev = evaluate_paper(judged, run, split["train"] + split["test"], MUSER_PAPER)
    assert {k: round(100 * v, 2) for k, v in ev.aggregate.items()} == PAPER_BM25_OVERALL
    head = evaluate_paper(judged, run, split["train"] + split["test"], MUSER_PAPER_HEAD)
    # HEAD's plain P@k is much lower; MAP and NDCG are the same code
    assert head.aggregate["P@5"] < ev.aggregate["P@5"] - 0.3
    assert head.aggregate["MAP"] == ev.aggregate["MAP"] and head.aggregate["NDCG@30"] == ev.aggregate["NDCG@30"]


def test_hand_computed_query():
    judged = [("a", 8), ("b", 5), ("c", 3), ("d", 6)]   # judged_depth 3: d is outside the judged top
    proto = MUSER_PAPER.__class__(judged_depth=3, ndcg_cutoffs=(2,), p_cutoffs=(2,))
    ranking = ["x", "c", "x", "a", "b", "d"]            # duplicate x counts once
    got = score_query(ranking, judged, proto)
    # filtered (judged only) = c, a, b ; relevant (>= 5) = a, b
    assert got["P@2"] == pytest.approx(0.5)             # c, a -> 1 of 2
    assert got["MAP"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    # gains over ranking x, c, a, b, d = 0, 3, 8, 5, 0 ; ideal from all judged scores 8, 6
    import math
    assert got["NDCG@2"] == pytest.approx((0 + 3 / math.log2(3)) / (8 + 6 / math.log2(3)))
    head = score_query(ranking, judged, MUSER_PAPER_HEAD.__class__(judged_depth=3, p_cutoffs=(2,), ndcg_cutoffs=(2,),
                                                                    head_precision=True))
    assert head["P@2"] == 0.0                           # x, c: none relevant


def test_missing_query_scores_zero():
    judged = {"q1": [("a", 8)], "q2": [("b", 7)]}
    ev = evaluate_paper(judged, {"q1": ["a"]}, ["q1", "q2"])
    assert ev.missing == ["q2"]
    assert ev.aggregate["NDCG@10"] == pytest.approx(0.5) and ev.per_query["q2"]["MAP"] == 0.0


def test_same_code_scores_lecard(shared_data):
    labels = shared_data / "lecard/data/label/label_top30_dict.json"
    judged = load_judged(labels)
    test_q = lecard_test_queries(judged)
    bert_keys = list(json.loads((shared_data / "lecard/data/prediction/bert.json").read_text().splitlines()[0]))
    assert test_q == bert_keys                           # the official 20-query test subset
    bm25 = json.loads((shared_data / "lecard/data/prediction/bm25_top100.json").read_text())
    stored = evaluate_lecard_paper(labels, {q: [str(d) for d in v] for q, v in bm25.items()})
    fixed = evaluate_lecard_paper(labels, {q: [str(d) for d in v[::-1]] for q, v in bm25.items()})
    assert fixed.aggregate["NDCG@30"] > stored.aggregate["NDCG@30"] + 0.3   # stored worst-first (README trap)
    assert fixed.conventions["relevant"].startswith("judged and label == 3")
    assert LECARD_PAPER.rel_threshold == 3
