"""annotation.squad: every invalid record is reported with file, line/record and field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotation.registry import get_validator
from annotation.squad import validate_path, validate_record


@pytest.fixture()
def data_root(shared_data) -> Path:
    return shared_data


def rec(**kw):
    base = {"id": "q1", "title": "t", "context": "Paris is the capital of France.", "question": "What is the capital?",
            "answers": {"text": ["Paris"], "answer_start": [0]}}
    base.update(kw)
    return base


def test_valid_record_has_no_issues():
    assert validate_record(rec()) == []


@pytest.mark.parametrize("change, field", [
    ({"answers": {"text": ["Paris"], "answer_start": [1]}}, "answers[0].answer_start"),       # offset wrong
    ({"answers": {"text": ["London"], "answer_start": [0]}}, "answers[0].answer_start"),      # not in context
    ({"answers": {"text": ["Paris"], "answer_start": [-1]}}, "answers[0].answer_start"),
    ({"context": "  "}, "context"),
    ({"question": ""}, "question"),
    ({"answers": {"text": ["Paris"], "answer_start": []}}, "answers"),
    ({"answers": {"text": [], "answer_start": []}}, "answers.text"),
    ({"meta": {"lang": "fr"}}, "meta.lang"),
])
def test_bad_records_name_the_field(change, field):
    issues = validate_record(rec(**change), file="f.jsonl", line=3)
    assert [i.field for i in issues] == [field]
    assert str(issues[0]).startswith("f.jsonl:3 record q1 field " + field)


def test_answer_not_in_context_says_so():
    msg = str(validate_record(rec(answers={"text": ["London"], "answer_start": [0]}))[0])
    assert "does not occur in the context" in msg
    msg = str(validate_record(rec(answers={"text": ["France"], "answer_start": [23]}))[0])
    assert "occurs at 24" in msg


def test_jsonl_file_reports_non_json_line_and_duplicates(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps(rec()) + "\n{not json\n" + json.dumps(rec()) + "\n", encoding="utf-8")
    issues = validate_path(p)
    assert any(i.line == 2 and "not valid JSON" in i.message for i in issues)
    assert any(i.line == 3 and i.field == "id" and "duplicate" in i.message for i in issues)


def test_registry_line_points_here(tmp_path):
    assert get_validator("qa") is validate_path


def test_real_files(data_root):
    # CMRC dev: 193 answers with answer_start -1 and 7 off by 1-2 characters (README of the mirror)
    issues = validate_path(data_root / "cmrc2018" / "cmrc2018_dev.json")
    assert len(issues) == 200
    assert sum("-1 is outside" in i.message for i in issues) == 193
    assert validate_path(data_root / "xquad" / "xquad.en.json") == []
    # SQuAD 2.0 unanswerable questions are valid when marked is_impossible
    assert validate_path(data_root / "squad_v2_sample" / "dev-v2.0.json") == []
