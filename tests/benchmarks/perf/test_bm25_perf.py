"""The perf script runs its four engines end to end on a small synthetic corpus and they agree (timings not asserted)."""
import pytest

from benchmarks.perf.bm25 import main, zipf_corpus


def test_zipf_corpus_is_seeded_and_zipfian():
    corpus, queries = zipf_corpus(500, 20)
    again, _ = zipf_corpus(500, 20)
    assert [d.text for d in corpus.values()] == [d.text for d in again.values()]
    words = " ".join(d.text for d in corpus.values()).split()
    assert words.count("w0") > words.count("w100") > 0
    assert len(queries) == 20


@pytest.mark.jvm                          # Lucene is one of the engines: run in a fresh process (tests/test_jvm_isolated.py)
def test_perf_script_small_run_has_identical_top10(capsys):
    rows = main(["--skip-vaswani", "--skip-effectiveness", "--docs", "3000", "--queries", "60", "--rank-sample", "10",
                 "--skip", "pisa"])
    row = rows[0]
    assert row["docs"] == 3000 and row["rank_queries"] == 10
    assert list(row["timings"]) == ["ours (bm25s backend)", "ours, 2 threads", "ours, exhaustive", "Lucene (Anserini)",
                                    "tantivy", "rank-bm25", "raw bm25s"]
    assert row["identical_vs_exhaustive"] == 60 and row["max_diff_vs_exhaustive"] < 1e-9   # MaxScore is exact
    assert row["timings"]["rank-bm25"].n_queries == 10 and row["timings"]["Lucene (Anserini)"].n_queries == 60
    assert row["top10_mismatch_vs_rank"] == 0 and row["top10_mismatch_vs_raw"] == 0
    assert row["max_diff_vs_rank"] < 1e-5
    # same terms and k1/b: the engines' BM25 forms differ (idf, 1-byte lengths) but the top-10s mostly agree
    assert row["overlap"]["Lucene (Anserini)"] > 0.8 and row["overlap"]["tantivy"] > 0.8, row["overlap"]
    out = capsys.readouterr().out
    assert "ours q/s / this" in out and "top-10 identical" in out and "Lucene (Anserini)" in out


def test_perf_script_pisa_column(capsys):
    """PISA (optional: pyterrier-pisa) at 1 and 2 threads beside ours, without the JVM engines."""
    pytest.importorskip("pyterrier_pisa")
    rows = main(["--skip-vaswani", "--skip-effectiveness", "--docs", "3000", "--queries", "60",
                 "--skip", "lucene", "bm25-rank"])
    row = rows[0]
    assert list(row["timings"]) == ["ours (bm25s backend)", "ours, 2 threads", "ours, exhaustive", "tantivy", "PISA",
                                    "PISA, 2 threads", "raw bm25s"]
    assert row["timings"]["PISA"].n_queries == 60 and row["top10_mismatch_vs_rank"] == -1
    assert row["overlap"]["PISA"] > 0.8, row["overlap"]     # PISA's BM25 keeps (k1 + 1) and its own idf
    assert "rank-bm25 skipped" in capsys.readouterr().out
