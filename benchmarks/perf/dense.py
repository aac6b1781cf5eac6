"""Perf: dense encoding throughput and memory.

1. docs/s of our encoder path (DenseRetriever.index: length-sorted blocks, chunk files written) vs calling
   `SentenceTransformer.encode` directly with the same model, batch size and max_seq_length (target >= 0.9x);
   on a CUDA machine also fp16 vs fp32.
2. peak RSS of index + search for 10k vs 100k synthetic short docs, each size in a fresh subprocess
   (target: flat within 1.2x, because the corpus is encoded and scored chunk by chunk).
3. `--devices cuda:0,cuda:1,...`: docs/s per device count (1, 2, 4, ..., N first devices of the list) through
   sentence-transformers' multi-process pool, as `-p devices=` runs it; the pool's start-up is timed apart
   (paid once per index). Only this part runs when --devices is given.
Run: `python -m benchmarks.perf.dense [--docs 2000] [--sizes 10000,100000] [--model PATH_OR_NAME] [--devices LIST]`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

WORDS = ("wing flow boundary layer heat pressure shock wave supersonic laminar turbulent model theory "
         "experiment velocity surface plate cylinder jet nozzle buckling shell stress panel flutter").split()


def synthetic_docs(n: int, words: int = 8, seed: int = 0) -> list[str]:
    import numpy as np

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(WORDS), size=(n, words))
    return [" ".join(WORDS[j] for j in row) + f" {i}" for i, row in enumerate(idx)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: KiB


def rss_mb() -> float:
    """Current RSS (Linux /proc), so a phase's peak is not masked by the model-loading peak."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler:
    """Samples the current RSS every 10 ms in a thread; `.peak` = the highest seen."""

    def __init__(self) -> None:
        import threading

        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def tiny_model(folder: str) -> str:
    """A random 2-layer, 32-dim BERT sentence-transformer (WordPiece trained on WORDS): for the memory
    measurement when the real model is too slow on the machine (memory behaviour is the chunking's)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    hf_dir, st_dir = os.path.join(folder, "hf"), os.path.join(folder, "st")
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(WORDS + [str(i) for i in range(100)], trainers.WordPieceTrainer(
        vocab_size=300, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    fast.save_pretrained(hf_dir)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=fast.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=64)).save_pretrained(hf_dir)
    SentenceTransformer(modules=[Transformer(hf_dir, max_seq_length=32), Pooling(32)], device="cpu").save(st_dir)
    return st_dir


def throughput(model: str | None, n_docs: int, batch_size: int, max_seq_length: int, device: str | None,
               fp16: bool | None, rounds: int) -> dict:
    """Best-of-rounds docs/s, alternating ours and direct so machine load hits both alike."""
    from retrieval.dense import DenseRetriever
    from retrieval.types import Document

    texts = synthetic_docs(n_docs)
    corpus = {str(i): Document(str(i), t) for i, t in enumerate(texts)}
    r = DenseRetriever(model, device=device, batch_size=batch_size, max_seq_length=max_seq_length, fp16=fp16,
                       cache=False)
    st = r.encoder.st_model
    st.encode(texts[:256], batch_size=batch_size, show_progress_bar=False)      # warm-up
    ours, direct = [], []
    _ = r.encoder.revision                                                      # weights hash: once, not timed

    def run_ours() -> float:
        r.cache_dir = type(r.cache_dir)(tempfile.mkdtemp(prefix="perf-dense-"))  # no cache hit between rounds
        t0 = time.perf_counter()
        r.index(corpus, show_progress=False)
        return n_docs / (time.perf_counter() - t0)

    def run_direct() -> float:
        t0 = time.perf_counter()
        st.encode(texts, batch_size=batch_size, show_progress_bar=False, normalize_embeddings=True,
                  convert_to_numpy=True)
        return n_docs / (time.perf_counter() - t0)

    for i in range(rounds):          # alternate who goes first, so a load change hits both alike
        if i % 2 == 0:
            ours.append(run_ours())
            direct.append(run_direct())
        else:
            direct.append(run_direct())
            ours.append(run_ours())
    paired = sorted(o / d for o, d in zip(ours, direct))
    return {"device": r.encoder.device, "fp16": r.encoder.fp16, "ours": max(ours), "direct": max(direct),
            "ours_all": ours, "direct_all": direct, "paired_median": paired[len(paired) // 2],
            "total_ratio": sum(n_docs / x for x in direct) / sum(n_docs / x for x in ours)}


def device_counts(n: int) -> list[int]:
    """1, 2, 4, ... below n, then n."""
    counts, k = [], 1
    while k < n:
        counts.append(k)
        k *= 2
    return counts + [n]


def device_scaling(model: str | None, devices: list[str], n_docs: int, batch_size: int, max_seq_length: int,
                   rounds: int) -> list[dict]:
    """Steady-state docs/s of the dense encoder on the first k devices, for each k of device_counts. All pools
    are up at once and the rounds interleave the counts (in rotating order), so a change in machine load hits
    every count alike."""
    from contextlib import ExitStack

    from retrieval.st_encoder import STEncoder

    texts = synthetic_docs(n_docs)
    counts = device_counts(len(devices))
    rows = [{"devices": devices[:k], "all": []} for k in counts]
    with ExitStack() as stack:
        pools = []
        for row in rows:
            enc = STEncoder(model, devices=row["devices"], batch_size=batch_size, max_seq_length=max_seq_length)
            t0 = time.perf_counter()
            pool = stack.enter_context(enc.multi_device())
            row["pool_start_s"] = time.perf_counter() - t0
            enc.encode(texts[:256], pool=pool)                                   # warm-up on every device
            pools.append((enc, pool))
        for r in range(rounds):
            for j in [(r + i) % len(rows) for i in range(len(rows))]:
                enc, pool = pools[j]
                t1 = time.perf_counter()
                enc.encode(texts, pool=pool)
                rows[j]["all"].append(n_docs / (time.perf_counter() - t1))
    for row in rows:
        row["docs_per_s"] = max(row["all"])
    return rows


def rss_child(n_docs: int, model: str | None, batch_size: int, max_seq_length: int, chunk_size: int) -> None:
    """Runs in a fresh interpreter: index n_docs, search 100 queries, print JSON with peak RSS."""
    from retrieval.dense import DenseRetriever
    from retrieval.types import Document

    r = DenseRetriever(model, batch_size=batch_size, max_seq_length=max_seq_length, chunk_size=chunk_size,
                       cache=False)
    after_load = peak_rss_mb()
    texts = synthetic_docs(n_docs)
    corpus = {str(i): Document(str(i), t) for i, t in enumerate(texts)}
    del texts
    queries = {f"q{i}": t for i, t in enumerate(synthetic_docs(100, words=4, seed=1))}
    before = rss_mb()
    with RssSampler() as sampler:
        t0 = time.perf_counter()
        r.index(corpus, show_progress=False)
        t_index = time.perf_counter() - t0
        t0 = time.perf_counter()
        run = r.search(queries, k=100, show_progress=False)
        t_search = time.perf_counter() - t0
    assert len(run) == 100 and all(len(v) == 100 for v in run.values())
    print(json.dumps({"n_docs": n_docs, "peak_rss_mb": peak_rss_mb(), "after_model_load_mb": after_load,
                      "rss_before_index_mb": before, "peak_rss_index_search_mb": sampler.peak,
                      "index_s": t_index, "search_s": t_search}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="default: the packaged all-MiniLM-L6-v2")
    ap.add_argument("--memory-model", default=None,
                    help="model for the memory runs (default: --model); 'tiny' = a random 2-layer BERT built here")
    ap.add_argument("--docs", type=int, default=2000, help="docs for the throughput comparison")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--max-seq-length", type=int, default=32)
    ap.add_argument("--chunk-size", type=int, default=10_000)
    ap.add_argument("--sizes", default="10000,100000", help="corpus sizes for the RSS comparison ('' to skip)")
    ap.add_argument("--device", default=None)
    ap.add_argument("--devices", default=None, help="comma list, e.g. cuda:0,cuda:1 (cpu,cpu on a CPU box): "
                    "docs/s per device count, nothing else")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        rss_child(args.child, args.model, args.batch_size, args.max_seq_length, args.chunk_size)
        return
    import torch

    print(f"machine: {platform.platform()}, cpus {os.cpu_count()}, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), cuda: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}")
    print(f"model: {args.model or 'packaged all-MiniLM-L6-v2'}; synthetic docs of 8 words + id; "
          f"batch {args.batch_size}, max_seq_length {args.max_seq_length}")
    if args.devices:
        from retrieval.st_encoder import parse_devices

        rows = device_scaling(args.model, parse_devices(args.devices), args.docs, args.batch_size,
                              args.max_seq_length, args.rounds)
        base = rows[0]["docs_per_s"]
        for row in rows:
            print(f"[devices] {len(row['devices'])} ({','.join(row['devices'])}): {row['docs_per_s']:.0f} docs/s "
                  f"best of {args.rounds} (all {[round(x) for x in row['all']]}) -> {row['docs_per_s'] / base:.2f}x "
                  f"of 1 device; pool start {row['pool_start_s']:.1f} s (once per index)")
        return
    if args.docs:
        res = throughput(args.model, args.docs, args.batch_size, args.max_seq_length, args.device, None, args.rounds)
        ratio = res["ours"] / res["direct"]
        print(f"[throughput] {args.docs} docs, best of {args.rounds} ({res['device']}, fp16={res['fp16']}): "
              f"ours {res['ours']:.0f} docs/s, SentenceTransformer.encode {res['direct']:.0f} docs/s -> "
              f"{ratio:.2f}x [target >= 0.9x: {'met' if ratio >= 0.9 else 'NOT met'}]")
        print(f"    all rounds: ours {[round(x) for x in res['ours_all']]}, direct {[round(x) for x in res['direct_all']]}; "
              f"median of per-round ratios {res['paired_median']:.2f}x, total-time ratio {res['total_ratio']:.2f}x")
        if res["device"].startswith("cuda"):
            fp32 = throughput(args.model, args.docs, args.batch_size, args.max_seq_length, args.device, False,
                              args.rounds)
            print(f"[fp16 vs fp32] ours fp16 {res['ours']:.0f} docs/s vs fp32 {fp32['ours']:.0f} docs/s -> "
                  f"{res['ours'] / fp32['ours']:.2f}x")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    mem_model = args.memory_model or args.model
    if mem_model == "tiny":
        mem_model = tiny_model(tempfile.mkdtemp(prefix="perf-tiny-"))
        print("[memory] model: random tiny BERT (2 layers, 32 dims) built by the script")
    for n in sizes:
        cmd = [sys.executable, "-m", "benchmarks.perf.dense", "--child", str(n), "--batch-size", str(args.batch_size),
               "--max-seq-length", str(args.max_seq_length), "--chunk-size", str(args.chunk_size)]
        if mem_model:
            cmd += ["--model", mem_model]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(res)
        print(f"[memory] {n:>7} docs (chunk {args.chunk_size}): process peak RSS {res['peak_rss_mb']:.0f} MB "
              f"(peak after model load {res['after_model_load_mb']:.0f} MB); during index+search: RSS "
              f"{res['rss_before_index_mb']:.0f} MB before, peak {res['peak_rss_index_search_mb']:.0f} MB; "
              f"index {res['index_s']:.1f} s ({n / res['index_s']:.0f} docs/s), search 100 queries "
              f"{res['search_s']:.2f} s")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = b["peak_rss_mb"] / a["peak_rss_mb"]
        ratio_phase = b["peak_rss_index_search_mb"] / a["peak_rss_index_search_mb"]
        print(f"[memory] {b['n_docs']} vs {a['n_docs']} docs: process peak RSS {ratio:.2f}x, peak RSS during "
              f"index+search {ratio_phase:.2f}x [target <= 1.2x: {'met' if max(ratio, ratio_phase) <= 1.2 else 'NOT met'}]")


if __name__ == "__main__":
    main()
