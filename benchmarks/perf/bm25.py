"""BM25 speed, measured side by side in one process: our bm25s backend vs raw bm25s vs rank-bm25.

    python -m benchmarks.perf.bm25 [--docs 200000] [--queries 1000] [--rank-sample 20] [--skip-synthetic]

Collections: Vaswani (11,429 real abstracts, 93 queries, from the data registry) and a synthetic
Zipf corpus (default 200k documents, seeded). For each: index time, query throughput (queries/s,
query tokenization included) and the ratios ours/rank-bm25 and ours/raw-bm25s, plus a check that
the top-10 lists are identical up to ties. rank-bm25 scores every document in Python per query,
so on the big corpus it is timed on a sample of queries (--rank-sample) and the report says so.
"""
from __future__ import annotations

import argparse
import gc
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from retrieval.types import Document

K = 10


@dataclass
class Timing:
    index_s: float
    search_s: float
    n_queries: int

    @property
    def qps(self) -> float:
        return self.n_queries / self.search_s if self.search_s > 0 else float("inf")


def zipf_corpus(n_docs: int, n_queries: int, *, vocab: int = 50_000, mean_len: int = 40, seed: int = 13,
                ) -> tuple[dict[str, Document], dict[str, str]]:
    """Documents and queries drawn from one Zipf(1.1) vocabulary ("w0" most frequent)."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocab + 1, dtype=np.float64)
    p = ranks ** -1.1
    p /= p.sum()
    words = np.array([f"w{i}" for i in range(vocab)])
    lengths = np.clip(rng.poisson(mean_len, n_docs), 5, None)
    tokens = words[rng.choice(vocab, size=int(lengths.sum()), p=p)]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    corpus = {str(i): Document(str(i), " ".join(tokens[bounds[i]:bounds[i + 1]])) for i in range(n_docs)}
    # queries: 2-6 terms from the informative middle of the distribution
    mid = np.arange(50, 5000)
    pm = p[mid] / p[mid].sum()
    queries = {f"q{j}": " ".join(words[rng.choice(mid, size=int(rng.integers(2, 7)), p=pm)])
               for j in range(n_queries)}
    return corpus, queries


def time_ours(corpus: dict[str, Document], queries: dict[str, str]) -> tuple[Timing, dict, Any]:
    from retrieval.registry import create

    r = create("bm25", lang="en")
    t0 = time.perf_counter()
    r.index(corpus, show_progress=False)
    t1 = time.perf_counter()
    run = r.search(queries, k=K, show_progress=False)
    t2 = time.perf_counter()
    return Timing(t1 - t0, t2 - t1, len(queries)), run, r


def time_raw_bm25s(corpus: dict[str, Document], queries: dict[str, str]) -> tuple[Timing, dict]:
    """bm25s used as its README shows: bm25s.tokenize (same regex, same Lucene stopwords) + retrieve."""
    import bm25s

    doc_ids = list(corpus)
    texts = [d.full_text for d in corpus.values()]
    t0 = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
    model = bm25s.BM25(k1=1.2, b=0.75, method="atire", idf_method="robertson", dtype="float64")
    model.index(tokens, show_progress=False)
    t1 = time.perf_counter()
    q_tokens = bm25s.tokenize(list(queries.values()), stopwords="en", show_progress=False, return_ids=False)
    docs, scores = model.retrieve(q_tokens, k=min(K, len(doc_ids)), show_progress=False)
    t2 = time.perf_counter()
    run = {qid: {doc_ids[d]: float(s) for d, s in zip(row_d, row_s) if s > 0}
           for qid, row_d, row_s in zip(queries, docs.tolist(), scores.tolist())}
    return Timing(t1 - t0, t2 - t1, len(queries)), run


def time_rank_bm25(corpus: dict[str, Document], queries: dict[str, str], tokenizer: Any) -> tuple[Timing, dict]:
    from rank_bm25 import BM25Okapi

    doc_ids = list(corpus)
    t0 = time.perf_counter()
    model = BM25Okapi([tokenizer(d.full_text) for d in corpus.values()], k1=1.2, b=0.75, epsilon=0.0)
    t1 = time.perf_counter()
    run = {}
    for qid, text in queries.items():
        scores = model.get_scores(tokenizer(text))
        top = np.argpartition(-scores, K)[:K] if len(scores) > K else np.arange(len(scores))
        run[qid] = {doc_ids[i]: float(scores[i]) for i in top if scores[i] > 0}
    t2 = time.perf_counter()
    return Timing(t1 - t0, t2 - t1, len(queries)), run


def same_top10(a: dict, b: dict, tol: float = 1e-5) -> tuple[int, float]:
    """(#queries whose top-10 differ beyond ties at the 10th score, max |score diff| on shared docs)."""
    bad, worst = 0, 0.0
    for qid in a:
        x, y = a[qid], b.get(qid, {})
        for doc in set(x) & set(y):
            worst = max(worst, abs(x[doc] - y[doc]))
        diff = set(x) ^ set(y)
        if diff:
            tenth = min(list(x.values()) + list(y.values()))
            if any(abs(x.get(d, y.get(d, 0.0)) - tenth) > tol for d in diff) or len(x) != len(y):
                bad += 1
    return bad, worst


def bench(name: str, corpus: dict[str, Document], queries: dict[str, str], rank_sample: int | None) -> dict:
    ours_t, ours_run, ours = time_ours(corpus, queries)
    gc.collect()
    raw_t, raw_run = time_raw_bm25s(corpus, queries)
    gc.collect()
    sample = dict(list(queries.items())[:rank_sample]) if rank_sample else queries
    rank_t, rank_run = time_rank_bm25(corpus, sample, ours.tokenizer)
    gc.collect()
    bad_rank, diff_rank = same_top10({q: ours_run[q] for q in sample}, rank_run)
    bad_raw, diff_raw = same_top10(ours_run, raw_run)
    row = {"collection": name, "docs": len(corpus), "queries": len(queries), "rank_queries": len(sample),
           "ours": ours_t, "raw": raw_t, "rank": rank_t,
           "speedup_vs_rank": ours_t.qps / rank_t.qps, "raw_vs_rank": raw_t.qps / rank_t.qps,
           "ours_time_vs_raw": ours_t.search_s / raw_t.search_s,
           "top10_mismatch_vs_rank": bad_rank, "max_diff_vs_rank": diff_rank,
           "top10_mismatch_vs_raw": bad_raw, "max_diff_vs_raw": diff_raw}
    return row


def print_row(row: dict) -> None:
    o, r, k = row["ours"], row["raw"], row["rank"]
    print(f"\n== {row['collection']}: {row['docs']:,} docs, {row['queries']:,} queries "
          f"(rank-bm25 timed on {row['rank_queries']} queries{' (sample)' if row['rank_queries'] < row['queries'] else ''})")
    print(f"{'backend':<22}{'index s':>10}{'search s':>11}{'queries/s':>12}")
    for label, t in (("ours (bm25s backend)", o), ("raw bm25s", r), ("rank-bm25", k)):
        print(f"{label:<22}{t.index_s:>10.2f}{t.search_s:>11.4f}{t.qps:>12.1f}")
    print(f"query throughput: ours / rank-bm25 = {row['speedup_vs_rank']:.1f}x; raw bm25s / rank-bm25 = "
          f"{row['raw_vs_rank']:.1f}x; ours search time / raw bm25s = {row['ours_time_vs_raw']:.2f}x")
    print(f"top-10 identical up to ties: vs rank-bm25 {row['rank_queries'] - row['top10_mismatch_vs_rank']}/"
          f"{row['rank_queries']} (max score diff {row['max_diff_vs_rank']:.1e}); vs raw bm25s "
          f"{row['queries'] - row['top10_mismatch_vs_raw']}/{row['queries']} (max diff {row['max_diff_vs_raw']:.1e})")


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=200_000, help="synthetic corpus size")
    ap.add_argument("--queries", type=int, default=1000, help="synthetic queries")
    ap.add_argument("--rank-sample", type=int, default=20, help="queries rank-bm25 is timed on (synthetic)")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-vaswani", action="store_true")
    args = ap.parse_args(argv)
    import bm25s  # noqa: F401  (import cost stays out of the timings)
    import rank_bm25  # noqa: F401
    import scipy.sparse  # noqa: F401

    rows = []
    if not args.skip_vaswani:
        from benchmarks.data.loaders.trec_xml import load_vaswani
        from benchmarks.data.registry import dataset_dir

        c = load_vaswani(dataset_dir("vaswani"))
        rows.append(bench("vaswani", c.corpus, c.queries, None))
        print_row(rows[-1])
    if not args.skip_synthetic:
        t0 = time.perf_counter()
        corpus, queries = zipf_corpus(args.docs, args.queries)
        print(f"\n(synthetic Zipf corpus generated in {time.perf_counter() - t0:.1f} s)")
        rows.append(bench(f"zipf-{args.docs // 1000}k", corpus, queries, args.rank_sample))
        print_row(rows[-1])
    return rows


if __name__ == "__main__":
    main()
