"""`bench build webcpm` (oracle, then replay of its own traces), `bench build webcpm-tasks`, errors."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from benchmarks.cli import app


def test_build_replay_convert_cli(shared_data, tmp_path):
    corpus = tmp_path / "five.json"
    lines = (shared_data / "dureader_demo" / "devset" / "search.dev.json").read_text(encoding="utf-8").splitlines()
    corpus.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "traces.jsonl"
    res = runner.invoke(app, ["build", "webcpm", str(out), "--corpus", str(corpus), "-q"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["validate", "webcpm", str(out)]).exit_code == 0

    replayed = tmp_path / "replayed.jsonl"
    res = runner.invoke(app, ["build", "webcpm", str(replayed), "--corpus", str(corpus), "--policy", "replay",
                              "--replay", str(out), "-q"])
    assert res.exit_code == 0, res.output
    original = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    again = [json.loads(x) for x in replayed.read_text(encoding="utf-8").splitlines()]
    assert len(again) == 5
    for a, b in zip(original, again):
        assert b["meta"]["divergences"] == []
        assert [x["action"] for x in a["actions"]] == [x["action"] for x in b["actions"]]
        assert a["digests"] == b["digests"]

    res = runner.invoke(app, ["build", "webcpm-tasks", str(out), str(tmp_path / "tasks"), "--ratios", "3,1,1"])
    assert res.exit_code == 0, res.output
    split = json.loads((tmp_path / "tasks" / "splits.json").read_text(encoding="utf-8"))
    assert (len(split["train"]), len(split["dev"]), len(split["test"])) == (3, 1, 1)


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["build", "webcpm-tasks", str(tmp_path / "missing.jsonl"), str(tmp_path / "o")])
    assert res.exit_code != 0 and isinstance(res.exception, Exception) and "missing.jsonl" in str(res.exception)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no id"}\n', encoding="utf-8")
    res = runner.invoke(app, ["build", "webcpm-tasks", str(bad), str(tmp_path / "o"), "--ratios", "1,1"])
    assert "--ratios" in str(res.exception)
    res = runner.invoke(app, ["build", "webcpm-tasks", str(bad), str(tmp_path / "o")])
    assert "bad.jsonl:1" in str(res.exception) and "_id" in str(res.exception)
    assert not (tmp_path / "o").exists()
