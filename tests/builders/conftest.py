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


@pytest.fixture(scope="module")
def ray_cluster():
    """A real local Ray cluster (2 CPUs, no dashboard) for one test module, shut down after it. Skipped
    on a dev box without ray; under CI a missing ray is a failure (it is in requirements.txt)."""
    try:
        import ray
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the Ray executor tests: pip install ray (requirements.txt)")
        pytest.skip("ray is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}})
    yield ray
    ray.shutdown()
