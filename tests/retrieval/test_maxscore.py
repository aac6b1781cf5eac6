"""MaxScore pruning (the bm25 default) returns exactly the exhaustive top k: same documents in the same order,
scores equal to 1e-9, ties at the k-th score included, against our exhaustive sparse product and rank-bm25.

The corpora are small seeded Zipf corpora with short documents over a small vocabulary, so many documents tie
(same length, same terms): the case where a pruned search most easily drops or adds a document."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.perf.bm25 import zipf_corpus
from retrieval.bm25s_backend import BM25sRetriever
from retrieval.registry import create
from retrieval.types import Document


def _tied_corpus(n_docs: int, seed: int) -> tuple[dict[str, Document], dict[str, str]]:
    rng = np.random.default_rng(seed)
    vocab = [f"t{i}" for i in range(40)]
    p = 1.0 / np.arange(1, 41) ** 0.8
    p /= p.sum()
    corpus = {}
    for i in range(n_docs):
        words = rng.choice(vocab, size=int(rng.integers(1, 6)), p=p)
        corpus[f"d{rng.integers(10**6)}-{i}"] = Document(f"d{i}", " ".join(words))
    queries = {f"q{j}": " ".join(rng.choice(vocab, size=int(rng.integers(1, 6)), p=p)) for j in range(150)}
    return corpus, queries


def _assert_same(pruned: dict, exhaustive: dict) -> None:
    for qid, ex in exhaustive.items():
        pr = pruned[qid]
        assert list(pr) == list(ex), qid                       # same documents, same order (ties by doc id)
        for doc, score in ex.items():
            assert abs(pr[doc] - score) <= 1e-9, (qid, doc)


@pytest.mark.parametrize("seed,k", [(1, 1), (2, 10), (3, 10), (4, 50)])
def test_pruned_equals_exhaustive_with_many_ties(seed: int, k: int) -> None:
    corpus, queries = _tied_corpus(600, seed)
    r = BM25sRetriever()
    r.index(corpus, show_progress=False)
    assert r.pruning == "maxscore"                              # the default
    pruned = r.search(queries, k=k, show_progress=False)
    r.pruning = "none"
    _assert_same(pruned, r.search(queries, k=k, show_progress=False))


def test_pruned_equals_exhaustive_and_rank_bm25_on_zipf() -> None:
    corpus, queries = zipf_corpus(3000, 200, vocab=6000, mean_len=20, seed=5)
    r = create("bm25", n_threads=2)
    r.index(corpus, show_progress=False)
    pruned = r.search(queries, k=10, show_progress=False)
    r.pruning = "none"
    _assert_same(pruned, r.search(queries, k=10, show_progress=False))
    ref = create("bm25-rank")
    ref.index(corpus, show_progress=False)
    sample = dict(list(queries.items())[:25])
    _assert_same({q: pruned[q] for q in sample}, ref.search(sample, k=10, show_progress=False))


def test_pruned_preset_anserini_and_repeated_terms() -> None:
    corpus, queries = zipf_corpus(2000, 100, vocab=6000, mean_len=15, seed=9)
    queries = {q: f"{t} {t.split()[0]}" for q, t in queries.items()}   # a repeated term weighs twice
    r = create("bm25", preset="anserini")
    r.index(corpus, show_progress=False)
    pruned = r.search(queries, k=10, show_progress=False)
    r.pruning = "none"
    _assert_same(pruned, r.search(queries, k=10, show_progress=False))
