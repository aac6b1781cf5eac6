"""`bench build qasnowball --backend llm` through the shared request cache, against the real llama.cpp
server (SmolLM2) behind a recording proxy on 127.0.0.1 that counts and keeps every request body.

A reference run without the cache fixes the output; a cached run is killed with SIGKILL while one of its
question-generation requests waits at the proxy and resumed: no answered request is sent again, the held
one once more, and the outputs are byte-identical to the reference. A second identical build (new output
folder, same cache) sends zero requests.
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
FILES = ["generated.jsonl", "generated.squad.json", "round_1/generated.jsonl", "round_1/docs.jsonl"]


@pytest.fixture()
def inputs(shared_data, tmp_path) -> dict[str, Path]:
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.inputs import docs_from_records

    recs = load_qa_file(shared_data / "xquad" / "xquad.en.json").records
    docs = [d for d in docs_from_records(recs)[10:] if len(d["context"]) < 300][:4]   # short: quick on a CPU
    (tmp_path / "seed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[:40]), encoding="utf-8")
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return {"seed": tmp_path / "seed.jsonl", "docs": tmp_path / "docs.jsonl"}


def _args(out: Path, url: str, inputs: dict[str, Path], *cache: str) -> list[str]:
    return bench("build", "qasnowball", "--out", str(out), "--backend", "llm", "--chat", "openai",
                 "--chat-model", "smollm2", "--chat-url", url, "--chat-concurrency", "1", "--seed-file",
                 str(inputs["seed"]), "--docs", str(inputs["docs"]), "--lang", "en", "--rounds", "1",
                 "--answers-per-doc", "2", "--questions-per-answer", "1", "--roundtrip", "off", "--min-confidence", "0",
                 "--no-rule", "uncertain_type", "--llm-max-tokens", "16", "--seed", "3", "-q", *cache)


def _run(args: list[str]) -> None:
    """In this process (the imports are paid once); only the run that is killed needs a process of its own."""
    from typer.testing import CliRunner

    from bench.cli import app

    result = CliRunner().invoke(app, args[3:])
    assert result.exit_code == 0, result.output[-3000:]


def test_killed_llm_build_resumes_from_the_cache_and_a_second_build_sends_nothing(llama_server, inputs, tmp_path):
    cache = tmp_path / "llm-cache"
    hold = Hold()
    with FailingProxy(llama_server.base_url, hold) as proxy:
        _run(_args(tmp_path / "ref", proxy.base_url, inputs, "--no-llm-cache"))
        total = proxy.forwarded
        assert total == 8                             # 4 documents x 2 answers, one question request each

        out = tmp_path / "run"
        args = _args(out, proxy.base_url, inputs, "--llm-cache", str(cache))
        hold.at = proxy.requests + 5                   # document 3's first request
        proc = subprocess.Popen(args, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert hold.arrived.wait(300), "the run never reached the held request"
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        hold.release.set()
        assert proc.returncode == -signal.SIGKILL
        assert proxy.forwarded - total == 4             # answered before the kill

        before = proxy.forwarded
        _run(args + ["--resume"])
        assert proxy.forwarded - before == 4            # the held request and the three after it
        assert sha256_files(tmp_path / "ref", FILES) == sha256_files(out, FILES)

        before = proxy.requests
        _run(_args(tmp_path / "again", proxy.base_url, inputs, "--llm-cache", str(cache)))
        assert proxy.requests == before
        assert sha256_files(tmp_path / "ref", FILES) == sha256_files(tmp_path / "again", FILES)

    answered = [body_key(b) for i, b in enumerate(proxy.bodies[total:], total + 1) if i not in hold.held]
    assert len(answered) == len(set(answered)), "a request was answered twice"
    assert answered.count(body_key(proxy.bodies[hold.at - 1])) == 1
    llm = json.loads((tmp_path / "again" / "manifest.json").read_text())["llm"]
    assert llm["requests"] == 0 and llm["cache_hits"] == total
    assert len((cache / "chat.jsonl").read_text(encoding="utf-8").splitlines()) == total
