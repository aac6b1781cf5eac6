"""kill -9 a `python -m bench build ...` subprocess at chosen points, for the resume tests of every builder.

A point is "file F has at least N complete lines" (the builders' checkpoints are JSONL files written one
fsynced line per item), polled every few milliseconds, so the kill lands inside the run at a known stage
without any test hook in the builder. `sha256_files` fingerprints the outputs to compare with an
uninterrupted run.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

from core import sha256_file

REPO = Path(__file__).resolve().parents[2]


def bench(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}


def lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def run(args: Sequence[str], timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), env=env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def refused(args: Sequence[str], timeout: float = 300) -> str:
    """Run a build that must be refused: exit 2, one line on stderr, no traceback; returns that line."""
    proc = subprocess.run(list(args), env=env(), capture_output=True, text=True, timeout=timeout)
    err = proc.stderr.strip()
    assert proc.returncode == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err[-3000:]
    return err


def kill_at(args: Sequence[str], path: Path, at_least: int, timeout: float = 300) -> int:
    """Start the build, SIGKILL it once `path` has `at_least` complete lines; return the lines left on disk.

    Fails when the build ends before the point is reached (the kill would test nothing)."""
    proc = subprocess.Popen(list(args), env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while lines(path) < at_least:
            if proc.poll() is not None:
                raise AssertionError(f"build ended (rc {proc.returncode}) before {path.name} had {at_least} lines: "
                                     f"{proc.stderr.read().decode(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{path.name} never reached {at_least} lines")
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"build was not killed (rc {proc.returncode})"
    return lines(path)


def sha256_files(root: Path, names: Iterable[str] | None = None) -> dict[str, str]:
    """sha256 of the named files under `root` (default: every file), by relative path."""
    paths = [root / n for n in names] if names is not None else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): sha256_file(p) for p in paths}
