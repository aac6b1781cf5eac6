"""annotation.squad_io: repairs what it can on the real files, reports the rest, never a traceback."""
from __future__ import annotations

import json

import pytest

from annotation.squad import QADataError, validate_records
from annotation.squad_io import gold_answers, load_qa_file, read_jsonl, repair_answers, to_nested


def test_cmrc_dev_repairs_and_reports(shared_data):
    rep = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json")
    assert rep.summary() == {"records": 3219, "repaired_answers": 7, "dropped_answers": 193, "dropped_questions": 0}
    assert validate_records((None, r) for r in rep.records) == []
    assert any(r.startswith("DEV_110_QUERY_2 answers[0]: answer_start 137 -> 135") for r in rep.repaired)
    # scoring keeps every gold text, offsets or not
    assert sum(len(v) for v in gold_answers(shared_data / "cmrc2018" / "cmrc2018_dev.json").values()) == 9657


def test_cmrc_trial_drops_empty_questions(shared_data):
    rep = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_trial.json")
    assert rep.summary()["repaired_answers"] == 5
    assert sorted(d.split(":")[0] for d in rep.dropped_questions) == ["TRIAL_20_QUERY_0", "TRIAL_776_QUERY_4"]


def test_repair_picks_nearest_occurrence_and_reports_missing():
    ctx = "abc xyz abc"
    texts, starts, repairs, drops = repair_answers(ctx, ["abc", "abc", "zzz", ""], [7, 9, -1, 0])
    assert (texts, starts) == (["abc", "abc"], [8, 8]) or (texts, starts) == (["abc", "abc"], [8, 8])
    assert len(repairs) == 2 and len(drops) == 2
    assert "not found in context" in drops[0] and "empty" in drops[1]


def test_bad_inputs_give_one_line_errors(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"id": "a"}\nnot json\n', encoding="utf-8")
    with pytest.raises(QADataError, match=r"s.jsonl:2: not valid JSON"):
        read_jsonl(p)
    q = tmp_path / "n.json"
    q.write_text(json.dumps({"version": "1", "rows": []}), encoding="utf-8")
    with pytest.raises(QADataError, match="field data"):
        load_qa_file(q)
    r = tmp_path / "dup.jsonl"
    row = {"id": "x", "context": "c", "question": "q", "answers": {"text": ["c"], "answer_start": [0]}}
    r.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(QADataError, match="record x field id: duplicate"):
        load_qa_file(r)
    e = tmp_path / "empty.jsonl"
    e.write_text(json.dumps({**row, "context": ""}) + "\n", encoding="utf-8")
    assert load_qa_file(e).dropped_questions == ["x: field context: empty or missing"]
    with pytest.raises(QADataError, match="file not found"):
        load_qa_file(tmp_path / "nope.json")


def test_nested_round_trip(shared_data):
    recs = load_qa_file(shared_data / "xquad" / "xquad.en.json").records[:50]
    back_path = shared_data / "xquad" / "xquad.en.json"
    nested = to_nested(recs)
    assert sum(len(p["qas"]) for a in nested["data"] for p in a["paragraphs"]) == 50
    from annotation.squad import iter_nested

    assert [r["id"] for r in iter_nested(nested, "mem")] == [r["id"] for r in recs]
    assert back_path.is_file()
