"""BM25 at MS MARCO scale: `bm25` with its on-disk index next to tantivy, each engine in its own process.

    python -m benchmarks.perf.bm25_scale [--docs 8841823] [--queries 6980] [--workdir /tmp/bm25-scale]
        [--engines ours,tantivy] [--limit-s 3600] [--reuse-index] [--out RESULTS.json]

The corpus is benchmarks.perf.msmarco_synth's (generated into WORKDIR/synth-N, or reused). Each engine runs in
a child process, so its peak RSS is its own: the child reads the corpus line by line (no Corpus dict: 8.8M
passages as Python objects would be ~5 GB by themselves), indexes it (ours: retrieval.bm25_disk, float32
weights; tantivy: one writer thread, 128 MB heap, our analyzer's tokens, as `-r tantivy`), reopens the index
from disk (timed: what a second `bench run` pays), then searches the queries for the top 10, with 1 and then 2
threads (ours: chunks of 256 queries on a thread pool, the kernel releases the GIL; tantivy: the queries split
over a thread pool), and scores MRR@10 against the planted passages. It reports, per phase, the peak RSS
(VmHWM, reset between phases through /proc/self/clear_refs) and, at the end, the resident anonymous and
file-backed memory (RssAnon / RssFile: memory-mapped index pages are file-backed, the kernel drops them under
pressure). Each child writes its progress to a JSON file as it goes; one that runs past --limit-s is killed and
reported as "did not finish in X s" with what it had reached. Results go to --out (atomically) and a table to
stdout. An index is rebuilt unless --reuse-index (then ours reuses a folder with the same key).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.perf.proc_memory import reset_peak, status
from core import atomic_write_json

K = 10
ENGINES = ("ours", "tantivy")


# --- in the child --------------------------------------------------------------------------------------
def iter_passages(folder: Path) -> Iterator[tuple[str, str]]:
    """(doc id, title + text) of corpus.jsonl, line by line."""
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            yield str(rec["_id"]), f"{rec['title']}\n{rec['text']}" if rec.get("title") else rec["text"]


def _read_queries(folder: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    queries = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            queries[rec["_id"]] = rec["text"]
    qrels: dict[str, set[str]] = {}
    with open(folder / "qrels" / "test.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            q, d, g = line.rstrip("\n").split("\t")
            if int(g) > 0:
                qrels.setdefault(q, set()).add(d)
    return queries, qrels


def mrr_at_10(run: dict[str, dict[str, float]], qrels: dict[str, set[str]]) -> float:
    total = 0.0
    for q, rel in qrels.items():
        ranked = sorted(run.get(q, {}).items(), key=lambda x: (x[1], x[0]), reverse=True)[:10]   # as trec_eval
        total += next((1.0 / (i + 1) for i, (d, _) in enumerate(ranked) if d in rel), 0.0)
    return total / len(qrels)


class Reporter:
    """The child's progress, written atomically after each phase (what the parent reports if it kills us)."""

    def __init__(self, path: Path):
        self.path, self.data = path, {"phases": {}}

    def phase(self, name: str, **values: Any) -> None:
        st = status()
        self.data["phases"][name] = {**values, "peak_rss": st["VmHWM"], "rss_anon": st["RssAnon"],
                                     "rss_file": st["RssFile"]}
        self.save()
        reset_peak()

    def save(self) -> None:
        atomic_write_json(self.path, self.data)


def _index_ours(folder: Path, index_dir: Path, n_docs: int, rep: Reporter) -> Any:
    from core import sha256_file
    from retrieval import bm25_disk
    from retrieval.bm25s_backend import BM25sRetriever

    r = BM25sRetriever(dtype="float32", index_dir=str(index_dir))
    corpus_file = folder / "corpus.jsonl"
    t0 = time.perf_counter()
    key = bm25_disk.index_key({"file_sha256": sha256_file(corpus_file), "bytes": corpus_file.stat().st_size},
                              r.tokenizer, r.k1, r.b, r.dtype)
    hash_s = time.perf_counter() - t0
    _, built = bm25_disk.ensure(index_dir, key, lambda: iter_passages(folder), tokenizer=r.tokenizer, k1=r.k1,
                                b=r.b, dtype=r.dtype, n_docs=n_docs, show_progress=sys.stderr.isatty())
    rep.phase("index", seconds=time.perf_counter() - t0, corpus_hash_s=hash_s, built=built,
              index_bytes=sum(p.stat().st_size for p in index_dir.iterdir()))
    return BM25sRetriever


