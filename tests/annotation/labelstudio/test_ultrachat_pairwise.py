"""ultrachat-pairwise offline: the shown order is drawn per task and recorded, A/B map back to model/baseline,
agreement is computed on the winners, and bad sources or annotations are one-line errors naming file, task, field."""
from __future__ import annotations

import json

import pytest

from annotation.labelstudio.base import LabelStudioError
from annotation.labelstudio.roundtrip import export_kind, import_export
from tests.annotation.labelstudio.support import choice, make_export


def _pairs(tmp_path, n=20):
    rows = [{"id": str(i), "model": "m", "baseline": "b", "question": f"q{i}", "answer_model": f"model says {i}",
             "answer_baseline": f"base {i}"} for i in range(n)]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_order_is_randomised_recorded_and_mapped_back(tmp_path):
    export_kind("ultrachat-pairwise", _pairs(tmp_path), tmp_path / "ls", {"seed": "3"})
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    shown_first = [t["data"]["a_is"] for t in tasks]
    assert 5 <= shown_first.count("model") <= 15                        # a fair coin over 20 tasks
    for t in tasks:
        d = t["data"]
        assert d["answer_a"].startswith("model says" if d["a_is"] == "model" else "base")
    again = tmp_path / "ls2"
    export_kind("ultrachat-pairwise", _pairs(tmp_path), again, {"seed": "3"})
    assert json.loads((again / "tasks.json").read_text()) == tasks      # the same seed, the same tasks

    # ann always clicks A; bob prefers the model's answer wherever it is shown, a tie on task 0
    def bob(i, d):
        return [choice("preference", "answer_a", "Tie" if i == 0 else ("A is better" if d["a_is"] == "model"
                                                                       else "B is better"))]
    export = make_export(tasks, {"ann": lambda i, d: [choice("preference", "answer_a", "A is better")], "bob": bob},
                         tmp_path / "export.json")
    s = import_export("ultrachat-pairwise", export, tmp_path / "out")
    records = [json.loads(x) for x in (tmp_path / "out" / "records.jsonl").read_text().splitlines()]
    for r, t in zip([r for r in records if r["annotator"] == "ann"], tasks):
        assert r["choice"] == "A" and r["winner"] == t["data"]["a_is"]
    assert {r["winner"] for r in records if r["annotator"] == "bob" and r["id"] != "0"} == {"model"}
    ag = s["agreement"]["preference"]
    agree = sum(t["data"]["a_is"] == "model" for t in tasks[1:]) / 20
    assert ag["items_with_several"] == 20
    from annotation.agreement import cohen_kappa
    ann = [t["data"]["a_is"] for t in tasks]
    bobs = ["tie"] + ["model"] * 19
    assert ag["cohen_kappa"]["ann|bob"]["kappa"] == pytest.approx(cohen_kappa(ann, bobs))
    assert s["disagreements"] == round(20 - agree * 20)


def test_bad_sources_and_annotations(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "model": "m", "baseline": "m", "question": "q", "answer_model": "a", '
                   '"answer_baseline": "b"}\n', encoding="utf-8")
    with pytest.raises(LabelStudioError, match="bad.jsonl:1: fields model/baseline"):
        export_kind("ultrachat-pairwise", bad, tmp_path / "x")
    bad.write_text('{"id": "1", "model": "m", "baseline": "b", "question": "q", "answer_model": ""}\n', encoding="utf-8")
    with pytest.raises(LabelStudioError, match="bad.jsonl:1: field answer_model"):
        export_kind("ultrachat-pairwise", bad, tmp_path / "x")
    export_kind("ultrachat-pairwise", _pairs(tmp_path, 2), tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    export = make_export(tasks, {"a": lambda i, d: [choice("preference", "answer_a", "Both")]}, tmp_path / "e.json")
    with pytest.raises(LabelStudioError, match=r"task 1 field preference: answer \['Both'\]"):
        import_export("ultrachat-pairwise", export, tmp_path / "out")
    del tasks[0]["data"]["a_is"]
    export = make_export(tasks, {"a": lambda i, d: [choice("preference", "answer_a", "Tie")]}, tmp_path / "e2.json")
    with pytest.raises(LabelStudioError, match="task 1 field data.a_is"):
        import_export("ultrachat-pairwise", export, tmp_path / "out")
