"""The UltraChat dialogue validator: every rule names file, line, record and field."""
from __future__ import annotations

import hashlib
import json

from annotation.registry import get_validator
from annotation.ultrachat import validate_path

GOOD_CANON = {"id": "a", "sector": 1, "opening_line": "Hi?", "messages": [
    {"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]}


def write(tmp_path, recs, name="d.jsonl"):
    p = tmp_path / name
    p.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in recs))
    return p


def test_registry_line():
    assert get_validator("ultrachat") is validate_path


def test_valid_files_in_all_three_formats(tmp_path):
    prompt = "Write a poem."
    h4 = {"prompt": prompt, "prompt_id": hashlib.sha256(prompt.encode()).hexdigest(),
          "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": "Roses..."}]}
    raw = {"id": "r1", "data": ["Q?", "A.", "Q2?", "A2."]}
    assert validate_path(write(tmp_path, [GOOD_CANON, raw, h4])) == []


def test_every_problem_is_reported_with_location(tmp_path):
    recs = [
        GOOD_CANON,
        {"id": "odd", "data": ["Q?", "A.", "dangling"]},
        {"id": "roles", "messages": [{"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]},
        {"id": "empty", "messages": [{"role": "user", "content": "  "}, {"role": "assistant", "content": "y"}]},
        {"prompt": "P", "prompt_id": "0" * 64, "messages": [{"role": "user", "content": "Q"},
                                                             {"role": "assistant", "content": "A"}]},
        "{not json",
        {"id": "a", "messages": GOOD_CANON["messages"], "sector": 5},
    ]
    issues = validate_path(write(tmp_path, recs))
    text = [str(i) for i in issues]
    assert any(":2 record odd field data: odd number" in t for t in text)
    assert any(":3 record roles field messages[0].role" in t for t in text)
    assert any(":4 record empty field messages[0].content: empty utterance" in t for t in text)
    assert any(":5 record" in t and "field prompt: prompt differs" in t for t in text)
    assert any(":5 record" in t and "field prompt_id: prompt_id is not the sha256" in t for t in text)
    assert any(t.endswith(":6: not valid JSON (Expecting property name enclosed in double quotes)") for t in text)
    assert any(":7 record a field sector" in t for t in text)
    assert any(":7 record a field id: duplicate id (first at line 1)" in t for t in text)
    assert all(i.file.endswith("d.jsonl") for i in issues)


def test_missing_path(tmp_path):
    assert "file not found" in str(validate_path(tmp_path / "nope.jsonl")[0])
