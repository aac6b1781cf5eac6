"""Settling disagreements between annotators: adjudicated value, else majority, else the lower grade, counted."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotation.muser.judgments import read_judgments, settle
from core import DataError


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _j(q: str, c: str, who: str, aqbq: int, zyjd: int = 0, ft: int = 0) -> dict:
    return {"query": q, "candidate": c, "annotator": who, "aqbq": aqbq, "zyjd": zyjd, "ft": ft}


def test_rules_and_counts(tmp_path: Path) -> None:
    path = _write(tmp_path / "judgments.jsonl", [
        _j("1", "2", "a", 3), _j("1", "2", "b", 3),                       # agree: no disagreement
        _j("1", "3", "a", 1), _j("1", "3", "b", 2), _j("1", "3", "c", 2),   # majority 2
        _j("1", "4", "a", 0), _j("1", "4", "b", 3)])                      # tie: lower grade 0
    s = settle(read_judgments(path), path)
    assert s.grades[("1", "2")]["aqbq"] == 3 and s.grades[("1", "3")]["aqbq"] == 2 and s.grades[("1", "4")]["aqbq"] == 0
    assert dict(s.rules) == {"majority": 1, "lower grade (tie)": 1} and s.by_rule == 2 and s.adjudication is None
    assert "2 of 2 disagreement(s)" in s.note(path) and "1 by majority" in s.note(path)

    _write(tmp_path / "adjudication.jsonl", [{"item": "1/4", "field": "aqbq", "resolved": 3},
                                              {"item": "1/3", "field": "aqbq", "resolved": None}])
    s = settle(read_judgments(path), path)
    assert s.grades[("1", "4")]["aqbq"] == 3 and s.grades[("1", "3")]["aqbq"] == 2
    assert dict(s.rules) == {"adjudicated": 1, "majority": 1} and s.to_dict()["disagreements"] == 2
    assert "adjudication.jsonl" in s.note(path)


@pytest.mark.parametrize("row, message", [
    ({"item": "1/4", "field": "aqbq", "resolved": 5}, r"adjudication.jsonl:1: field resolved: 5 is not a aqbq grade"),
    ({"item": "1/4", "field": "aqbq", "resolved": True}, r"adjudication.jsonl:1: field resolved"),
    ({"item": "14", "field": "aqbq", "resolved": 1}, r"adjudication.jsonl:1: field item"),
    ({"item": "1/4", "field": "views", "resolved": 1}, r"adjudication.jsonl:1: field field"),
    ({"item": "1/2", "field": "aqbq", "resolved": 3}, r"item 1/2 field aqbq: not a disagreement"),
])
def test_bad_adjudication_names_file_and_field(tmp_path: Path, row: dict, message: str) -> None:
    path = _write(tmp_path / "judgments.jsonl", [_j("1", "2", "a", 3), _j("1", "2", "b", 3),
                                                  _j("1", "4", "a", 0), _j("1", "4", "b", 3)])
    _write(tmp_path / "adjudication.jsonl", [row])
    with pytest.raises(DataError, match=message):
        settle(read_judgments(path), path)
