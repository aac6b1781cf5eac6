"""The perf script runs end to end on a small synthetic corpus and its backends agree (timings not asserted)."""
from benchmarks.perf.bm25 import main, zipf_corpus


def test_zipf_corpus_is_seeded_and_zipfian():
    corpus, queries = zipf_corpus(500, 20)
    again, _ = zipf_corpus(500, 20)
    assert [d.text for d in corpus.values()] == [d.text for d in again.values()]
    words = " ".join(d.text for d in corpus.values()).split()
    assert words.count("w0") > words.count("w100") > 0
    assert len(queries) == 20


def test_perf_script_small_run_has_identical_top10(capsys):
    rows = main(["--skip-vaswani", "--docs", "3000", "--queries", "60", "--rank-sample", "10"])
    row = rows[0]
    assert row["docs"] == 3000 and row["rank_queries"] == 10
    assert row["top10_mismatch_vs_rank"] == 0 and row["top10_mismatch_vs_raw"] == 0
    assert row["max_diff_vs_rank"] < 1e-5
    out = capsys.readouterr().out
    assert "ours / rank-bm25" in out and "top-10 identical" in out
