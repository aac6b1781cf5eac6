"""CLI behaviour that needs no model: one-line errors for bad input, validate exit codes, the exporter line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app

REPO = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_bad_config_is_one_line_error(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"sector2": {"rounds": [5, 1]}}))
    p = run("build", "ultrachat", str(tmp_path / "out"), "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
            "--config", str(cfg), "--quiet")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "c.json: config.sector2.rounds" in p.stderr
    assert not (tmp_path / "out").exists()


def test_missing_sector3_materials_is_one_line_error(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"sectors": [3]}))
    p = run("build", "ultrachat", str(tmp_path / "out"), "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
            "--config", str(cfg), "--quiet")
    assert p.returncode == 2 and "sector 3 needs materials" in p.stderr and "Traceback" not in p.stderr


def test_stats_on_missing_path_and_validate_exit_codes(tmp_path):
    p = run("stats", "ultrachat", str(tmp_path / "nope.jsonl"))
    assert p.returncode == 2 and "nope.jsonl: no such file or folder" in p.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "data": ["only a question"]}) + "\n")
    r = CliRunner().invoke(app, ["validate", "ultrachat", str(bad)])
    assert r.exit_code == 2 and "bad.jsonl:1 record x field data: a dialogue needs" in r.output.replace("\n", "")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "x", "data": ["Q?", "A."]}) + "\n")
    assert CliRunner().invoke(app, ["validate", "ultrachat", str(good)]).exit_code == 0


def test_exporter_line(tmp_path):
    from datasets import load_dataset

    from bench.export.registry import get_exporter

    src = tmp_path / "d.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "data": [f"Question {i}?", f"Answer {i}."]}) + "\n"
                           for i in range(12)))
    out = get_exporter("ultrachat")(tmp_path / "hf", source=src)
    ds = load_dataset(str(out))
    assert sum(len(s) for s in ds.values()) == 12
