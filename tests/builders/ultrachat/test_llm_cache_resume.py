"""`bench build ultrachat` through the shared request cache, against the real llama.cpp server behind a
recording proxy on 127.0.0.1 (the proxy counts and keeps every request body, as the judging e2e test does).

An uninterrupted reference run (no cache) fixes the output. A second run with a cache folder is killed
with SIGKILL while one of its dialogue requests waits at the proxy, then resumed: no request that was
answered before the kill is sent again, the held one is sent once more, and the dataset files are
byte-identical to the reference. A third identical build (new output folder, same cache) sends zero
requests and writes the same files. The API key reaches the server but not the cache.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.builders.killpoints import bench, env, sha256_files
from tests.engines.llm.failing_proxy import FailingProxy
from tests.engines.llm.hold import Hold, body_key

pytestmark = [pytest.mark.llm, pytest.mark.slow]
SECRET = "sk-test-uc-cache-never-store-me"
FILES = ["openings.jsonl", "dialogues.jsonl", "rejected.jsonl", "ultrachat.jsonl", "removed.jsonl",
         "filter_report.json", "export/raw.jsonl"]


def _config(tmp: Path) -> Path:
    cfg = {"sectors": [1], "seed": 11,
           "sector1": {"meta_concepts": ["Food and drink"], "subtopics_per_concept": [1, 1],
                       "questions_per_subtopic": 2, "expanded_per_question": 0, "rounds": [2, 2]},
           "seeds_sampling": {"temperature": 0.7, "max_tokens": 48},
           "assistant_sampling": {"temperature": 0.7, "max_tokens": 40},
           "user_sampling": {"temperature": 0.9, "max_tokens": 24},
           "list_retries": 1, "user_retries": 1,
           "system_prompt": "You are a helpful assistant. Answer in one short sentence."}
    path = tmp / "config.json"
    path.write_text(json.dumps(cfg))
    return path


def _env() -> dict[str, str]:
    return {**env(), "OPENAI_API_KEY": SECRET}


def _args(out: Path, url: str, config: Path, *cache: str) -> list[str]:
    return bench("build", "ultrachat", str(out), "--model", "smollm2", "--base-url", url, "--config", str(config),
                 "--concurrency", "1", "--quiet", *cache)


def _run(args: list[str]) -> None:
    """In this process (the imports are paid once); only the run that is killed needs a process of its own."""
    from typer.testing import CliRunner

    from bench.cli import app

    result = CliRunner().invoke(app, args[3:], env={"OPENAI_API_KEY": SECRET})
    assert result.exit_code == 0, result.output[-3000:]


def test_killed_build_resumes_from_the_cache_and_a_second_build_sends_nothing(llama_server, tmp_path):
    config = _config(tmp_path)
    cache = tmp_path / "llm-cache"
    hold = Hold()
    with FailingProxy(llama_server.base_url, hold) as proxy:
        _run(_args(tmp_path / "ref", proxy.base_url, config, "--no-llm-cache"))
        total = proxy.forwarded
        assert total >= 8, total                     # seed lists + two dialogues of 1-2 rounds
        assert not cache.exists()

        # the cached run, killed while its third-to-last request (a dialogue turn) waits at the proxy
        out = tmp_path / "run"
        args = _args(out, proxy.base_url, config, "--llm-cache", str(cache))
        start = proxy.requests
        hold.at = start + total - 2
        proc = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert hold.arrived.wait(300), "the run never reached the held request"
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        hold.release.set()
        assert proc.returncode == -signal.SIGKILL
        answered_before_kill = proxy.forwarded - total
        assert answered_before_kill == total - 3
        assert (out / "dialogues.jsonl").exists() and not (out / "ultrachat.jsonl").exists()

        # resume: only what was not answered before the kill goes to the server
        before = proxy.forwarded
        _run(args + ["--resume"])
        assert proxy.forwarded - before == total - answered_before_kill == 3
        assert sha256_files(tmp_path / "ref", FILES) == sha256_files(out, FILES)

        # a second identical build, into a new folder with the same cache: not one request
        before = proxy.requests
        _run(_args(tmp_path / "again", proxy.base_url, config, "--llm-cache", str(cache)))
        assert proxy.requests == before
        assert sha256_files(tmp_path / "ref", FILES) == sha256_files(tmp_path / "again", FILES)

    answered = [body_key(b) for i, b in enumerate(proxy.bodies[total:], total + 1) if i not in hold.held]
    assert len(answered) == len(set(answered)), "a request was answered twice"
    assert answered.count(body_key(proxy.bodies[hold.at - 1])) == 1      # the killed one, re-sent once
    manifest = json.loads((tmp_path / "again" / "manifest.json").read_text())
    usage = manifest["usage"]["assistant"]
    assert usage["requests"] == 0 and usage["cache_hits"] == total
    assert manifest["stages"]["dialogues"]["llm"]["cache_hits"] > 0
    lines = (cache / "chat.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == total                           # stored once each
    assert SECRET not in (cache / "chat.jsonl").read_text(encoding="utf-8")
    assert all(set(json.loads(line)) == {"key", "backend", "model", "text", "finish_reason", "prompt_tokens",
                                         "completion_tokens", "cost_usd"} for line in lines)
