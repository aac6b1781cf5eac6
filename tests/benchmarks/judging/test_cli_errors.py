"""`bench run ultrachat-eval` mistakes end in one red line (exit 2) before any request is wasted."""
from __future__ import annotations

from tests.bench.cli.test_cli_errors import assert_user_error, bench


def test_judged_run_user_errors(shared_data, tmp_path):
    env = {"BENCH_DATA_MIRROR": str(shared_data)}
    run = ("run", "ultrachat-eval", "-o", str(tmp_path / "out"), "--model", "m")
    assert_user_error(bench(*run, env=env), "needs a judge", "--judge-model")
    # a missing baseline is reported before the model or the judge is called (no server is running here)
    assert_user_error(bench(*run, "--judge-model", "j", "--base-url", "http://127.0.0.1:9/v1",
                            "--baseline", str(tmp_path / "nope.json"), env=env), "nope.json", "not found")
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question_id": 1, "category": "x", "turns": ["a"]}\n{"question_id": 2, "turns": "b"}\n',
                   encoding="utf-8")
    assert_user_error(bench(*run, "--judge-model", "j", "--dataset", str(bad), env=env), "q.jsonl:2", "field turns")
    assert_user_error(bench(*run, "--judge-model", "j", "-p", "temprature=0", env=env), "-p temprature")
    assert_user_error(bench(*run, "--judge-model", "j", "--base-url", "http://127.0.0.1:9/v1", "--judge-base-url",
                            "http://127.0.0.1:9/v1", "-p", "max_retries=0", "-p", "limit=1", env=env),
                      "answering model m (openai)", "127.0.0.1:9", "gave up")
    assert_user_error(bench(*run, "--judge-model", "j", "--mode", "elo", env=env), "--mode 'elo'")
