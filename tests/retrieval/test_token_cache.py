"""The tokenised-corpus cache (retrieval.token_cache) on real LeCaRD candidates with real jieba.

A hit must give the very same run as a fresh tokenisation and must not call the tokenizer on the corpus;
a change of corpus text or of tokenizer settings must miss (a new entry), never reuse stale tokens.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.data.loaders.lecard import load_lecard
from retrieval.base import RetrieverError
from retrieval.bm25s_backend import BM25sRetriever
from retrieval.token_cache import cache_dir_for, default_cache_dir
from retrieval.tokenize import get_tokenizer
from retrieval.types import Document


@pytest.fixture(scope="module")
def lecard_small(shared_data: Path):
    coll = load_lecard(shared_data / "lecard")
    qids = sorted(coll.pools)[:3]
    doc_ids = sorted({d for q in qids for d in coll.pools[q] if d in coll.corpus})[:80]
    # the first 400 characters of each case: real jieba on real text, a second per run rather than a minute
    return ({d: Document(d, coll.corpus[d].text[:400]) for d in doc_ids},
            {q: coll.queries[q][:200] for q in qids})


class CountingTokenizer:
    """Wraps the real jieba tokenizer's batch() to count the documents it is asked to tokenise."""

    def __init__(self, retriever: BM25sRetriever):
        self.calls = 0
        real = retriever.tokenizer.batch

        def batch(texts):
            texts = list(texts)
            self.calls += len(texts)
            return real(texts)

        retriever.tokenizer.batch = batch  # type: ignore[method-assign]


def _run(corpus, queries, cache: Path | str, **kw):
    r = BM25sRetriever(lang="zh", token_cache=str(cache), **kw)
    counter = CountingTokenizer(r)
    r.index(corpus, show_progress=False)
    tokenised_docs = counter.calls
    return r.search(queries, k=50, show_progress=False), tokenised_docs


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if (p / "meta.json").is_file())


def test_hit_gives_identical_run_without_tokenising(lecard_small, tmp_path):
    corpus, queries = lecard_small
    fresh, n_fresh = _run(corpus, queries, "off")
    first, n_first = _run(corpus, queries, tmp_path)
    second, n_second = _run(corpus, queries, tmp_path)
    assert n_fresh == n_first == len(corpus) and n_second == 0  # the hit tokenised no document
    assert first == fresh and second == fresh                     # identical scores and order
    assert [list(r) for r in second.values()] == [list(r) for r in fresh.values()]
    (entry,) = _entries(tmp_path)
    meta = json.loads((entry / "meta.json").read_text())
    assert meta["n_docs"] == len(corpus) and meta["key"]["tokenizer"]["name"] == "zh"
    assert np.load(entry / "tokens.npy", allow_pickle=False).dtype == np.int32


def test_changed_text_or_settings_miss(lecard_small, tmp_path):
    corpus, queries = lecard_small
    _run(corpus, queries, tmp_path)
    first = next(iter(corpus))
    edited = dict(corpus)
    edited[first] = Document(first, corpus[first].text + " 醉酒驾驶机动车")
    run_edit, n_edit = _run(edited, queries, tmp_path)
    assert n_edit == len(corpus) and len(_entries(tmp_path)) == 2
    assert run_edit == _run(edited, queries, "off")[0]
    _, n_stop = _run(corpus, queries, tmp_path, stopwords=False)  # other tokenizer settings: another entry
    assert n_stop == len(corpus) and len(_entries(tmp_path)) == 3
    _, n_again = _run(corpus, queries, tmp_path)
    assert n_again == 0 and len(_entries(tmp_path)) == 3


def test_corrupt_entry_is_a_one_line_error(lecard_small, tmp_path):
    corpus, queries = lecard_small
    _run(corpus, queries, tmp_path)
    (entry,) = _entries(tmp_path)
    np.save(entry / "offsets.npy", np.array([0, 1], dtype=np.int64), allow_pickle=False)
    with pytest.raises(RetrieverError, match="inconsistent token cache entry"):
        _run(corpus, queries, tmp_path)


def test_where_the_cache_lives(monkeypatch, tmp_path):
    zh, en = get_tokenizer("zh"), get_tokenizer("en")
    monkeypatch.delenv("BENCH_TOKEN_CACHE", raising=False)
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "_tokens"
    assert cache_dir_for(None, zh) == tmp_path / "root" / "_tokens"   # auto: on for jieba
    assert cache_dir_for(None, en) is None                             # auto: off for the regex analyzer
    assert cache_dir_for("on", en) == tmp_path / "root" / "_tokens"
    assert cache_dir_for("off", zh) is None
    assert cache_dir_for(str(tmp_path / "x"), en) == tmp_path / "x"
    monkeypatch.setenv("BENCH_TOKEN_CACHE", str(tmp_path / "env"))
    assert cache_dir_for(None, zh) == tmp_path / "env"
    monkeypatch.setenv("BENCH_TOKEN_CACHE", "off")
    assert cache_dir_for(None, zh) is None and cache_dir_for(str(tmp_path / "x"), zh) == tmp_path / "x"
    assert cache_dir_for("on", zh) == tmp_path / "root" / "_tokens"
