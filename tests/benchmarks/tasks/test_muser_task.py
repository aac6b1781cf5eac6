import json
import math

import pytest

from benchmarks.tasks.base import RunOptions, TaskError
from benchmarks.tasks.registry import get_task

RUNS = ["bm25", "tfidf", "lmir", "labels", "lfm"]


@pytest.mark.parametrize("split,n", [("test", 20), ("all", 100)])
def test_every_committed_run_gets_both_metric_sets(muser_dir, split, n):
    task = get_task("muser")
    for name in RUNS:
        r = task.evaluate(RunOptions(run_file=muser_dir / f"predictions/{name}_top100.json", data_dir=muser_dir,
                                     split=split))
        assert set(r.metrics) == {"paper", "paper-head", "standard"}
        assert set(r.metrics["standard"]) == {"nDCG@10", "nDCG@20", "nDCG@30", "P@10", "MAP"}
        assert all(0 <= v <= 1 for s in r.metrics.values() for v in s.values())
        assert len(r.per_query["standard"]) == n and r.extra["queries"] == n
        assert len(r.extra["missing_queries"]) == (80 if (name, split) == ("lfm", "all") else 0)
        if (name, split) == ("bm25", "all"):
            assert round(100 * r.metrics["paper"]["MAP"], 2) == 79.24
            assert r.main_score == {"metric": "NDCG@30", "set": "paper", "value": r.metrics["paper"]["NDCG@30"]}


def test_standard_ndcg_by_hand_for_one_query(muser_dir):
    """trec_eval nDCG@10 for one query, recomputed from sim_scores with linear gain."""
    r = get_task("muser").evaluate(RunOptions(run_file=muser_dir / "predictions/bm25_top100.json", data_dir=muser_dir))
    scores = json.loads((muser_dir / "labels/sim_scores.json").read_text())
    run = json.loads((muser_dir / "predictions/bm25_top100.json").read_text())
    q = "1496"
    dcg = sum(scores[q].get(d, 0) / math.log2(i + 2) for i, d in enumerate(run[q][:10]))
    ideal = sorted(scores[q].values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    assert r.per_query["standard"][q]["nDCG@10"] == pytest.approx(dcg / idcg, abs=1e-4)
    rel = [d for d in run[q][:10] if scores[q].get(d, 0) >= 5]
    assert r.per_query["standard"][q]["P@10"] == pytest.approx(len(rel) / 10)


def test_trec_run_file_scores_like_json(muser_dir, tmp_path):
    run = json.loads((muser_dir / "predictions/tfidf_top100.json").read_text())
    trec = tmp_path / "tfidf.trec"
    trec.write_text("".join(f"{q} Q0 {d} {i + 1} {100 - i} x\n" for q, ids in run.items() for i, d in enumerate(ids)))
    task = get_task("muser")
    a = task.evaluate(RunOptions(run_file=muser_dir / "predictions/tfidf_top100.json", data_dir=muser_dir))
    b = task.evaluate(RunOptions(run_file=trec, data_dir=muser_dir))
    assert a.metrics == b.metrics


def test_bad_run_line_is_reported(muser_dir, tmp_path):
    bad = tmp_path / "bad.trec"
    bad.write_text("1496 Q0 12 1 1.0 x\n1496 Q0 13 2\n")
    with pytest.raises(TaskError, match=r"bad.trec:2: run line needs 6 columns"):
        get_task("muser").evaluate(RunOptions(run_file=bad, data_dir=muser_dir))


def test_rerank_pools_with_bm25_on_built_dataset(built_dataset, tmp_path):
    task = get_task("muser")
    r = task.evaluate(RunOptions(retriever="bm25", data_dir=built_dataset, split="all", output=tmp_path,
                                 show_progress=False))
    assert r.model.name == "bm25" and r.run_file and r.extra["queries"] == 5
    lines = open(r.run_file).read().splitlines()
    assert lines and all(line.split()[0] in {"101", "104", "107", "110", "112"} for line in lines)
    again = task.evaluate(RunOptions(run_file=r.run_file, data_dir=built_dataset, split="all"))
    assert again.metrics == r.metrics
    # the same-kind cases share wording and labels: BM25 must rank judged 8s high
    assert r.metrics["paper"]["NDCG@10"] > 0.5


def test_retriever_without_texts_is_a_clear_error(muser_dir):
    with pytest.raises(TaskError, match="needs the case texts"):
        get_task("muser").evaluate(RunOptions(retriever="bm25", data_dir=muser_dir))


def test_mode_picks_the_main_score(muser_dir):
    task = get_task("muser")
    run = muser_dir / "predictions/labels_top100.json"
    std = task.evaluate(RunOptions(run_file=run, data_dir=muser_dir, mode="standard"))
    assert std.main_score["set"] == "standard" and std.main_score["metric"] == "nDCG@10"
    head = task.evaluate(RunOptions(run_file=run, data_dir=muser_dir, mode="paper-head"))
    assert head.main_score["value"] == head.metrics["paper-head"]["NDCG@30"]
    with pytest.raises(TaskError, match="unknown --mode"):
        task.evaluate(RunOptions(run_file=run, data_dir=muser_dir, mode="strict"))


def test_standard_set_agrees_with_ir_measures(muser_dir):
    """A second implementation (ir_measures) gives the same standard values on all 100 queries."""
    ir_measures = pytest.importorskip("ir_measures")
    from benchmarks.tasks.muser import ranked_to_run

    r = get_task("muser").evaluate(RunOptions(run_file=muser_dir / "predictions/lmir_top100.json", data_dir=muser_dir,
                                              split="all"))
    scores = json.loads((muser_dir / "labels/sim_scores.json").read_text())
    run = ranked_to_run(json.loads((muser_dir / "predictions/lmir_top100.json").read_text()))
    graded = ir_measures.calc_aggregate([ir_measures.nDCG @ 10, ir_measures.nDCG @ 30], scores, run)
    binary = ir_measures.calc_aggregate([ir_measures.P(rel=5) @ 10, ir_measures.AP(rel=5)], scores, run)
    assert r.metrics["standard"]["nDCG@10"] == pytest.approx(graded[ir_measures.nDCG @ 10], abs=1e-4)
    assert r.metrics["standard"]["nDCG@30"] == pytest.approx(graded[ir_measures.nDCG @ 30], abs=1e-4)
    assert r.metrics["standard"]["P@10"] == pytest.approx(binary[ir_measures.P(rel=5) @ 10], abs=1e-4)
    assert r.metrics["standard"]["MAP"] == pytest.approx(binary[ir_measures.AP(rel=5)], abs=1e-4)
