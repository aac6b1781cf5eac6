"""Spans in code points (emoji, CJK) and the qasnowball-qa round trip."""
from __future__ import annotations

import json

import pytest

from annotation.labelstudio.base import LabelStudioError
from annotation.labelstudio.roundtrip import export_kind, import_export
from annotation.labelstudio.spans import SpanMismatch, check_span, codepoint_to_utf16, utf16_len, utf16_to_codepoint
from tests.annotation.labelstudio.support import choice, make_export, span
from tests.muser_support import REPO

FIX = REPO / "tests" / "fixtures" / "labelstudio"
TEXT = "The rocket 🚀 launched from Cape Canaveral 🌴 in 1969."


def test_code_points_emoji_and_cjk():
    s = check_span(TEXT, 27, 41, "Cape Canaveral")
    assert (s.start, s.end, s.converted) == (27, 41, False)
    cjk = "😀北京是中国的首都"
    assert check_span(cjk, 1, 3, "北京").text == "北京"
    assert utf16_len("😀北京") == 4 and codepoint_to_utf16(cjk, 1) == 2 and utf16_to_codepoint(cjk, 1) is None


def test_utf16_offsets_are_converted():
    start, end = codepoint_to_utf16(TEXT, 27), codepoint_to_utf16(TEXT, 41)
    assert (start, end) == (28, 42)                   # one astral emoji before the span
    s = check_span(TEXT, start, end, "Cape Canaveral")
    assert (s.start, s.end, s.converted) == (27, 41, True)
    tail = check_span(TEXT, codepoint_to_utf16(TEXT, 42), codepoint_to_utf16(TEXT, 44), "🌴 ")
    assert tail.text == "🌴 " and tail.converted


@pytest.mark.parametrize("start,end,text,msg", [(0, 4, "rock", "selects 'The '"), (5, 5, "x", "empty"),
                                                (40, 90, "x", "past the end"), ("1", 3, "x", "integers")])
def test_span_mismatch(start, end, text, msg):
    with pytest.raises(SpanMismatch, match=msg):
        check_span(TEXT, start, end, text)


@pytest.fixture()
def qa_tasks(tmp_path):
    export_kind("qasnowball-qa", FIX / "qa.jsonl", tmp_path / "ls")
    return json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))


def test_qa_export_predictions_are_code_point_spans(qa_tasks):
    for t in qa_tasks:
        v = t["predictions"][0]["result"][0]["value"]
        assert t["data"]["context"][v["start"]:v["end"]] == v["text"]
    assert qa_tasks[0]["predictions"][0]["score"] == 0.91


def test_qa_import_two_annotators(qa_tasks, tmp_path):
    def good(i, d):
        v = qa_tasks[i]["predictions"][0]["result"][0]["value"]
        return [span("answer", "context", v["start"], v["end"], v["text"]), choice("question", "context", "ok")]

    def js(i, d):       # a JavaScript-offset export: UTF-16 units; and rejects question 3
        v = qa_tasks[i]["predictions"][0]["result"][0]["value"]
        c = d["context"]
        if i == 2:
            return [choice("question", "context", "bad")]
        return [span("answer", "context", codepoint_to_utf16(c, v["start"]), codepoint_to_utf16(c, v["end"]), v["text"]),
                choice("question", "context", "ok")]

    export = make_export(qa_tasks, {"a": good, "b": js}, tmp_path / "export.json")
    s = import_export("qasnowball-qa", export, tmp_path / "out")
    assert sum("UTF-16" in w for w in s["warnings"]) == 2          # q1 (🚀 before) and q2 (😀 before)
    assert "task 1 field answer[0]" in s["warnings"][0]
    rows = [json.loads(x) for x in (tmp_path / "out/qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5 and all(r["context"][r["answers"]["answer_start"][0]:].startswith(r["answers"]["text"][0])
                                  for r in rows)
    assert s["agreement"]["question"]["cohen_kappa"]["a|b"]["items"] == 3
    adj = [json.loads(x) for x in (tmp_path / "out/adjudication.jsonl").read_text().splitlines()]
    assert {(r["item"], r["field"]) for r in adj} == {("q3", "question"), ("q3", "answer")}


def test_qa_wrong_span_names_task_and_field(qa_tasks, tmp_path):
    export = make_export(qa_tasks, {"a": lambda i, d: [span("answer", "context", 0, 3, "北京"),
                                                       choice("question", "context", "ok")]}, tmp_path / "e.json")
    with pytest.raises(LabelStudioError, match=r"e\.json task 1 field answer\[0\]: \[0, 3\) selects 'The'"):
        import_export("qasnowball-qa", export, tmp_path / "out")
    no_span = make_export(qa_tasks, {"a": lambda i, d: [choice("question", "context", "ok")]}, tmp_path / "n.json")
    with pytest.raises(LabelStudioError, match="task 1 field answer: question marked ok but no answer span"):
        import_export("qasnowball-qa", no_span, tmp_path / "out")


def test_not_an_export(tmp_path):
    (tmp_path / "x.json").write_text('{"tasks": []}', encoding="utf-8")
    with pytest.raises(LabelStudioError, match="expected a JSON list of tasks"):
        import_export("qasnowball-qa", tmp_path / "x.json", tmp_path / "out")
    with pytest.raises(LabelStudioError, match="not found"):
        import_export("qasnowball-qa", tmp_path / "missing.json", tmp_path / "out")
    with pytest.raises(LabelStudioError, match="unknown annotation kind"):
        import_export("nope", tmp_path / "x.json", tmp_path / "out")
