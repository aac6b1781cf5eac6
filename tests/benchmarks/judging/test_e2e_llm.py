"""ultrachat-eval end to end against the real llama.cpp server: SmolLM2-135M answers and judges 10 questions.

Every request goes through a recording proxy on 127.0.0.1. The model run is killed with SIGKILL while
one of its judge requests is held at the proxy, then re-run: no request that was answered is ever sent
again, the held one is sent once more, and a third run sends nothing. The API key (from the environment)
reaches the server but no file or log. Then bench submit / verify / leaderboard build take the results.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engines.llm.failing_proxy import FailingProxy
from tests.engines.llm.hold import Hold

pytestmark = pytest.mark.llm
REPO = Path(__file__).resolve().parents[3]
SECRET = "sk-test-4f1d9c-never-log-me"
N = 10


def _cmd(proxy_url: str, out: Path, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bench", "run", "ultrachat-eval", "--model-backend", "openai",
            "--model", "smollm2", "--base-url", proxy_url, "--judge-model", "smollm2", "--judge-base-url", proxy_url,
            "-p", f"limit={N}", "-p", "judge_max_tokens=12", "-p", "judge_grammar=true", "-p", "concurrency=1",
            "-p", "judge_concurrency=1", "-p", "n_boot=200", "-p", f"cache_dir={cache}", "-o", str(out), "-q", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": SECRET, "HF_HUB_OFFLINE": "1"}


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc


def _body_key(body: dict) -> str:
    return json.dumps(body, sort_keys=True)


@pytest.mark.slow
def test_judged_run_resumes_after_kill_without_duplicate_requests(llama_server, shared_data, tmp_path):
    hold = Hold()
    cache = tmp_path / "cache"
    logs: list[str] = []
    with FailingProxy(llama_server.base_url, hold) as proxy:
        # 1. the baseline: the same model with shorter answers (10 answers + 10 grades)
        base = _run(_cmd(proxy.base_url, tmp_path / "base", cache, "-p", "max_tokens=16"))
        logs += [base.stdout, base.stderr]
        assert proxy.forwarded == 2 * N
        base_result = tmp_path / "base" / "ultrachat-eval__smollm2.json"

        # 2. the model run, killed while its 15th request (a single-answer grade) waits at the proxy
        start = proxy.requests
        hold.at = start + 15
        cmd = _cmd(proxy.base_url, tmp_path / "model", cache, "-p", "max_tokens=32", "--baseline", str(base_result))
        proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert hold.arrived.wait(240), "the run never reached the held request"
        os.kill(proc.pid, signal.SIGKILL)
        logs.append(proc.communicate(timeout=30)[0])
        hold.release.set()
        assert proc.returncode == -signal.SIGKILL
        answered_before_kill = proxy.forwarded - 2 * N
        assert answered_before_kill == 14
        assert not (tmp_path / "model" / "ultrachat-eval__smollm2.json").exists()

        # 3. the rerun finishes the job: 10 answers + 10 grades + 20 pairwise judgments in all
        before = proxy.forwarded
        rerun = _run(cmd)
        logs += [rerun.stdout, rerun.stderr]
        assert proxy.forwarded - before == (N + N + 2 * N) - answered_before_kill

        # 4. a third run is served from the caches: not one request
        before = proxy.requests
        again = _run(cmd)
        logs += [again.stdout, again.stderr]
        assert proxy.requests == before

    answered = [_body_key(b) for i, b in enumerate(proxy.bodies, 1) if i not in hold.held]
    assert len(answered) == len(set(answered)), "a request was answered twice"
    held_body = _body_key(proxy.bodies[hold.at - 1])
    assert answered.count(held_body) == 1          # the killed request was re-sent exactly once
    assert set(proxy.auth_headers) == {f"Bearer {SECRET}"}

    result = json.loads((tmp_path / "model" / "ultrachat-eval__smollm2.json").read_text())
    pw, single = result["metrics"]["pairwise"], result["metrics"]["single"]
    assert pw["n"] == N and single["n"] == N
    assert pw["consistency"] + pw["n_inconsistent"] / N == pytest.approx(1.0)
    assert 0.0 <= pw["first_position_rate"] <= 1.0
    assert pw["win_rate"] + pw["tie_rate"] + pw["loss_rate"] == pytest.approx(1.0)
    assert pw["win_rate_ci_low"] <= pw["win_rate"] <= pw["win_rate_ci_high"]
    assert pw["mean_length_delta"] > 0              # 32-token answers against 16-token ones
    assert single["n_invalid"] == 0                 # the grammar keeps SmolLM2's replies parseable
    assert set(result["extra"]["judging"]["prompts"]) == {"single-v1", "pair-v1"}
    assert result["model"]["params"]["judge"] == "openai:smollm2"
    assert result["model"]["params"]["judge_max_tokens"] == 12 and result["model"]["params"]["max_tokens"] == 32
    assert result["model"]["params"]["baseline"] == "smollm2"
    assert result["extra"]["usage"]["cache"]["judgments"]["misses"] == 0   # the third run
    print(f"\nsingle score {single['score']:.2f}, win/tie/loss {pw['win_rate']:.2f}/{pw['tie_rate']:.2f}/"
          f"{pw['loss_rate']:.2f}, consistency {pw['consistency']:.2f}, first-position {pw['first_position_rate']:.2f}")

    # the key was read from the environment and written nowhere
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    assert not any(SECRET in log for log in logs)

    # 5. submit, verify (re-computed from the stored judgments) and the leaderboard page
    zpath = tmp_path / "subs" / "judged.zip"
    zpath.parent.mkdir()
    for args in (["submit", str(tmp_path / "model"), "--out", str(zpath)], ["verify", str(zpath)],
                 ["leaderboard", "build", str(zpath.parent), "--out", str(tmp_path / "site")]):
        _run([sys.executable, "-m", "bench", *args])
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'data-task="ultrachat-eval"' in page and "smollm2" in page
    assert "judge=openai:smollm2" in page and "consistency" not in page   # main set (single) columns only


def test_mtbench_style_file_multi_turn(llama_server, tmp_path):
    """A two-turn question: turn 2 is asked with turn 1's own answer, and judged as a conversation."""
    qfile = tmp_path / "questions.jsonl"
    qfile.write_text(json.dumps({"question_id": 81, "category": "writing", "turns": [
        "Write one sentence about the sea.", "Now rewrite it as a question."]}) + "\n"
        + json.dumps({"question_id": 82, "category": "math", "turns": ["What is 2 + 2?"]}) + "\n", encoding="utf-8")
    baseline = tmp_path / "ref.jsonl"
    baseline.write_text(json.dumps({"question_id": 81, "choices": [{"turns": ["The sea is vast.", "Is the sea vast?"]}]})
                        + "\n" + json.dumps({"question_id": 82, "answers": ["4"]}) + "\n", encoding="utf-8")
    with FailingProxy(llama_server.base_url, lambda n: None) as proxy:
        cmd = [sys.executable, "-m", "bench", "run", "ultrachat-eval", "--model-backend", "openai",
               "--model", "smollm2", "--base-url", proxy.base_url, "--judge-model", "smollm2",
               "--judge-base-url", proxy.base_url, "--dataset", str(qfile), "--baseline", str(baseline),
               "-p", "max_tokens=24", "-p", "judge_max_tokens=12", "-p", "judge_grammar=true", "-p", "n_boot=50",
               "-o", str(tmp_path / "out"), "-q", "--mode", "pairwise-lc"]
        _run(cmd)
    assert proxy.forwarded == 3 + 2 + 4               # 3 answered turns, 2 grades, 2 x 2 pairwise
    turn2 = [b for b in proxy.bodies if len(b["messages"]) == 3]
    assert len(turn2) == 1 and turn2[0]["messages"][1]["role"] == "assistant"
    result = json.loads((tmp_path / "out" / "ultrachat-eval__smollm2.pairwise-lc.json").read_text())
    assert result["dataset"] == "custom:questions.jsonl"
    assert result["main_score"]["metric"] == "lc_win_rate" and result["main_score"]["set"] == "pairwise"
    assert set(result["extra"]["judging"]["prompts"]) == {"single-v1", "single-multi-v1", "pair-v1", "pair-multi-v1"}
    assert result["metrics"]["by_category"]["pairwise/writing/n"] == 1.0
    judged = [b for b in proxy.bodies if "Conversation with User" in json.dumps(b)]
    assert len(judged) == 3                           # the 2-turn question: 1 grade + 2 pairwise orders
