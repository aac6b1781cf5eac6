"""The on-disk bm25 index (`-p index_dir=DIR`, retrieval/bm25_disk.py) is the in-memory index, memory-mapped:
the same weight arrays bit for bit, hence the same run; built in several runs and merge ranges (small chunk sizes
here) exactly as in one; reused only when its key matches; never used half-built."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.data.loaders.trec_xml import load_cranfield
from benchmarks.perf.bm25 import zipf_corpus
from retrieval import bm25_disk
from retrieval.bm25s_backend import BM25sRetriever


@pytest.fixture(scope="module")
def cranfield(shared_data: Path):
    return load_cranfield(shared_data / "cranfield")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_run_as_in_memory_on_cranfield(cranfield, tmp_path: Path, dtype: str) -> None:
    memory = BM25sRetriever(dtype=dtype)
    memory.index(cranfield.corpus, show_progress=False)
    disk = BM25sRetriever(dtype=dtype, index_dir=str(tmp_path / "idx"))
    disk.index(cranfield.corpus, show_progress=False)
    expected = memory.search(cranfield.queries, k=100, show_progress=False)
    got = disk.search(cranfield.queries, k=100, show_progress=False)
    assert got == expected                          # same documents, same order, same scores (exactly)
    assert sum(map(len, got.values())) > 20_000
    reopened = BM25sRetriever.load(tmp_path / "idx")  # the folder is the saved form
    assert reopened.search(cranfield.queries, k=10, show_progress=False) == memory.search(
        cranfield.queries, k=10, show_progress=False)
    assert reopened.params()["index"].startswith("on disk")


def test_chunked_build_gives_the_in_memory_arrays(tmp_path: Path) -> None:
    corpus, _ = zipf_corpus(2_000, 1, seed=3)
    memory = BM25sRetriever(dtype="float32")
    memory.index(corpus, show_progress=False)
    key = bm25_disk.index_key({"test": 1}, memory.tokenizer, memory.k1, memory.b, "float32")
    # 7 runs of 300 documents, merge ranges of ~500 postings: the multi-run, multi-range paths
    bm25_disk.build(tmp_path / "idx", ((d, corpus[d].full_text) for d in corpus), key, tokenizer=memory.tokenizer,
                    k1=memory.k1, b=memory.b, dtype="float32", chunk_docs=300, merge_postings=500,
                    show_progress=False)
    index = bm25_disk.DiskIndex(tmp_path / "idx")
    sc = memory._model.scores
    for name in ("indptr", "indices", "data"):
        assert isinstance(getattr(index, name), np.memmap), name
        assert np.array_equal(getattr(index, name), sc[name]), name
    assert index.data.dtype == sc["data"].dtype == np.float32
    assert index.vocab == memory.vocab
    assert list(index.doc_ids) == list(corpus) and index.doc_ids[1234] == list(corpus)[1234]
    from retrieval.maxscore import term_max

    assert np.array_equal(index.term_max, term_max(sc["indptr"], sc["data"]))
    assert not (tmp_path / "idx" / "_runs").exists()


def test_reused_only_under_the_same_key(tmp_path: Path) -> None:
    corpus, queries = zipf_corpus(500, 20, seed=4)
    folder = tmp_path / "idx"
    first = BM25sRetriever(index_dir=str(folder))
    first.index(corpus, show_progress=False)
    meta = folder / bm25_disk.META
    stamp = meta.stat().st_mtime_ns
    BM25sRetriever(index_dir=str(folder)).index(corpus, show_progress=False)
    assert meta.stat().st_mtime_ns == stamp                        # same corpus, same settings: reused
    changed_k1 = BM25sRetriever(index_dir=str(folder), k1=0.9)
    changed_k1.index(corpus, show_progress=False)
    assert json.loads(meta.read_text())["key"]["k1"] == 0.9         # another k1: rebuilt
    memory = BM25sRetriever(k1=0.9)
    memory.index(corpus, show_progress=False)
    assert changed_k1.search(queries, k=10, show_progress=False) == memory.search(queries, k=10, show_progress=False)
    fewer = dict(list(corpus.items())[:400])
    BM25sRetriever(index_dir=str(folder), k1=0.9).index(fewer, show_progress=False)
    assert json.loads(meta.read_text())["n_docs"] == 400            # another corpus: rebuilt


def test_a_failed_build_leaves_no_folder(tmp_path: Path) -> None:
    corpus, _ = zipf_corpus(300, 1, seed=5)
    retriever = BM25sRetriever()
    key = bm25_disk.index_key({"test": 2}, retriever.tokenizer, 1.2, 0.75, "float32")

    def docs():
        for i, d in enumerate(corpus):
            if i == 250:
                raise RuntimeError("killed mid-build")
            yield d, corpus[d].full_text

    with pytest.raises(RuntimeError, match="killed mid-build"):
        bm25_disk.build(tmp_path / "idx", docs(), key, tokenizer=retriever.tokenizer, k1=1.2, b=0.75,
                        chunk_docs=100, show_progress=False)
    assert list(tmp_path.iterdir()) == []                           # neither the folder nor its temp sibling
    assert not bm25_disk.holds(tmp_path / "idx", key)


def test_rerank_on_disk_equals_in_memory(cranfield, tmp_path: Path) -> None:
    pools = {q: list(cranfield.corpus)[i * 7:i * 7 + 200] for i, q in enumerate(list(cranfield.queries)[:30])}
    memory, disk = BM25sRetriever(), BM25sRetriever(index_dir=str(tmp_path / "idx"))
    expected = memory.rerank(cranfield.corpus, cranfield.queries, pools, k=20, show_progress=False)
    got = disk.rerank(cranfield.corpus, cranfield.queries, pools, k=20, show_progress=False)
    assert [list(got[q]) for q in pools] == [list(expected[q]) for q in pools]
    for q in pools:
        assert got[q] == pytest.approx(expected[q], rel=1e-12, abs=0)


def test_on_disk_refuses_what_it_does_not_implement(tmp_path: Path) -> None:
    from retrieval.base import RetrieverError

    corpus, _ = zipf_corpus(50, 1, seed=6)
    for params in ({"pruning": "none"}, {"preset": "anserini"}):
        with pytest.raises(RetrieverError, match="index_dir="):
            BM25sRetriever(index_dir=str(tmp_path / "idx"), **params).index(corpus, show_progress=False)
    assert not (tmp_path / "idx").exists()
