"""BM25 engines side by side in one process: ours (bm25s backend; MaxScore by default, 1 and 2 threads, and
exhaustive), Lucene (Anserini), tantivy, PISA (pyterrier-pisa, optional: --skip pisa without it), rank-bm25.

    python -m benchmarks.perf.bm25 [--docs 200000] [--queries 1000] [--rank-sample 20] [--skip-synthetic]
                                   [--skip-effectiveness] [--skip lucene bm25-rank ...]

Speed, on Vaswani (11,429 real abstracts, 93 queries, from the data registry) and a synthetic Zipf corpus
(default 200k documents, seeded): index time and query throughput (queries/s, query analysis included; the
fastest of 3 identical searches, rank-bm25 and raw bm25s searched once) of each engine through its databench
retriever, every engine at BM25 k1=1.2 b=0.75 (tantivy's fixed values),
with ratios vs ours; raw bm25s (its README usage) is kept as a reference column. rank-bm25 scores every
document in Python per query, so on the big corpus it is timed on a sample of queries (--rank-sample).
Each engine uses its own defaults otherwise: Lucene analyses with Anserini's English analyzer (Porter) in
Java on `threads` = all cores, for indexing and batch search; ours searches single-threaded; tantivy
indexes on one writer thread. The JVM is started before the clock runs (as the Python imports are), and
every engine first indexes and searches a 2,000-document slice untimed, so that Lucene runs JIT-compiled.

Effectiveness (Cranfield and Vaswani nDCG@10 and MAP at k=100, as `bench run`): the same engines, plus
Lucene fed our tokens (same terms as ours: only the BM25 formula differs) and the Anserini baseline
(Porter, k1=0.9 b=0.4) next to ours with the same stemming and k1/b.
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
WARM_DOCS = 2000
SEARCH_REPEATS = 3
# label -> (registry name, params): the four engines timed, all at k1=1.2 b=0.75
ENGINES: dict[str, tuple[str, dict[str, Any]]] = {
    "ours (bm25s backend)": ("bm25", {}),
    "ours, 2 threads": ("bm25", {"n_threads": 2}),
    "ours, exhaustive": ("bm25", {"pruning": "none"}),
    "Lucene (Anserini)": ("lucene", {"k1": 1.2, "b": 0.75}),
    "tantivy": ("tantivy", {}),
    "PISA": ("pisa", {"threads": 1}),
    "PISA, 2 threads": ("pisa", {"threads": 2}),
    "rank-bm25": ("bm25-rank", {}),
}
SKIPPABLE = ("lucene", "tantivy", "pisa", "bm25-rank")
EFFECTIVENESS: dict[str, tuple[str, dict[str, Any]]] = {
    **{label: e for label, e in ENGINES.items() if e[0] != "pisa" and label not in ("ours, 2 threads", "ours, exhaustive")},
    "Lucene, our tokens": ("lucene", {"analyzer": "ours", "k1": 1.2, "b": 0.75}),
    "ours, stem=true k1=0.9 b=0.4": ("bm25", {"stem": True, "k1": 0.9, "b": 0.4}),
    "Lucene, Anserini defaults (Porter, k1=0.9 b=0.4)": ("lucene", {}),
}
OURS = "ours (bm25s backend)"
SKIP: set[str] = set()     # engines left out (--skip), by registry name
_OURS_INDEX: dict[str, Any] = {}   # ours' index, shared by its search-time variants (ENGINES order: ours first)


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


def time_pisa(corpus: dict[str, Document], queries: dict[str, str], threads: int = 1,
              repeats: int = 1) -> tuple[Timing, dict]:
    """PISA through pyterrier-pisa (its wheel ships the C++ engine): BM25 k1=1.2 b=0.75 by block-max WAND over
    block_simdbp lists, no stemming and no stopwords (the synthetic words are neither). PISA's BM25 keeps the
    (k1 + 1) factor and its own idf, so its scores differ from ours in form: compared by top-10 overlap."""
    import os
    import shutil
    import sys
    import tempfile

    import pandas as pd
    from pyterrier_pisa import PisaIndex

    folder = tempfile.mkdtemp(prefix="databench-pisa-")
    sys.stdout.flush()
    saved = os.dup(1), os.dup(2)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)                     # PISA logs every step and a progress line per percent
        os.dup2(null, 2)
        os.close(null)
        index = PisaIndex(os.path.join(folder, "idx"), stemmer="none", stops="none", threads=threads)
        t0 = time.perf_counter()
        index.index({"docno": d, "text": doc.full_text} for d, doc in corpus.items())
        retriever = index.bm25(k1=1.2, b=0.75, num_results=K, threads=threads)
        frame = pd.DataFrame({"qid": list(queries), "query": list(queries.values())})
        retriever.transform(frame.head(5))   # opens the index files (query-time state), untimed
        index_s = time.perf_counter() - t0
        search_s = float("inf")
        for _ in range(repeats):
            t1 = time.perf_counter()
            res = retriever.transform(frame)
            search_s = min(search_s, time.perf_counter() - t1)
    finally:
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)
        shutil.rmtree(folder, ignore_errors=True)
    run: dict = {q: {} for q in queries}
    for qid, docno, score in zip(res["qid"], res["docno"], res["score"]):
        run[qid][docno] = float(score)
    return Timing(index_s, search_s, len(queries)), run


def time_engine(name: str, params: dict[str, Any], corpus: dict[str, Document], queries: dict[str, str],
                repeats: int = 1) -> tuple[Timing, dict]:
    """Index + search through the databench retriever (what `bench run -r NAME` does), timed separately;
    search time = the fastest of `repeats` identical searches (millisecond timings on a shared box are noisy)."""
    from retrieval.registry import create

    if name == "pisa":
        return time_pisa(corpus, queries, repeats=repeats, **params)

    if name == "bm25" and params and _OURS_INDEX.get("corpus") is corpus:
        # a search-time variant of ours (threads, pruning): the same index, so it is built once
        r, index_s = _OURS_INDEX["retriever"], _OURS_INDEX["index_s"]
        for key, value in params.items():
            setattr(r, key, value)
    else:
        r = create(name, lang="en", **params)
        t0 = time.perf_counter()
        r.index(corpus, show_progress=False)
        index_s = time.perf_counter() - t0
        if name == "bm25" and not params:
            _OURS_INDEX.update(corpus=corpus, retriever=r, index_s=index_s)
    search_s = float("inf")
    for _ in range(repeats):
        t1 = time.perf_counter()
        run = r.search(queries, k=K, show_progress=False)
        search_s = min(search_s, time.perf_counter() - t1)
    if name == "bm25" and params:            # back to ours' defaults; the last variant frees the shared index
        r.n_threads, r.pruning = 0, "maxscore"
        if params.get("pruning") == "none":
            _OURS_INDEX.clear()
    del r
    return Timing(index_s, search_s, len(queries)), run


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


def top10_overlap(a: dict, b: dict) -> float:
    """Mean share of top-10 documents two runs have in common (engines whose scores differ in form)."""
    shares = [len(set(list(a[q])[:K]) & set(list(b.get(q, {}))[:K])) / max(1, min(K, len(a[q]))) for q in a if a[q]]
    return sum(shares) / len(shares) if shares else 1.0


def warm_up(corpus: dict[str, Document], queries: dict[str, str]) -> None:
    """Index and search a slice of the collection with every engine first, untimed: the JVM compiles Lucene's
    hot paths on first use (measured on Vaswani: 1.2 s for the first 93-query batch, 0.1 s warm), and the
    figures should compare steady states, as they do for the already-compiled Python/Rust engines."""
    part = dict(list(corpus.items())[:WARM_DOCS])
    for engine, params in (e for e in ENGINES.values() if e[0] not in SKIP):
        time_engine(engine, params, part, dict(list(queries.items())[:20 if engine == "bm25-rank" else 200]))


def bench(name: str, corpus: dict[str, Document], queries: dict[str, str], rank_sample: int | None) -> dict:
    sample = dict(list(queries.items())[:rank_sample]) if rank_sample else queries
    timings: dict[str, Timing] = {}
    runs: dict[str, dict] = {}
    warm_up(corpus, queries)
    for label, (engine, params) in ENGINES.items():
        if engine in SKIP:
            continue
        rank = engine == "bm25-rank"      # seconds per query in Python: one timing is precise enough
        timings[label], runs[label] = time_engine(engine, params, corpus, sample if rank else queries,
                                                  repeats=1 if rank else SEARCH_REPEATS)
        gc.collect()
    timings["raw bm25s"], runs["raw bm25s"] = time_raw_bm25s(corpus, queries)
    gc.collect()
    ours = runs[OURS]
    bad_rank, diff_rank = same_top10({q: ours[q] for q in sample}, runs["rank-bm25"]) if "rank-bm25" in runs else (
        -1, float("nan"))
    bad_raw, diff_raw = same_top10(ours, runs["raw bm25s"])
    bad_ex, diff_ex = same_top10(ours, runs["ours, exhaustive"])
    identical = sum(list(ours[q]) == list(runs["ours, exhaustive"][q]) for q in ours)
    return {"collection": name, "docs": len(corpus), "queries": len(queries), "rank_queries": len(sample),
            "timings": timings, "top10_mismatch_vs_rank": bad_rank, "max_diff_vs_rank": diff_rank,
            "top10_mismatch_vs_raw": bad_raw, "max_diff_vs_raw": diff_raw,
            "identical_vs_exhaustive": identical, "max_diff_vs_exhaustive": diff_ex,
            "overlap": {label: top10_overlap(ours, runs[label]) for label in ("Lucene (Anserini)", "tantivy", "PISA")
                        if label in runs}}


def print_row(row: dict) -> None:
    t = row["timings"]
    o = t[OURS]
    print(f"\n== {row['collection']}: {row['docs']:,} docs, {row['queries']:,} queries "
          f"(rank-bm25 timed on {row['rank_queries']} queries{' (sample)' if row['rank_queries'] < row['queries'] else ''})")
    print(f"{'engine':<22}{'index s':>10}{'search s':>11}{'queries/s':>12}{'ours q/s / this':>17}{'this index / ours':>19}")
    for label, x in t.items():
        print(f"{label:<22}{x.index_s:>10.2f}{x.search_s:>11.4f}{x.qps:>12.1f}{o.qps / x.qps:>16.2f}x"
              f"{x.index_s / o.index_s:>18.2f}x")
    print(f"pruned (default) vs exhaustive: same top-10 in the same order on {row['identical_vs_exhaustive']}/"
          f"{row['queries']} queries (max score diff {row['max_diff_vs_exhaustive']:.1e})")
    vs_rank = ("rank-bm25 skipped" if row["top10_mismatch_vs_rank"] < 0 else
               f"vs rank-bm25 {row['rank_queries'] - row['top10_mismatch_vs_rank']}/{row['rank_queries']} "
               f"(max score diff {row['max_diff_vs_rank']:.1e})")
    print(f"top-10 identical up to ties: {vs_rank}; vs raw bm25s "
          f"{row['queries'] - row['top10_mismatch_vs_raw']}/{row['queries']} (max diff {row['max_diff_vs_raw']:.1e})")
    print("top-10 overlap with ours (other analyzer or BM25 form): " +
          ", ".join(f"{label} {share:.1%}" for label, share in row["overlap"].items()))


def effectiveness() -> dict[str, dict[str, dict[str, float]]]:
    """{collection: {label: {nDCG@10, MAP}}} at k=100, the `bench run` depth."""
    from benchmarks.data.loaders.trec_xml import load_cranfield, load_vaswani
    from benchmarks.data.registry import dataset_dir
    from benchmarks.metrics import evaluate
    from retrieval.registry import create

    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, loader in (("cranfield", load_cranfield), ("vaswani", load_vaswani)):
        c = loader(dataset_dir(name))
        out[name] = {}
        for label, (engine, params) in EFFECTIVENESS.items():
            r = create(engine, lang="en", **params)
            r.index(c.corpus, show_progress=False)
            run = r.search(c.queries, k=100, show_progress=False)
            out[name][label] = evaluate(c.qrels, run, ["nDCG@10", "MAP"]).aggregate
    return out


def print_effectiveness(scores: dict[str, dict[str, dict[str, float]]]) -> None:
    names = list(scores)
    print("\n== effectiveness (k=100; ratio = this / ours)")
    print(f"{'engine':<50}" + "".join(f"{n + ' nDCG@10':>20}{n + ' MAP':>18}" for n in names))
    for label in EFFECTIVENESS:
        cells = []
        for n in names:
            ours, x = scores[n][OURS], scores[n][label]
            cells += [f"{x['nDCG@10']:.4f} ({x['nDCG@10'] / ours['nDCG@10']:.3f}x)",
                      f"{x['MAP']:.4f} ({x['MAP'] / ours['MAP']:.3f}x)"]
        print(f"{label:<50}" + "".join(f"{a:>20}{b:>18}" for a, b in zip(cells[::2], cells[1::2])))


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=200_000, help="synthetic corpus size")
    ap.add_argument("--queries", type=int, default=1000, help="synthetic queries")
    ap.add_argument("--rank-sample", type=int, default=20, help="queries rank-bm25 is timed on (synthetic)")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-vaswani", action="store_true")
    ap.add_argument("--skip-effectiveness", action="store_true")
    ap.add_argument("--skip", nargs="*", default=[], choices=SKIPPABLE,
                    help="engines to leave out (Lucene and rank-bm25 take minutes at 1M documents)")
    args = ap.parse_args(argv)
    SKIP.clear()
    SKIP.update(args.skip)
    if "pisa" not in SKIP:
        try:
            import pyterrier_pisa  # noqa: F401 - optional engine
        except ImportError:
            print("(PISA skipped: pip install 'pyterrier-pisa==0.4.9' to add it)")
            SKIP.add("pisa")
    import bm25s  # noqa: F401 - import cost stays out of the timings
    import rank_bm25  # noqa: F401 - imported before the clock starts
    import scipy.sparse  # noqa: F401 - imported before the clock starts
    import tantivy  # noqa: F401 - imported before the clock starts

    if "lucene" not in SKIP or not args.skip_effectiveness:
        from retrieval.lucene_jvm import jvm

        t0 = time.perf_counter()
        jvm()                               # JVM start-up (once per process) stays out of the timings too
        print(f"(JVM started in {time.perf_counter() - t0:.2f} s)")
    from retrieval.maxscore import search_batch  # noqa: F401 - numba's compiled kernel is loaded untimed

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
    if not args.skip_effectiveness:
        scores = effectiveness()
        print_effectiveness(scores)
        rows.append({"effectiveness": scores})
    return rows


if __name__ == "__main__":
    main()
