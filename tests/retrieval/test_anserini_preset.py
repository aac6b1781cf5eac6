"""`bm25 -p preset=anserini`: Anserini's analyzer and Lucene's BM25 in Python.

The parity test runs Anserini itself (`-r lucene`, a real JVM, hence the jvm marker: a fresh process) on
Cranfield; the others need no JVM: the analyzer's rules, Lucene's one-byte lengths, persistence."""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.base import RetrieverError
from retrieval.bm25s_backend import BM25sRetriever
from retrieval.lucene_analysis import AnseriniEnglishTokenizer, lucene_norm_length
from retrieval.registry import create
from retrieval.types import Document


def test_analyzer_follows_lucene_standard_tokenizer_rules():
    tok = AnseriniEnglishTokenizer()
    # possessive dropped before stopwords and stemming; U.S.A. and 3.14 / 1,000 stay one token; single letters kept;
    # hyphens split; the 33 Lucene stopwords go; Porter (Lucene's: "generalization" -> "gener")
    assert tok("The wing's U.S.A. flows at 3.14 and 1,000 x-rays of generalization") == [
        "wing", "u.s.a", "flow", "3.14", "1,000", "x", "rai", "gener"]
    assert AnseriniEnglishTokenizer(stem=False, stopwords=False)("The Students' books") == ["the", "students", "books"]


def test_lucene_one_byte_lengths():
    # SmallFloat.byte4ToInt(intToByte4(n)), values read from Lucene 9.9.1 (the JVM dump of 0..4999 matched)
    assert [lucene_norm_length(n) for n in (0, 1, 23, 24, 25, 39, 40, 41, 100, 1000, 4999)] == [
        0, 1, 23, 24, 25, 39, 40, 40, 96, 984, 4632]


def test_preset_settings_and_round_trip(tmp_path: Path):
    docs = {"d1": Document("d1", "The wing's boundary layer"), "d2": Document("d2", "boundary conditions of flows"),
            "d3": Document("d3", "nothing here")}
    r = create("bm25", preset="anserini")
    assert (r.k1, r.b) == (0.9, 0.4) and r.params()["preset"] == "anserini"
    r.index(docs, show_progress=False)
    run = r.search({"q": "wings flowing boundary"}, k=10, show_progress=False)
    assert set(run["q"]) == {"d1", "d2"}          # d3 matches no term: not returned
    r.save(tmp_path / "idx")
    again = BM25sRetriever.load(tmp_path / "idx")
    assert again.preset == "anserini" and again.search({"q": "wings flowing boundary"}, k=10,
                                                       show_progress=False) == run
    assert create("bm25", preset="anserini", k1=1.2).k1 == 1.2
    with pytest.raises(RetrieverError, match="unknown preset"):
        create("bm25", preset="pyserini")
    with pytest.raises(RetrieverError, match="English analyzer"):
        create("bm25", preset="anserini", lang="zh")


@pytest.mark.jvm
def test_parity_with_anserini_on_cranfield(shared_data: Path, tmp_path: Path):
    """Issue 25: nDCG@10 and MAP within 0.002 of `-r lucene` (Anserini's own BM25 baseline)."""
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions

    def scores(retriever: str, **params: object):
        result, _ = run_task("cranfield", RunOptions(retriever=retriever, params=dict(params), output=tmp_path,
                                                     show_progress=False))
        return result.metrics["standard"]

    ours, lucene = scores("bm25", preset="anserini"), scores("lucene")
    for metric in ("nDCG@10", "MAP"):
        assert abs(ours[metric] - lucene[metric]) <= 0.002, (metric, ours, lucene)
    assert lucene["nDCG@10"] > 0.36
