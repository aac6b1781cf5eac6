"""The MUSER commands end to end: build from the written fixtures, validate, run, tagger, errors."""
import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from bench.cli import app
from benchmarks.artifacts import variant
from tests.muser_support import FIXTURES, REPO

runner = CliRunner()


def test_build_validate_and_run_fixture_dataset(tmp_path, muser_dir, shared_data, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    out = tmp_path / "ds"
    r = runner.invoke(app, ["build", "muser", "--cases", str(FIXTURES / "cases_pool.json"), "--out", str(out),
                            "--queries", "101,104,107", "--queries", "110", "--depth", "6",
                            "--judgments", str(FIXTURES / "judgments.jsonl"), "--test-fraction", "0.5"])
    assert r.exit_code == 0, r.output
    assert "kappa aqbq" in r.output and (out / "hf" / "README.md").exists()
    r = runner.invoke(app, ["validate", "muser", str(out), "--no-warnings"])
    assert r.exit_code == 0 and "0 error(s)" in r.output and "agreement zyjd (8 pairs)" in r.output, r.output
    r = runner.invoke(app, ["run", "muser", "--data-dir", str(out), "--retriever", "elements", "--split", "all",
                            "-o", str(tmp_path / "runs"), "-q"])
    assert r.exit_code == 0, r.output
    # --split all is not the task's default split: the result is named apart (benchmarks.artifacts)
    result = json.loads((tmp_path / "runs" / f"muser__elements.{variant({'split': 'all'})}.json").read_text())
    assert set(result["metrics"]) == {"paper", "paper-head", "standard"} and result["extra"]["queries"] == 4


def test_run_committed_bm25_prints_both_sets(tmp_path, muser_dir, shared_data, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    r = runner.invoke(app, ["run", "muser", "--run", str(muser_dir / "predictions/bm25_top100.json"), "--split", "all",
                            "-o", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "0.7924" in r.output and "0.2368" in r.output and "standard" in r.output and "paper-head" in r.output


def test_validate_reports_planted_errors_with_location(tmp_path, muser_dir):
    cases = json.loads((FIXTURES / "cases_pool.json").read_text(encoding="utf-8"))
    cases["102"]["split_labels"]["aqbq"]["level2"].append("银行转账交付借款")   # a level-3 name at level 2
    path = tmp_path / "cases_pool.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(app, ["validate", "muser", str(path), "--schema", str(muser_dir / "legal_items"), "--json"])
    assert r.exit_code == 2
    rows = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    assert any(x["record"] == "102" and x["field"].startswith("split_labels.aqbq.level2[")
               and "not level2" in x["message"] for x in rows), r.output


def test_tagger_train_small(tmp_path, muser_dir, shared_data, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    r = runner.invoke(app, ["tagger", "train", "--limit", "600", "--out", str(tmp_path / "m"), "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "m" / "report.json").read_text())
    assert report["split"]["conflicting_sentences_dropped"] == 90 and report["split"]["test"] == 120
    assert 0 < report["metrics"]["micro_f1"] <= 1 and "micro_f1" in r.output


def test_user_error_is_one_line(tmp_path, shared_data):
    env = {**os.environ, "BENCH_DATA_MIRROR": str(shared_data)}
    bad = tmp_path / "cases.json"
    bad.write_text("{not json", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "bench", "build", "muser", "--cases", str(bad), "--out",
                        str(tmp_path / "o"), "-q", "1"], cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert f"{bad}" in p.stderr and "not valid JSON" in p.stderr
