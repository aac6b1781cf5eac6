"""Perf: our `benchmarks.metrics.evaluate` vs pytrec_eval vs ranx on a synthetic 100-query x 1,000-doc run.

Prints time (first call, then the median of warm calls) and the largest absolute difference between the
libraries' values. Targets (issue 3): equal values, ours <= 1.5x pytrec_eval's time, no multi-second JIT
on the first call. Run: `python -m benchmarks.perf.metrics [--queries 100 --docs 1000 --repeat 7]`.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from core.optional import missing

OURS = ["nDCG@10", "MAP", "P@10", "Recall@100", "MRR"]
TREC = {"nDCG@10": ("ndcg_cut.10", "ndcg_cut_10"), "MAP": ("map", "map"), "P@10": ("P.10", "P_10"),
        "Recall@100": ("recall.100", "recall_100"), "MRR": ("recip_rank", "recip_rank")}
RANX = {"nDCG@10": "ndcg@10", "MAP": "map", "P@10": "precision@10", "Recall@100": "recall@100", "MRR": "mrr"}


def synthetic(n_queries: int, n_docs: int, seed: int = 0) -> tuple[dict, dict]:
    """A run of n_docs distinct-scored docs per query, qrels with 30 judged docs (grades 0-3) per query."""
    rng = np.random.default_rng(seed)
    run, qrels = {}, {}
    pool = [f"d{i}" for i in range(5 * n_docs)]
    for q in range(n_queries):
        docs = rng.choice(len(pool), size=n_docs, replace=False)
        scores = rng.permutation(n_docs).astype(float) + rng.random(n_docs) * 0.5   # no ties
        run[f"q{q}"] = {pool[d]: float(s) for d, s in zip(docs, scores)}
        judged = rng.choice(docs, size=30, replace=False)
        qrels[f"q{q}"] = {pool[d]: int(g) for d, g in zip(judged, rng.integers(0, 4, size=30))}
    return qrels, run


def timed(fn, repeat: int) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    return first, statistics.median(warm), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-ranx", action="store_true", help="skip ranx (its numba JIT takes ~14 s cold)")
    args = ap.parse_args()
    qrels, run = synthetic(args.queries, args.docs)
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, cpus {__import__('os').cpu_count()}")
    print(f"data: {args.queries} queries x {args.docs} docs (synthetic, seed 0), 30 judged docs/query, "
          f"grades 0-3; measures {', '.join(OURS)}")

    t0 = time.perf_counter()
    from benchmarks.metrics import evaluate
    import pytrec_eval
    t_import = time.perf_counter() - t0

    ours_first, ours_warm, ours = timed(lambda: evaluate(qrels, run, OURS), args.repeat)

    def trec():
        ev = pytrec_eval.RelevanceEvaluator(qrels, {v[0] for v in TREC.values()})
        return ev.evaluate(run)

    trec_first, trec_warm, trec_out = timed(trec, args.repeat)
    diff_trec = max(abs(ours.per_query[q][m] - trec_out[q][TREC[m][1]]) for q in qrels for m in OURS)
    agg_trec = {m: float(np.mean([trec_out[q][TREC[m][1]] for q in qrels])) for m in OURS}

    rows = [("ours (benchmarks.metrics)", ours_first, ours_warm, 0.0, ours.aggregate),
            ("pytrec_eval direct", trec_first, trec_warm, diff_trec, agg_trec)]
    no_ranx = args.no_ranx
    if not no_ranx and (why := missing("ranx", "ranx>=0.3.20", "the ranx row")):
        print(f"{why}; skipping it (or pass --no-ranx)")
        no_ranx = True
    if not no_ranx:
        t0 = time.perf_counter()
        import ranx
        t_ranx_import = time.perf_counter() - t0
        cache = Path(ranx.__file__).parent / "metrics" / "__pycache__"
        cached = any(cache.glob("*.nbi"))

        def rx():
            return ranx.evaluate(ranx.Qrels(qrels), ranx.Run(run), [RANX[m] for m in OURS], make_comparable=True)

        rx_first, rx_warm, rx_out = timed(rx, args.repeat)
        agg_rx = {m: float(rx_out[RANX[m]]) for m in OURS}
        diff_rx = max(abs(ours.aggregate[m] - agg_rx[m]) for m in OURS)
        rows.append((f"ranx {__import__('importlib.metadata').metadata.version('ranx')} (import {t_ranx_import:.1f} s, numba cache "
                     f"{'warm' if cached else 'cold'})", rx_first, rx_warm, diff_rx, agg_rx))

    print(f"imports (benchmarks.metrics + pytrec_eval): {t_import:.2f} s")
    print(f"{'library':<62} {'first call':>10} {'warm median':>12} {'max |diff|':>11}")
    for name, first, warm, diff, _ in rows:
        print(f"{name:<62} {first:>9.3f}s {warm:>11.4f}s {diff:>11.2e}")
    print("aggregates: " + "; ".join(f"{name.split(' ')[0]}: " + ", ".join(f"{m}={v:.4f}" for m, v in agg.items())
                                     for name, _, _, _, agg in rows))
    ratio = ours_warm / trec_warm
    print(f"ours / pytrec_eval (warm): {ratio:.2f}x  [target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}]; "
          f"first call {ours_first:.3f} s [target: no multi-second JIT: {'met' if ours_first < 1.0 else 'NOT met'}]; "
          f"values vs pytrec_eval max |diff| {diff_trec:.1e} [{'equal' if diff_trec < 1e-12 else 'DIFFER'}]")


if __name__ == "__main__":
    main()
