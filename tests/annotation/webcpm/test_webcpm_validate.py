"""The trace validator catches each planted violation in a corrupted copy of a real trace.

The released data holds no complete trace file; the base trace is rebuilt from the real
prompts of test_output.json (builders.webcpm.recover), which carries the real queries, result
windows, page windows, quotes and merges of a human annotator.
"""
from __future__ import annotations

import copy
import json

import pytest

from annotation.webcpm import actions as A
from annotation.webcpm.validate import validate_path, validate_record
from builders.webcpm.recover import recover_traces


@pytest.fixture(scope="module")
def real_trace(test_output):
    for trace in recover_traces(test_output):
        names = [a["action"] for a in trace["actions"]]
        if A.MERGE in names and A.LOAD in names and trace["meta"]["complete"]:
            trace = copy.deepcopy(trace)
            trace["answer"] = "据报道，事故原因仍在调查【1】。"
            return trace
    pytest.fail("no complete real trace with a merge")


def _first(trace, name):
    return next(i for i, a in enumerate(trace["actions"]) if a["action"] == name)


def _plant(trace, kind):
    t = copy.deepcopy(trace)
    acts = t["actions"]
    if kind == "start_first":
        del acts[0]
        for a in acts:
            a["step"] -= 1 if a["step"] else 0
        return t, "actions[0].action"
    if kind == "close_last":
        acts.pop()
        return t, f"actions[{len(acts) - 1}].action"
    if kind == "step_plus_one":
        acts[5]["step"] += 1
        return t, "actions[5].step"
    if kind == "load_visible_href":
        i = _first(t, A.LOAD)
        acts[i]["details"]["href"] = "https://not-on-screen.example/"
        return t, f"actions[{i}].details.href"
    if kind == "quote_in_window":
        i = _first(t, A.QUOTE)
        acts[i]["details"]["text"] = "这句话从未出现在可见窗口里"
        return t, f"actions[{i}].details.text"
    if kind == "quote_in_page_mode":
        j = _first(t, A.SEARCH)                       # a real quote, replayed right after the search
        acts.insert(j + 1, copy.deepcopy(acts[_first(t, A.QUOTE)]))
        for k in range(j + 1, len(acts) - 1):
            acts[k]["step"] = acts[k - 1]["step"] + 1
        acts[-1]["step"] = acts[-2]["step"]
        return t, f"actions[{j + 1}].action"
    if kind == "merge_two":
        i = _first(t, A.MERGE)
        acts[i]["details"]["merges"] = acts[i]["details"]["merges"][:1]
        return t, f"actions[{i}].details.merges"
    if kind == "digest_snapshot":
        i = _first(t, A.QUOTE) + 1
        acts[i]["digests"] = []
        return t, f"actions[{i}].digests"
    if kind == "budget":
        close = acts.pop()
        filler = copy.deepcopy(acts[-1])
        filler.update(action=A.DOWN, details={})
        while len(acts) < A.MAX_STEPS + 5:
            acts.append(dict(copy.deepcopy(filler), step=acts[-1]["step"] + 1))
        acts.append(dict(close, step=acts[-1]["step"]))
        return t, "actions"
    if kind == "citation":
        t["answer"] += f"另见【{len(t['digests']) + 1}】。"
        return t, "answer"
    if kind == "action_name":
        acts[3]["action"] = "CLICK_SOMEWHERE"
        return t, "actions[3].action"
    raise AssertionError(kind)


def test_real_trace_is_clean(real_trace, shared_data):
    assert validate_record(real_trace) == []
    template = shared_data / "webcpm" / "run_web_browsing" / "intermediate_file" / "test.json"
    assert validate_path(template) == []


@pytest.mark.parametrize("kind", ["start_first", "close_last", "step_plus_one", "load_visible_href",
                                  "quote_in_window", "quote_in_page_mode", "merge_two", "digest_snapshot",
                                  "budget", "citation", "action_name"])
def test_planted_violation_is_caught(real_trace, kind):
    corrupted, field = _plant(real_trace, kind)
    issues = validate_record(corrupted, file="corrupted.jsonl")
    assert issues, kind
    assert field in {i.field for i in issues}, (kind, [str(i) for i in issues])
    assert all(i.record == real_trace["_id"] and i.file == "corrupted.jsonl" for i in issues)


def test_wrong_types_are_reported_not_raised(real_trace):
    bad = copy.deepcopy(real_trace)
    bad["answer"] = ["not", "a", "string"]
    bad["actions"][2] = "RECORD_CLOSE"
    bad["actions"][4]["details"] = None
    fields = {i.field for i in validate_record(bad)}
    assert {"answer", "actions[2]", "actions[4].details"} <= fields


def test_all_violations_of_a_file_are_listed_with_lines(real_trace, tmp_path):
    kinds = ["step_plus_one", "load_visible_href", "merge_two", "citation"]
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps(real_trace, ensure_ascii=False)]
    for k, kind in enumerate(kinds):
        t, _ = _plant(real_trace, kind)
        t["_id"] = f"bad{k}"
        lines.append(json.dumps(t, ensure_ascii=False))
    lines.append("{not json")
    lines.append(json.dumps(real_trace, ensure_ascii=False))        # duplicate _id
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issues = validate_path(path)
    by_line = {i.line for i in issues}
    assert {2, 3, 4, 5, 6, 7} <= by_line and 1 not in by_line
    assert any(i.field == "_id" and "duplicate" in i.message for i in issues)
    step = next(i for i in issues if i.record == "bad0")
    assert str(step).startswith(f"{path}:2 record bad0 field actions[5].step: step ")


def test_cli_lists_violations(real_trace, tmp_path):
    from typer.testing import CliRunner

    from bench.cli import app

    bad, _ = _plant(real_trace, "merge_two")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"data": [bad]}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "webcpm", str(path)])
    assert result.exit_code == 2
    assert f"record {bad['_id']}" in result.output and "details.merges" in result.output
    good = tmp_path / "good.json"
    good.write_text(json.dumps([real_trace], ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(app, ["validate", "webcpm", str(good)]).exit_code == 0
