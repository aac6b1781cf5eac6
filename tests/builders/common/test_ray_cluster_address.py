"""`--executor ray --address HOST:PORT` against a separately started Ray cluster (`ray start --head`),
as on a real cluster: the driver is another process that only knows the address and the token.

Ray >= 2.5x clusters started with `ray start` use token authentication; the head and the driver are
given the same token file (RAY_AUTH_MODE=token, RAY_AUTH_TOKEN_PATH), as README's "Scaling out" says.
The head gets its own --temp-dir, so a plain `ray.init()` elsewhere never finds and joins it, and it is
stopped by killing its process group (`ray stop` would stop every Ray on the machine).
"""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

RAY = Path(sys.executable).with_name("ray")
REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_head():
    if not RAY.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the Ray cluster test: {RAY} missing (ray is in requirements.txt)")
        pytest.skip("the ray CLI is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="rayh", dir="/tmp"))       # short: Ray's socket paths are length-limited
    (tmp / "token").write_text(secrets.token_hex(32), encoding="utf-8")
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(tmp / "token")}
    port = _free_port()
    env = {**os.environ, **auth, "PYTHONPATH": str(REPO)}
    head = subprocess.Popen([str(RAY), "start", "--head", "--block", "--port", str(port), "--num-cpus", "2",
                             "--include-dashboard=false", "--disable-usage-stats", "--temp-dir", str(tmp / "ray")],
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or head.poll() is not None:
                    pytest.fail(f"ray start --head did not listen on port {port}")
                time.sleep(0.5)
        yield {"address": f"127.0.0.1:{port}", "env": env}
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        subprocess.run(["pkill", "-KILL", "-f", str(tmp)], check=False)   # any daemon that left the group
        shutil.rmtree(tmp, ignore_errors=True)


def _build(out: Path, env: dict, corpus: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", "build", "webcpm", str(out), "--corpus", str(corpus),
                           "--limit", "10", "-q", *extra], env={**env, "HF_HUB_OFFLINE": "1"}, cwd=REPO,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_build_on_a_separate_cluster_by_address_equals_local(ray_head, shared_data, tmp_path):
    corpus = shared_data / "dureader_demo" / "devset" / "search.dev.json"
    local = _build(tmp_path / "local.jsonl", ray_head["env"], corpus)
    assert local.returncode == 0, local.stderr
    remote = _build(tmp_path / "ray.jsonl", ray_head["env"], corpus, "--executor", "ray", "--num-workers", "2",
                    "--address", ray_head["address"])
    assert remote.returncode == 0, remote.stderr
    assert "Connecting to existing Ray cluster" in remote.stderr          # it joined the head, not a new local Ray
    sha = [hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in ("local.jsonl", "ray.jsonl")]
    assert sha[0] == sha[1] and len((tmp_path / "ray.jsonl").read_text(encoding="utf-8").splitlines()) == 10
