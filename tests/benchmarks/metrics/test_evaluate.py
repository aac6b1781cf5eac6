"""evaluate() must equal pytrec_eval to 1e-9, including missing queries and tied scores."""
import math

import pytest

from core import DataError
from benchmarks.metrics import evaluate, parse_measure

QRELS = {
    "q1": {"a": 2, "b": 0, "c": 1, "e": 3},
    "q2": {"x": 1, "y": 1},
    "q3": {"z": 1},                    # missing from the run: must score 0 and count in the mean
    "q4": {"m": 0},                    # judged but nothing relevant
}
RUN = {
    "q1": {"a": 1.0, "b": 1.0, "c": 0.5, "d": 0.5, "e": 0.1},   # ties at 1.0 and 0.5
    "q2": {"w": 3.0, "x": 2.0, "y": 2.0, "v": 2.0},               # three-way tie
    "q4": {"m": 1.0},
    "q9": {"a": 1.0},                                             # no qrels: ignored
}
MEASURES = ["nDCG@10", "nDCG@3", "nDCG", "MAP", "MAP@2", "P@1", "P@3", "P@10", "Recall@2", "Recall@100",
            "MRR", "R-Prec"]
TREC = {"nDCG@10": "ndcg_cut_10", "nDCG@3": "ndcg_cut_3", "nDCG": "ndcg", "MAP": "map", "MAP@2": "map_cut_2",
        "P@1": "P_1", "P@3": "P_3", "P@10": "P_10", "Recall@2": "recall_2", "Recall@100": "recall_100",
        "MRR": "recip_rank", "R-Prec": "Rprec"}


def test_equals_pytrec_eval_per_query_and_mean_with_missing_query_and_ties():
    import pytrec_eval

    ev = evaluate(QRELS, RUN, MEASURES)
    raw = pytrec_eval.RelevanceEvaluator(QRELS, {"ndcg_cut.3,10", "ndcg", "map", "map_cut.2", "P.1,3,10",
                                                 "recall.2,100", "recip_rank", "Rprec"}).evaluate(RUN)
    assert set(ev.per_query) == set(QRELS)
    for name, trec in TREC.items():
        for qid in QRELS:
            expected = raw[qid][trec] if qid in raw else 0.0
            assert math.isclose(ev.per_query[qid][name], expected, abs_tol=1e-9), (name, qid)
        mean = sum(raw[q][trec] if q in raw else 0.0 for q in QRELS) / len(QRELS)
        assert math.isclose(ev.aggregate[name], mean, abs_tol=1e-9), name
    assert ev.per_query["q3"]["MAP"] == 0.0


def test_ties_follow_trec_eval_order_not_dict_order():
    # b (grade 0) and a (grade 2) tie at 1.0: trec_eval ranks doc id desc, so b first -> P@1 = 0 for q1
    ev = evaluate({"q": {"a": 1, "b": 0}}, {"q": {"a": 1.0, "b": 1.0}}, ["P@1", "MRR"])
    assert ev.aggregate == {"P@1": 0.0, "MRR": 0.5}
    ev = evaluate({"q": {"a": 0, "b": 1}}, {"q": {"a": 1.0, "b": 1.0}}, ["P@1"])
    assert ev.aggregate["P@1"] == 1.0


def test_hand_computed_graded_ndcg():
    # ranking d1(2) d2(0) d3(1); ideal 2,1: dcg = 2 + 1/log2(4) = 2.5; idcg = 2 + 1/log2(3)
    ev = evaluate({"q": {"d1": 2, "d2": 0, "d3": 1}}, {"q": {"d1": 3.0, "d2": 2.0, "d3": 1.0}}, ["nDCG@10"])
    assert ev.aggregate["nDCG@10"] == pytest.approx(2.5 / (2 + 1 / math.log2(3)), abs=1e-12)


def test_mrr_at_k_truncates_in_trec_order():
    ev = evaluate({"q": {"c": 1}}, {"q": {"a": 3.0, "b": 2.0, "c": 1.0}}, ["MRR@2", "MRR@3"])
    assert ev.aggregate == {"MRR@2": 0.0, "MRR@3": pytest.approx(1 / 3)}


def test_cross_check_with_ir_measures():
    import ir_measures
    from ir_measures import AP, RR, P, R, nDCG

    pairs = [("nDCG@10", nDCG @ 10), ("MAP", AP), ("P@3", P @ 3), ("Recall@100", R @ 100), ("MRR", RR)]
    ev = evaluate(QRELS, RUN, [ours for ours, _ in pairs])
    ref = ir_measures.calc_aggregate([theirs for _, theirs in pairs], QRELS, RUN)
    # ir_measures also scores the missing query q3 as 0 and averages over all qrels queries
    for ours, theirs in pairs:
        assert ev.aggregate[ours] == pytest.approx(ref[theirs], abs=1e-9), ours
    for row in ir_measures.iter_calc([theirs for _, theirs in pairs], QRELS, RUN):
        ours = next(o for o, t in pairs if t == row.measure)
        assert ev.per_query[row.query_id][ours] == pytest.approx(row.value, abs=1e-9), (ours, row.query_id)


def test_conventions_are_stated():
    ev = evaluate(QRELS, RUN, ["nDCG@10"])
    assert "score 0" in ev.conventions["missing_queries"]
    assert "doc id desc" in ev.conventions["ties"]
    assert "gain = relevance grade" in ev.conventions["measure nDCG@10"]


@pytest.mark.parametrize("bad", ["nDCG@0", "P", "Foo@3", "R-Prec@5", ""])
def test_bad_measure_names(bad):
    with pytest.raises(DataError):
        parse_measure(bad)


def test_measure_parsing_aliases():
    assert parse_measure("ndcg@10").name == "nDCG@10"
    assert parse_measure("AP").name == "MAP"
    assert parse_measure("recip_rank").trec_name == "recip_rank"


def test_relevance_threshold_cuts_binary_measures_only():
    """trec_eval -l 3 for P/MAP/MRR; nDCG keeps the grade as gain; worked out by hand."""
    qrels = {"q": {"a": 3, "b": 2, "c": 1}}
    run = {"q": {"b": 3.0, "a": 2.0, "c": 1.0}}
    plain = evaluate(qrels, run, ["P@2", "MRR", "nDCG@3"])
    cut = evaluate(qrels, run, ["P@2", "MRR", "nDCG@3"], relevance=3)
    assert plain.aggregate["P@2"] == 1.0 and cut.aggregate["P@2"] == 0.5       # only "a" (grade 3) counts
    assert plain.aggregate["MRR"] == 1.0 and cut.aggregate["MRR"] == 0.5
    assert cut.aggregate["nDCG@3"] == plain.aggregate["nDCG@3"]
    assert "grade >= 3" in cut.conventions["relevance"] and "grade >= 1" in plain.conventions["relevance"]
