"""tests/xdist_groups.py: under `-n 2 --dist loadgroup`, the tests that share a server or a module fixture run
on one worker, and shared groups start first.

A small suite is written to tmp_path and run by a child pytest with two real xdist workers. Its fixtures
are stand-ins named like the suite's (`ray_cluster`, `llama_server`: here they return a string): only their
names decide the grouping, and starting a real cluster would only slow this test down. Each test records
the worker it ran on. pytest 9.2 silently broke xdist's own grouping (pytest-dev/pytest-xdist#1386): this
test fails if ours ever breaks the same way.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.xdist_groups import groups_file

REPO = Path(__file__).resolve().parents[1]

CONFTEST = '''
import json, os, time
import pytest

pytest_plugins = ["tests.xdist_groups"]


@pytest.fixture(scope="session")
def ray_cluster():
    return "a stand-in: the name is what groups"


@pytest.fixture(scope="session")
def llama_server():
    return "a stand-in: the name is what groups"


@pytest.fixture(autouse=True)
def _record(request):
    yield
    with open(os.environ["XDIST_GROUPS_LOG"], "a") as f:
        f.write(json.dumps([request.node.nodeid, os.environ["PYTEST_XDIST_WORKER"], time.monotonic()]) + "\\n")
'''

RAY_A = '''
import time

def test_ray_1(ray_cluster): time.sleep(0.2)
def test_ray_2(ray_cluster): time.sleep(0.2)
def test_plain_in_a(): time.sleep(0.05)
'''

RAY_B = '''
import time

def test_ray_3(ray_cluster): time.sleep(0.2)
def test_llm_1(llama_server): time.sleep(0.2)
def test_llm_and_ray(llama_server, ray_cluster): time.sleep(0.2)
'''

LLM = '''
import time

def test_llm_2(llama_server): time.sleep(0.2)
'''

MODULE_FIXTURE = '''
import time
import pytest

@pytest.fixture(scope="module")
def built():
    return []

def test_m1(built): time.sleep(0.1)
def test_m2(built): time.sleep(0.1)
def test_m3(): time.sleep(0.1)
'''

def _env(**extra: str) -> dict[str, str]:
    """The environment without the variables of the xdist worker this test may itself run in."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}, **extra}


PLAIN = "import time\n" + "".join(f"def test_p{i}(): time.sleep(0.1)\n" for i in range(12))


def test_groups_run_on_one_worker_and_start_first(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    for name, text in {"conftest.py": CONFTEST, "test_a_plain.py": PLAIN, "test_b_module.py": MODULE_FIXTURE,
                       "test_c_ray.py": RAY_A, "test_d_ray_llm.py": RAY_B, "test_e_llm.py": LLM}.items():
        (suite / name).write_text(text, encoding="utf-8")
    log = tmp_path / "log.jsonl"
    env = _env(PYTHONPATH=str(REPO), XDIST_GROUPS_LOG=str(log))
    uid = "groups-test-" + tmp_path.name
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
                           "--rootdir", str(suite), "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder",
                           "--testrunuid", uid, str(suite)], cwd=suite, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(rows) == 12 + 3 + 3 + 3 + 1
    worker = {nodeid.rsplit("::", 1)[1]: w for nodeid, w, _ in rows}
    assert len(set(worker.values())) == 2, "the plain tests should spread over both workers"
    # Ray first: the test that needs both servers goes with Ray, so two clusters never run at once
    ray = {worker[t] for t in ("test_ray_1", "test_ray_2", "test_ray_3", "test_llm_and_ray")}
    llm = {worker[t] for t in ("test_llm_1", "test_llm_2")}
    module = {worker[t] for t in ("test_m1", "test_m2")}
    assert len(ray) == 1 and len(llm) == 1 and len(module) == 1, (ray, llm, module)
    # the shared groups are handed out before the plain tests, though collected after them
    started = sorted(rows, key=lambda r: r[2])
    first_two = {nodeid.rsplit("::", 1)[1] for nodeid, _, _ in started[:2]}
    assert first_two & {"test_ray_1", "test_ray_2", "test_ray_3", "test_llm_and_ray", "test_llm_1", "test_llm_2"}, \
        started[:4]
    assert not groups_file(uid).exists()          # the controller cleaned up


def test_dash_s_runs_in_one_process_so_prints_show(tmp_path: Path) -> None:
    """`-s` with the suite's `-n auto`: no workers (their prints would be lost); `-n 2 -s` keeps its workers."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.xdist_groups"]\n', encoding="utf-8")
    (tmp_path / "test_p.py").write_text("import os\n\ndef test_p():\n"
                                        "    print('worker:', os.environ.get('PYTEST_XDIST_WORKER', 'none'))\n",
                                        encoding="utf-8")
    env = _env(PYTHONPATH=str(REPO))

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
                               "--rootdir", str(tmp_path), "--dist", "loadgroup", *args, str(tmp_path)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        return proc.stdout

    assert "worker: none" in run("-n", "auto", "-s")
    assert "worker:" not in run("-n", "2", "-s")          # a worker's print: captured, never shown
