"""Fixtures shared by the builder tests: the real llama.cpp server (SmolLM2-135M-Instruct GGUF)."""
from __future__ import annotations

import os

import pytest

from tests.builders.llm.llama_server import ensure_server, llama_server_available

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def llama_server():
    """A real OpenAI-compatible server on 127.0.0.1. Skipped on a dev box without it; under CI
    (CI=true) a missing server is a failure, so a missing install step cannot pass as a skip."""
    ok, why = llama_server_available()
    if not ok:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the llama.cpp tests: {why}")
        pytest.skip(why)
    return ensure_server()
