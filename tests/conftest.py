"""Shared test fixtures: the real data mirror, offline mode, and a private cache.

Tests read real files from the data mirror (CI: <clone>/../shared/data, exported by .ci/run as
BENCH_DATA_MIRROR); they never download from model/dataset hubs.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the MUSER fixtures (muser_dir, built_dataset) for every test that names them; which tests share an xdist worker
pytest_plugins = ["tests.muser_support", "tests.xdist_groups"]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# no shared LLM request cache (engines.llm.cache) unless a test names its folder: tests that count requests
# at a proxy must not be answered from another test's (or the developer's) cache
os.environ["BENCH_LLM_CACHE"] = "off"


# Tests marked `jvm` start a Java VM in the test process (the lucene retriever, through pyjnius). A Ray
# driver started later in the same process (the Ray tests) replaces the JVM's SIGSEGV handler, and the JVM
# dies on its next safepoint (rc 139, no message). So the main run deselects them and
# tests/test_jvm_isolated.py runs them in a fresh pytest process, where no Ray has run.
JVM_CHILD_ENV = "DATABENCH_JVM_CHILD"
JVM_NODEIDS: list[str] = []          # the tests deselected here, for the child to run (and nothing else to collect)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(JVM_CHILD_ENV) == "1":
        return
    jvm = [item for item in items if item.get_closest_marker("jvm")]
    JVM_NODEIDS[:] = [item.nodeid for item in jvm]
    if jvm:
        config.hook.pytest_deselected(items=jvm)
        items[:] = [item for item in items if not item.get_closest_marker("jvm")]


def _mirror() -> Path:
    """BENCH_DATA_MIRROR, else shared/data beside the clone (CI), else two levels up (git worktrees)."""
    if os.environ.get("BENCH_DATA_MIRROR"):
        return Path(os.environ["BENCH_DATA_MIRROR"]).expanduser().resolve()
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "data").is_dir():
            return (base / "shared" / "data").resolve()
    return REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder holding the real datasets (shared/data); skips the test when it is absent."""
    path = _mirror()
    if not path.is_dir():
        pytest.skip(f"data mirror {path} not found (set BENCH_DATA_MIRROR)")
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the registry's cache (downloads, verification stamps) out of the user's home."""
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path_factory.getbasetemp() / "bench_cache"))


@pytest.fixture(scope="session")
def llama_server():
    """A real OpenAI-compatible server on 127.0.0.1 (SmolLM2-135M-Instruct GGUF), shared by the builder,
    LLM-backend and judging tests. Skipped on a dev box without it; under CI (CI=true) a missing server is
    a failure, so a missing install step cannot pass as a skip."""
    from tests.engines.llm.llama_server import ensure_server, llama_server_available

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
            pytest.fail("CI must run the Ray tests (executor, dense encoding): pip install ray (requirements.txt)")
        pytest.skip("ray is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}})
    yield ray
    ray.shutdown()
