"""Each LLM client against the server's own ceiling: `bench build ultrachat`, `bench build qasnowball --backend
llm` and `bench run ultrachat-eval`, one after the other against one llama.cpp server (SmolLM2-135M GGUF).

    python -m benchmarks.perf.llm_throughput [--threads 1] [--concurrency 4] [--uc-concepts 1] [--uc-questions 4]
                                             [--qs-docs 8] [--eval-limit 8] [--levels 1] [--json out.json]

Method. Each client runs through a recording proxy on 127.0.0.1 (its request cache off, so every request
reaches the server); its throughput is completion tokens/s (and requests/s) over the window from its
first request to its last reply, so its own gaps between requests count against it. Then the *same
request bodies*, in the same order, are replayed through the same proxy by a plain load generator
(`concurrency` threads, each sending the next body as soon as its reply arrives): that is the server's
saturated throughput at exactly that client's prompt/length mix (same seeds, so the same completions),
over the same path, so the ratio isolates the client.
ratio = client tokens/s / ceiling tokens/s, the ceiling being the best replay over `--concurrency` and
`--levels` in flight (default 1 and 4), which also shows where the server saturates.

The server: llama-cpp-python's `llama_cpp.server` (the version in requirements). It has no parallel
slots and no continuous batching: every completion runs under one lock (llama_cpp/server/app.py,
`llama_outer_lock` / `llama_inner_lock`), so its ceiling is one request at a time kept busy (the replays
at 1 and 4 in flight show this).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.perf.llm_load import LlamaServer, RecordingProxy, replay, summarize

REPO = Path(__file__).resolve().parents[2]


def _bench(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench", *args]


def _run(cmd: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "BENCH_LLM_CACHE": "off"}
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[2:5])} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return time.monotonic() - t0


def ultrachat_cmd(work: Path, url: str, concurrency: int, concepts: int, questions: int) -> list[str]:
    cfg = {"sectors": [1], "seed": 5,
           "sector1": {"meta_concepts": ["Food and drink", "Technology", "Travel", "Health", "Music", "Sports"][:concepts],
                       "subtopics_per_concept": [2, 2], "questions_per_subtopic": questions, "expanded_per_question": 0,
                       "rounds": [2, 3]},
           "seeds_sampling": {"temperature": 0.7, "max_tokens": 96},
           "assistant_sampling": {"temperature": 0.7, "max_tokens": 96},
           "user_sampling": {"temperature": 0.9, "max_tokens": 48},
           "list_retries": 1, "user_retries": 1}
    (work / "uc.json").write_text(json.dumps(cfg))
    return _bench("build", "ultrachat", str(work / "uc-out"), "--model", "smollm2", "--base-url", url, "--config",
                  str(work / "uc.json"), "--concurrency", str(concurrency), "--no-llm-cache", "-q")


def qasnowball_cmd(work: Path, url: str, concurrency: int, n_docs: int, data: Path) -> list[str]:
    from annotation.squad_io import load_qa_file

    path = data / "xquad" / "xquad.en.json"
    recs = load_qa_file(path).records
    paragraphs = [(a.get("title", ""), p["context"]) for a in json.loads(path.read_text(encoding="utf-8"))["data"]
                  for p in a["paragraphs"]]
    docs = [{"doc_id": f"xquad-en-{i}", "title": t, "context": c} for i, (t, c) in enumerate(paragraphs)
            if i >= 10 and len(c) < 900][:n_docs]
    (work / "seed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[:60]), encoding="utf-8")
    (work / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return _bench("build", "qasnowball", "--out", str(work / "qs-out"), "--backend", "llm", "--chat", "openai",
                  "--chat-model", "smollm2", "--chat-url", url, "--chat-concurrency", str(concurrency),
                  "--seed-file", str(work / "seed.jsonl"), "--docs", str(work / "docs.jsonl"), "--lang", "en",
                  "--rounds", "1", "--answers-per-doc", "3", "--questions-per-answer", "2", "--llm-max-tokens", "64",
                  "--roundtrip", "off", "--min-confidence", "0", "--no-rule", "uncertain_type", "--no-llm-cache", "-q")


def eval_cmd(work: Path, url: str, concurrency: int, limit: int) -> list[str]:
    return _bench("run", "ultrachat-eval", "--model-backend", "openai", "--model", "smollm2", "--base-url", url,
                  "--judge-model", "smollm2", "--judge-base-url", url, "-p", f"limit={limit}", "-p", "max_tokens=96",
                  "-p", "judge_max_tokens=12", "-p", "judge_grammar=true", "-p", f"concurrency={concurrency}",
                  "-p", f"judge_concurrency={concurrency}", "-p", "n_boot=200",
                  "-p", f"cache_dir={work / 'eval-cache'}", "-o", str(work / "eval-out"), "-q")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads (the box has 2 cores)")
    ap.add_argument("--concurrency", type=int, default=4, help="requests in flight per client and in the replay")
    ap.add_argument("--uc-concepts", type=int, default=1, help="UltraChat sector-1 meta-concepts (2 subtopics each)")
    ap.add_argument("--uc-questions", type=int, default=4, help="UltraChat opening questions per subtopic")
    ap.add_argument("--qs-docs", type=int, default=8, help="QASnowball documents")
    ap.add_argument("--eval-limit", type=int, default=8, help="ultrachat-eval questions")
    ap.add_argument("--levels", default="1", help="replay each mix at these in-flight counts too (besides "
                    "--concurrency); the ceiling is the best of them")
    ap.add_argument("--clients", default="ultrachat-eval,qasnowball,ultrachat", help="in this order")
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA_MIRROR", "/work/shared/data")))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="llm_perf_"))
    out: dict[str, Any] = {"threads": args.threads, "concurrency": args.concurrency, "clients": {},
                           "loadavg_start": os.getloadavg()}
    with LlamaServer(threads=args.threads) as server, RecordingProxy(server.base_url) as proxy:
        # warm the model (first-call mmap and graph setup are not throughput)
        replay([{"model": "smollm2", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8}],
               server.base_url, 1)
        cmds = {"ultrachat": lambda: ultrachat_cmd(work, proxy.base_url, args.concurrency, args.uc_concepts,
                                                   args.uc_questions),
                "qasnowball": lambda: qasnowball_cmd(work, proxy.base_url, args.concurrency, args.qs_docs, args.data),
                "ultrachat-eval": lambda: eval_cmd(work, proxy.base_url, args.concurrency, args.eval_limit)}
        levels = [int(x) for x in args.levels.split(",") if x.strip()]
        for name in [c for c in args.clients.split(",") if c]:
            proxy.take()
            wall = _run(cmds[name]())
            calls = proxy.take()
            client = summarize(calls)
            bodies = [c.body for c in sorted(calls, key=lambda c: c.start)]
            # the same path as the client's; the ceiling is the best of the in-flight levels tried
            replays = {}
            for level in sorted({args.concurrency, *levels}):
                replays[level] = replay(bodies, proxy.base_url, level)
                proxy.take()
            ceiling = max(replays.values(), key=lambda r: r["completion_tokens_per_s"])
            ratio = client["completion_tokens_per_s"] / ceiling["completion_tokens_per_s"]
            out["clients"][name] = {"client": client, "ceiling": ceiling, "ratio_tokens": round(ratio, 3),
                                    "ratio_requests": round(client["requests_per_s"] / ceiling["requests_per_s"], 3),
                                    "process_wall_s": round(wall, 2), "loadavg": os.getloadavg(),
                                    "aimd": _aimd(work, name),
                                    "replays_by_concurrency": replays}
            print(f"{name}: client {client['completion_tokens_per_s']} tok/s {client['requests_per_s']} req/s "
                  f"({client['requests']} requests, idle {client['idle_share']:.1%}); ceiling "
                  f"{ceiling['completion_tokens_per_s']} tok/s {ceiling['requests_per_s']} req/s; ratio {ratio:.3f}",
                  flush=True)
            print("  replays (in flight -> tok/s): " + ", ".join(
                f"{k} -> {v['completion_tokens_per_s']}" for k, v in replays.items()), flush=True)
    out["loadavg_end"] = os.getloadavg()
    print(table(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return out


def _aimd(work: Path, name: str) -> dict[str, Any] | None:
    """The client's own account of its in-flight limit (manifest), to tell a throttled client apart."""
    try:
        if name == "ultrachat":
            return json.loads((work / "uc-out" / "manifest.json").read_text())["usage"]["assistant"].get("concurrency")
        if name == "qasnowball":
            return json.loads((work / "qs-out" / "manifest.json").read_text()).get("llm", {}).get("concurrency")
    except (OSError, KeyError, ValueError):
        return None
    return None


def table(out: dict[str, Any]) -> str:
    rows = ["| client | requests | client tok/s | client req/s | server ceiling tok/s (same mix) | ceiling req/s "
            "| ratio tok/s | ratio req/s | idle share (client) |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r in out["clients"].items():
        c, s = r["client"], r["ceiling"]
        rows.append(f"| {name} | {c['requests']} | {c['completion_tokens_per_s']} | {c['requests_per_s']} | "
                    f"{s['completion_tokens_per_s']} | {s['requests_per_s']} | **{r['ratio_tokens']}x** | "
                    f"{r['ratio_requests']}x | {c['idle_share']:.1%} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
