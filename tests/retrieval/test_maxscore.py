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


def _kernel_candidates(n_docs: int, n_terms: int, seed: int, k: int) -> list[tuple[set, set]]:
    """(kernel's candidates, exhaustive's) per query, on a random CSR whose weights take four values only, so
    thousands of documents tie at the k-th score (more than the tie buffer's first size: it is compacted and
    regrown), over several windows of documents."""
    from retrieval.maxscore import WINDOW, search_batch, term_max

    rng = np.random.default_rng(seed)
    indptr, indices, data = [0], [], []
    for t in range(n_terms):
        docs = np.flatnonzero(rng.random(n_docs) < rng.choice([0.002, 0.05, 0.3]))
        indices.extend(docs.tolist())
        data.extend(rng.choice([0.0, 0.5, 1.0, 1.5], size=len(docs)).tolist())   # 0: stored zeros
        indptr.append(len(indices))
    indptr_a, indices_a, data_a = (np.asarray(indptr, np.int64), np.asarray(indices, np.int32),
                                   np.asarray(data, np.float64))
    q_terms, q_w, q_off = [], [], [0]
    for _ in range(60):
        terms = rng.choice(n_terms, size=int(rng.integers(1, 5)), replace=False)
        q_terms.extend(terms.tolist())
        q_w.extend(rng.integers(1, 3, size=len(terms)).tolist())
        q_off.append(len(q_terms))
    assert n_docs > 3 * WINDOW
    off, docs, scores = search_batch(indptr_a, indices_a, data_a, term_max(indptr_a, data_a),
                                     np.asarray(q_off, np.int64), np.asarray(q_terms, np.int64),
                                     np.asarray(q_w, np.float64), k)
    out = []
    for q in range(len(q_off) - 1):
        dense = np.zeros(n_docs)
        for t, wt in zip(q_terms[q_off[q]:q_off[q + 1]], q_w[q_off[q]:q_off[q + 1]]):
            dense[indices_a[indptr_a[t]:indptr_a[t + 1]]] += wt * data_a[indptr_a[t]:indptr_a[t + 1]]
        positive = np.flatnonzero(dense > 0)
        kth = np.sort(dense[positive])[::-1][min(k, len(positive)) - 1] if len(positive) else 0.0
        want = {(int(d), float(dense[d])) for d in positive if dense[d] >= kth}
        got = {(int(d), float(s)) for d, s in zip(docs[off[q]:off[q + 1]], scores[off[q]:off[q + 1]])}
        out.append((got, want))
    return out


@pytest.mark.parametrize("seed,k", [(11, 1), (12, 3), (13, 10)])
def test_kernel_keeps_every_tie_at_theta(seed: int, k: int) -> None:
    """Exactly the documents scoring >= the k-th score, with their exact scores: none lost when the tie buffer
    is compacted or regrown, none added. The sums of 0/0.5/1.0/1.5 weights are exact in any order."""
    results = _kernel_candidates(20_000, 12, seed, k)
    for q, (got, want) in enumerate(results):
        assert got == want, q
    assert max(len(want) for _, want in results) > 200        # the tie buffer (64) had to compact and grow
