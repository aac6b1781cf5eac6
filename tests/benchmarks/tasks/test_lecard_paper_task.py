import pytest

from benchmarks.tasks.base import RunOptions
from benchmarks.tasks.registry import get_task


def test_lecard_committed_runs_with_the_muser_protocol(shared_data, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    task = get_task("lecard-paper")
    pred = shared_data / "lecard/data/prediction"
    lm = task.evaluate(RunOptions(run_file=pred / "lm_top100.json", show_progress=False))
    stored = task.evaluate(RunOptions(run_file=pred / "bm25_top100.json", show_progress=False))
    fixed = task.evaluate(RunOptions(run_file=pred / "bm25_top100.json", params={"reverse": True},
                                     show_progress=False))
    for r in (lm, stored, fixed):
        assert set(r.metrics) == {"paper", "standard"} and r.extra["n_queries"] == 20
    assert fixed.metrics["paper"]["NDCG@30"] > stored.metrics["paper"]["NDCG@30"] + 0.3   # worst-first trap
    assert fixed.conventions["paper.relevant"].startswith("judged and label == 3")
    # judged = label file: for queries with exactly 30 labels, the paper NDCG equals trec_eval's
    assert fixed.metrics["paper"]["NDCG@10"] == pytest.approx(fixed.metrics["standard"]["nDCG@10"], abs=0.02)
