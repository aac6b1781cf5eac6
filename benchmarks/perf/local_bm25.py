"""Peak memory of `bench run --dataset FOLDER -r bm25` on synthetic BEIR-format corpora of growing size.

    python -m benchmarks.perf.local_bm25 [--sizes 100000,1000000] [--workdir DIR] [--keep]

For each size a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) is written in chunks from
benchmarks.perf.bm25's seeded Zipf generator, then a fresh child process reads it the way `--dataset`
does (benchmarks.datasets_local, line-streamed) and indexes it with `bm25`. The child reports resident
memory after each phase and the peak within each phase (VmHWM, reset between phases through
/proc/self/clear_refs), plus the size of bm25s's weight arrays. Printed per size:
  corpus  = RSS after reading - RSS at start (the Corpus dict: what every retriever is handed)
  index   = RSS after indexing - RSS after reading (what the bm25 index keeps)
  peak    = highest RSS while indexing - RSS at start
  transient = peak / (corpus + index): how far indexing overshoots what it keeps
  beyond  = peak - corpus - bm25s's weight arrays: memory that is not the data or the index proper
and, from the smallest size to the others, the growth per document of the peak and of `beyond`
(1.00x = linear in the corpus; the target is <= 1.5x).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.perf.proc_memory import reset_peak, status

CHUNK = 100_000


def write_beir_corpus(folder: Path, n_docs: int, *, n_queries: int = 100, seed: int = 13) -> Path:
    """A BEIR folder of `n_docs` Zipf documents, written chunk by chunk (never all in memory)."""
    from benchmarks.perf.bm25 import zipf_corpus

    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    queries: dict[str, str] = {}
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as f:
        for start in range(0, n_docs, CHUNK):
            docs, qs = zipf_corpus(min(CHUNK, n_docs - start), n_queries if start == 0 else 1, seed=seed + start)
            queries = queries or qs
            for i, doc in enumerate(docs.values()):
                f.write(json.dumps({"_id": f"d{start + i}", "title": "", "text": doc.text}) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as f:
        for qid, text in queries.items():
            f.write(json.dumps({"_id": qid, "text": text}) + "\n")
    with open(folder / "qrels" / "test.tsv", "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for j, qid in enumerate(queries):
            f.write(f"{qid}\td{(j * 7919) % n_docs}\t1\n")
    return folder


def measure(folder: Path) -> dict[str, float]:
    """In this (fresh) process: read FOLDER as `--dataset` does, index it with bm25; memory per phase."""
    import gc

    from benchmarks.datasets_local.open import open_dataset
    from benchmarks.datasets_local.registry import get_format
    from retrieval.registry import create

    retriever = create("bm25", lang="en")
    gc.collect()
    out: dict[str, float] = {"start_rss": status()["VmRSS"], "peak_reset": float(reset_peak())}
    t0 = time.perf_counter()
    local = open_dataset(folder)
    collection = get_format("beir").load_retrieval(folder, local.desc)
    out.update(read_s=time.perf_counter() - t0, read_rss=status()["VmRSS"], read_peak=status()["VmHWM"],
               n_docs=len(collection.corpus))
    reset_peak()
    t1 = time.perf_counter()
    retriever.index(collection.corpus, show_progress=False)
    gc.collect()
    out.update(index_s=time.perf_counter() - t1, index_rss=status()["VmRSS"], index_peak=status()["VmHWM"])
    scores = retriever._model.scores  # bm25s's arrays: the index proper
    out["index_arrays"] = float(sum(scores[k].nbytes for k in ("data", "indices", "indptr")))
    return out


def _row(n: int, m: dict[str, float]) -> dict[str, float]:
    corpus = m["read_rss"] - m["start_rss"]
    index = m["index_rss"] - m["read_rss"]
    peak = max(m["index_peak"], m["read_peak"]) - m["start_rss"]
    return {"docs": n, "corpus_mb": corpus / 2**20, "index_mb": index / 2**20, "arrays_mb": m["index_arrays"] / 2**20,
            "peak_mb": peak / 2**20, "transient": peak / (corpus + index), "read_s": m["read_s"], "index_s": m["index_s"],
            "beyond_mb": (peak - corpus - m["index_arrays"]) / 2**20}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the generated folders")
    ap.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)   # the child process
    args = ap.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return
    root = Path(tempfile.mkdtemp(prefix="local-bm25-", dir=args.workdir))
    rows = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            folder = write_beir_corpus(root / f"beir-{n}", n)
            proc = subprocess.run([sys.executable, "-m", "benchmarks.perf.local_bm25", "--measure", str(folder)],
                                  capture_output=True, text=True, check=True)
            rows.append(_row(n, json.loads(proc.stdout.strip().splitlines()[-1])))
            r = rows[-1]
            print(f"{n:>9,} docs: corpus {r['corpus_mb']:7.1f} MB  index {r['index_mb']:7.1f} MB (bm25s arrays "
                  f"{r['arrays_mb']:6.1f})  peak {r['peak_mb']:7.1f} MB  transient {r['transient']:.2f}x  "
                  f"read {r['read_s']:.1f} s  index {r['index_s']:.1f} s", flush=True)
            if not args.keep:
                shutil.rmtree(folder)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    base = rows[0]
    for r in rows[1:]:
        f = r["docs"] / base["docs"]
        print(f"{base['docs']:,} -> {r['docs']:,} docs ({f:.0f}x): peak grew {r['peak_mb'] / base['peak_mb']:.2f}x, "
              f"kept (corpus + index) {(r['corpus_mb'] + r['index_mb']) / (base['corpus_mb'] + base['index_mb']):.2f}x; "
              f"peak per doc {r['peak_mb'] / base['peak_mb'] / f:.2f}x the smallest size's; beyond the index "
              f"(peak - corpus - bm25s arrays) per doc {r['beyond_mb'] / base['beyond_mb'] / f:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