def _index_tantivy(folder: Path, index_dir: Path, n_docs: int, rep: Reporter) -> Any:
    """As TantivyRetriever.index, but fed from the stream (its index() takes a Corpus dict)."""
    from retrieval.pretokenize import as_text, make_tokenizer
    from retrieval.tantivy_backend import BODY_FIELD, ID_FIELD, META_FILE, TantivyRetriever, _schema, _tantivy

    tantivy = _tantivy()
    tokenizer = make_tokenizer("en", None, None, True)
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    index = tantivy.Index(_schema(), path=str(index_dir))
    writer = index.writer(heap_size=128_000_000, num_threads=1)
    done = 0
    batch: list[tuple[str, str]] = []

    def flush() -> None:
        nonlocal done
        for (doc_id, _), tokens in zip(batch, tokenizer.batch([t for _, t in batch])):
            writer.add_document(tantivy.Document(**{ID_FIELD: doc_id, BODY_FIELD: as_text(tokens)}))
        done += len(batch)
        batch.clear()
        if done % 200_000 < 512:
            rep.data["progress"] = {"docs_indexed": done, "seconds": time.perf_counter() - t0}
            rep.save()

    for item in iter_passages(folder):
        batch.append(item)
        if len(batch) == 512:
            flush()
    flush()
    rep.data["progress"] = {"docs_indexed": done, "seconds": time.perf_counter() - t0, "note": "committing"}
    rep.save()
    writer.commit()
    writer.wait_merging_threads()
    meta = {"format": 1, "fingerprint": "bm25_scale", "n_docs": done, "tokenizer": tokenizer.params()}
    (index_dir / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    rep.phase("index", seconds=time.perf_counter() - t0, built=True,
              index_bytes=sum(p.stat().st_size for p in index_dir.iterdir()))
    return TantivyRetriever


def _search(retriever: Any, engine: str, queries: dict[str, str], threads: int) -> dict[str, dict[str, float]]:
    if engine == "ours":
        retriever.n_threads = threads
        return retriever.search(queries, K, show_progress=False)
    if threads == 1:
        return retriever.search(queries, K, show_progress=False)
    qids = list(queries)
    parts = [{q: queries[q] for q in qids[i::threads]} for i in range(threads)]
    run: dict[str, dict[str, float]] = {}
    with ThreadPoolExecutor(threads) as pool:
        for part in pool.map(lambda p: retriever.search(p, K, show_progress=False), parts):
            run.update(part)
    return run


def child(engine: str, folder: Path, index_dir: Path, n_docs: int, progress: Path) -> None:
    rep = Reporter(progress)
    rep.data.update(engine=engine, pid=os.getpid())
    reset_peak()
    cls = (_index_ours if engine == "ours" else _index_tantivy)(folder, index_dir, n_docs, rep)
    import gc

    gc.collect()
    t0 = time.perf_counter()
    retriever = cls.load(index_dir)
    rep.phase("reopen", seconds=time.perf_counter() - t0)
    queries, qrels = _read_queries(folder)
    warm = dict(list(queries.items())[:200])
    _search(retriever, engine, warm, 1)     # compiles/loads what the first query needs, untimed
    for threads in (1, 2):
        t0 = time.perf_counter()
        run = _search(retriever, engine, queries, threads)
        s = time.perf_counter() - t0
        rep.phase(f"search_{threads}t", seconds=s, qps=len(queries) / s, mrr_at_10=mrr_at_10(run, qrels),
                  n_queries=len(queries))
    # the process's peak: the largest phase peak (clear_refs resets VmHWM and ru_maxrss between phases)
    rep.data.update(done=True, process_peak_rss=max(p["peak_rss"] for p in rep.data["phases"].values()))
    rep.save()


# --- in the parent -------------------------------------------------------------------------------------
def _watch(pid: int, peaks: dict[str, int], stop: threading.Event) -> None:
    """Sample the child's RSS split twice a second: the peak of each part (VmHWM resets between phases)."""
    while not stop.is_set():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    peaks[key] = max(peaks.get(key, 0), int(value.split()[0]) * 1024)
        except (OSError, ValueError):
            pass
        stop.wait(0.5)


def run_engine(engine: str, folder: Path, workdir: Path, n_docs: int, limit_s: float, reuse: bool) -> dict[str, Any]:
    index_dir = workdir / f"index-{engine}-{n_docs}"
    if not reuse and index_dir.exists():
        shutil.rmtree(index_dir)
    progress = workdir / f"progress-{engine}-{n_docs}.json"
    progress.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.perf.bm25_scale", "--child", engine, "--folder", str(folder),
           "--index-dir", str(index_dir), "--progress", str(progress), "--docs", str(n_docs)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, start_new_session=True)
    peaks: dict[str, int] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(proc.pid, peaks, stop), daemon=True)
    watcher.start()
    try:
        rc: int | None = proc.wait(timeout=limit_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rc = None
    stop.set()
    watcher.join()
    out: dict[str, Any] = json.loads(progress.read_text()) if progress.is_file() else {"phases": {}}
    out.update(engine=engine, wall_s=time.perf_counter() - t0, returncode=rc, sampled_peaks=peaks,
               ru_maxrss_children=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    if rc is None:
        out["status"] = f"did not finish in {limit_s:.0f} s"
    elif rc != 0:
        out["status"] = f"failed (exit {rc})"
    else:
        out["status"] = "ok"
    return out


def _gb(x: Any) -> str:
    return f"{x / 1e9:.2f}" if isinstance(x, (int, float)) else "-"


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| engine | status | index s | index on disk GB | build peak RSS GB | reopen s | q/s 1 thread | "
            "q/s 2 threads | search peak RSS GB | process peak RSS GB (anon + file, sampled max) | MRR@10 |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        ph = r.get("phases", {})
        ix, ro, s1, s2 = (ph.get(k, {}) for k in ("index", "reopen", "search_1t", "search_2t"))
        sp = r.get("sampled_peaks", {})
        peak = max([p.get("peak_rss", 0) for p in ph.values()] or [0])
        reached = r.get("progress", {})
        status = r["status"] + (f" (indexed {reached['docs_indexed']:,} docs in {reached['seconds']:.0f} s)"
                                if r["status"] != "ok" and reached else "")
        rows.append(
            f"| {r['engine']} | {status} | {ix.get('seconds', float('nan')):.0f} | {_gb(ix.get('index_bytes'))} | "
            f"{_gb(ix.get('peak_rss'))} | {ro.get('seconds', float('nan')):.2f} | {s1.get('qps', float('nan')):.0f} | "
            f"{s2.get('qps', float('nan')):.0f} | {_gb(max(s1.get('peak_rss', 0), s2.get('peak_rss', 0)) or None)} | "
            f"{_gb(peak or None)} ({_gb(sp.get('RssAnon'))} + {_gb(sp.get('RssFile'))}) | "
            f"{s1.get('mrr_at_10', float('nan')):.4f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=8_841_823)
    ap.add_argument("--queries", type=int, default=6_980)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/bm25-scale"))
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--limit-s", type=float, default=3600.0, help="per engine: index + reopen + search")
    ap.add_argument("--reuse-index", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--progress", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.folder, args.index_dir, args.docs, args.progress)
        return
    from benchmarks.perf.msmarco_synth import ensure

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        ap.error(f"unknown engines {sorted(unknown)}; known: {', '.join(ENGINES)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    folder, made = ensure(args.workdir / f"synth-{args.docs}", args.docs, min(args.queries, args.docs), args.seed,
                          show_progress=sys.stderr.isatty())
    corpus_bytes = (folder / "corpus.jsonl").stat().st_size
    print(f"corpus {folder}: {args.docs:,} passages, {corpus_bytes / 2**30:.2f} GiB "
          f"({'generated in %.0f s' % (time.perf_counter() - t0) if made else 'reused'})", flush=True)
    results = []
    for engine in engines:
        results.append(run_engine(engine, folder, args.workdir, args.docs, args.limit_s, args.reuse_index))
        print(f"{engine}: {results[-1]['status']} after {results[-1]['wall_s']:.0f} s", flush=True)
        if args.out:
            atomic_write_json(args.out, {"docs": args.docs, "corpus_bytes": corpus_bytes,
                                         "loadavg": os.getloadavg(), "results": results})
    print(table(results))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
