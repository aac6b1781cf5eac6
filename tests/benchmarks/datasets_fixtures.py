"""Session fixtures shared by the submission, leaderboard and export tests (issue 8).

Imported by each of those folders' conftest.py. Real runs: `bench run cranfield --retriever bm25`
(seconds), a second Cranfield model with other BM25 parameters (so the leaderboard has something
to sort), `bench run muser --run <committed BM25 run>` when the MUSER task is registered, and
`bench run webcpm-action --predictions <the repo's test_output.json>` (a predictions-scored task).
The results folder is cached under pytest's session temp dir, so it is built once per session.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def mirror() -> Path:
    return Path(os.environ.get("BENCH_DATA_MIRROR", REPO.parent / "shared" / "data")).resolve()


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(BENCH_DATA_MIRROR=str(mirror()), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               PYTHONPATH=str(REPO), COLUMNS="200")
    return env


def bench(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real CLI (`python -m bench ...`) from the repository root."""
    proc = subprocess.run([sys.executable, "-m", "bench", *args], cwd=REPO, env=bench_env(),
                          capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"bench {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def task_available(name: str) -> bool:
    from benchmarks.tasks.registry import TASKS

    return name in TASKS


def muser_task_available() -> bool:
    return task_available("muser")


def expected_tasks() -> list[str]:
    """The tasks `bench_results` ran, given the tasks merged into this checkout."""
    return sorted(["cranfield"] + [t for t in ("muser", "webcpm-action") if task_available(t)])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = mirror()
    if not (path / "cranfield").is_dir():
        pytest.skip(f"shared data not found at {path} (set BENCH_DATA_MIRROR)")
    os.environ.setdefault("BENCH_DATA_MIRROR", str(path))
    return path


@pytest.fixture(scope="session")
def bench_results(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of real results + runs: cranfield bm25 (default and k1=0.9,b=0.4), muser when it exists."""
    root = tmp_path_factory.getbasetemp() / "datasets-bench-results"
    done = root / ".done"
    if done.is_file():
        return root
    bench("run", "cranfield", "--retriever", "bm25", "-o", str(root), "-q")
    bench("run", "cranfield", "--retriever", "bm25-rank", "-p", "k1=0.9", "-p", "b=0.4", "-o", str(root), "-q")
    if muser_task_available():
        bench("run", "muser", "--run", str(shared_data / "muser" / "predictions" / "bm25_top100.json"),
              "-o", str(root), "-q")
    if task_available("webcpm-action"):          # a predictions-scored task (not a TREC run)
        bench("run", "webcpm-action", "--predictions",
              str(shared_data / "webcpm" / "inference" / "output" / "test_output.json"), "-o", str(root), "-q")
    done.write_text("ok")
    return root


@pytest.fixture(scope="session")
def submission_zip(bench_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`bench submit` over the real results (built once per session)."""
    out = tmp_path_factory.getbasetemp() / "datasets-submission" / "submission.zip"
    if not out.is_file():
        bench("submit", str(bench_results), "--out", str(out))
    return out


def result_files(results_dir: Path) -> list[Path]:
    return sorted(p for p in results_dir.glob("*.json")
                  if "schema_version" in json.loads(p.read_text(encoding="utf-8")))
