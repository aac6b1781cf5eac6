"""bench/experiments/qasnowball_neural.py: the three-way split is disjoint and checked, a leak or a build of
other inputs is refused, and a small end-to-end run (tiny random BERT, one seed) writes its cells and table
and resumes without re-running them.

The "build" folders here are stand-ins written by the test (a manifest with the split's input hashes and
records taken from the documents' own XQuAD questions), because a real build costs minutes; what is under
test is the experiment's checking, training and table code, which reads only those two files.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.experiments import qasnowball_neural as exp
from core import UserError, sha256_json


def _fake_build(folder: Path, data: dict, records: list[dict], rounds: int = 2) -> Path:
    folder.mkdir(parents=True)
    recs = [dict(r, meta={"iteration": 1 + i % rounds}) for i, r in enumerate(records)]
    (folder / "generated.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    man = {"status": "complete", "rounds": [{}] * rounds,
           "config": {"seed_sha256": sha256_json(list(data["s0"])), "docs_sha256": sha256_json(list(data["docs"]))}}
    (folder / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def data(shared_data):
    return exp.split_data(shared_data, 0)


def test_three_way_split_is_disjoint(data):
    g = data["groups"]
    assert (len(g["s0"]), len(g["docs"]), len(g["eval"])) == (12, 24, 12)
    assert not (set(g["s0"]) & set(g["docs"]) or set(g["s0"]) & set(g["eval"]) or set(g["docs"]) & set(g["eval"]))
    assert {r["title"] for r in data["eval"]} == set(g["eval"]) and len(data["eval"]) > 250


def test_plan_runs_seed_by_seed_with_the_control_then_the_curves():
    keys = [c["key"] for c in exp.cell_plan(["x", "y"], [0, 1], ["y"], {"x": 2, "y": 3})]
    assert keys == ["a/s0", "b/x/s0", "c/x/s0", "b/y/s0", "c/y/s0", "d/s0",
                    "a/s1", "b/x/s1", "c/x/s1", "b/y/s1", "c/y/s1", "d/s1",
                    "c/y/r1/s0", "c/y/r1/s1", "c/y/r2/s0", "c/y/r2/s1"]
    only = [c["key"] for c in exp.cell_plan(["x", "y"], [0], ["y"], {"x": 2, "y": 3}, conditions="cr")]
    assert only == ["c/x/s0", "c/y/s0", "c/y/r1/s0", "c/y/r2/s0"]
    curve = [c["key"] for c in exp.cell_plan(["x", "y"], [0, 1], ["y"], {"x": 2, "y": 3}, conditions="r")]
    assert curve == ["c/y/r1/s0", "c/y/r1/s1", "c/y/r2/s0", "c/y/r2/s1"]


def test_the_paired_test_takes_the_best_full_data_row():
    """Curve rows (rounds <= r) and the control are not candidates; a setting named r... is (it was skipped once)."""
    def cell(cond, setting, seed, f1, max_round=None):
        per = {f"q{i}": {"F1": f1 + i % 2} for i in range(4)}
        return {"cond": cond, "setting": setting, "seed": seed, "max_round": max_round, "F1": f1, "EM": 0.0,
                "per_query": per, "train_sizes": [1], "total_s": 1.0}

    cells = [c for s in (0, 1) for c in (cell("a", None, s, 10.0), cell("c", "rule-loose", s, 12.0 + s),
                                         cell("c", "llm", s, 9.0), cell("c", "rule-loose", s, 30.0, max_round=1),
                                         cell("d", None, s, 40.0))]
    t = exp.table(cells, {})
    assert t["test"]["b"] == "c/rule-loose" and t["test"]["F1_diff"] == pytest.approx(2.5)
    assert t["test"]["per_seed"]["diffs"] == [2.0, 3.0] and t["control_test"]["a"] == "d"
    # --compare: any two rows, here a curve row against S0 alone; a row not measured is said to be
    t = exp.table(cells, {}, [("a", "c/rule-loose/r1"), ("a", "c/rule-loose/r2")])
    assert t["compare"][0]["b"] == "c/rule-loose/r1" and t["compare"][0]["F1_diff"] == pytest.approx(20.0)
    assert t["compare"][1] == {"a": "a", "b": "c/rule-loose/r2", "not_measured": "no row c/rule-loose/r2"}
    md = exp.markdown({**t, "reader": "r", "sizes": {"eval_questions": 4}, "groups": {"eval": []}})
    assert "c/rule-loose/r1 minus a: F1 +20.00" in md and "c/rule-loose/r2 minus a: not measured" in md


def test_a_leak_or_other_inputs_are_refused(data, tmp_path):
    doc_ctx = sorted(d["context"] for d in data["docs"])
    gen = [dict(data["eval"][0], context=doc_ctx[0])]          # an evaluation question in a document's context
    folder = _fake_build(tmp_path / "leak", data, gen)
    records, man = exp.load_setting(folder)
    with pytest.raises(UserError, match="generated record 1 .* holds an evaluation context or question"):
        exp.check_disjoint(data, {"leak": records}, {"leak": man})
    other = dict(data, s0=data["s0"][:-1])
    with pytest.raises(UserError, match="setting leak: its build read another seed set"):
        exp.check_disjoint(other, {"leak": []}, {"leak": man})


@pytest.mark.slow          # ~20 s of CPU: trains 4 tiny readers on S0 (286 q) and reads ~300 evaluation questions
def test_small_run_writes_cells_and_resumes(data, shared_data, tmp_path, capsys):
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.hf.tiny import build_tiny_checkpoints

    docs_titles = set(data["groups"]["docs"])
    recs = load_qa_file(shared_data / "xquad" / "xquad.en.json").records
    gen = [r for r in recs if r["title"] in docs_titles][:40]
    build = _fake_build(tmp_path / "build", data, gen)
    texts = [r["context"] for r in recs[::7]] + [r["question"] for r in recs[::3]]
    model = build_tiny_checkpoints(texts, tmp_path / "tiny", vocab_size=500, hidden=32, layers=2)["reader"]
    args = ["--out", str(tmp_path / "out"), "--setting", f"gen={build}", "--curve", "gen", "--model", model,
            "--data-root", str(shared_data), "--freeze-layers", "1", "--epochs", "1", "--lr", "1e-3",
            "--max-length", "128", "--batch-size", "32", "--seeds", "0", "--threads", "1", "--no-control"]
    exp.main(args)
    cells = sorted(p.name for p in (tmp_path / "out" / "cells").iterdir())
    assert cells == ["a__s0.json", "b__gen__s0.json", "c__gen__r1__s0.json", "c__gen__s0.json"]
    table = json.loads((tmp_path / "out" / "table.json").read_text(encoding="utf-8"))
    assert table["rows"]["b/gen"]["train_sizes"] == [40] and table["rows"]["c/gen/r1"]["train_sizes"] == [20, len(data["s0"])]
    assert table["sizes"]["eval_questions"] == len(data["eval"]) and 0 <= table["rows"]["a"]["F1_mean"] <= 100
    assert "| a | S0 only |" in (tmp_path / "out" / "table.md").read_text(encoding="utf-8")
    capsys.readouterr()
    exp.main(args)                                        # resumed: nothing re-runs
    assert "F1" not in capsys.readouterr().out.split("Reader:")[0]
    with pytest.raises(SystemExit, match="holds cells of another configuration .*differs in lr"):
        exp.main([a if a != "1e-3" else "2e-3" for a in args])
