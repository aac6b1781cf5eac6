"""Question sets the judge tasks run on, and answer files a baseline can come from.

- UltraChat's `ultra_eval.json` (registry dataset `ultrachat`): id = array index, category = class without
  its stray spaces, one turn.
- Any MT-Bench-style JSONL (`--dataset FILE`): `{"question_id", "category", "turns": [str, ...]}` per line
  (extra fields such as `reference` are kept out of the prompts).
- Answers (`--baseline FILE`): FastChat's model-answer JSONL `{"question_id", "choices": [{"turns": [...]}]}`,
  or `{"question_id", "answers": [...]}`; a judgments bundle or a Result JSON of this task also works
  (benchmarks.judging.bundle reads those).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core import DataError, iter_jsonl, read_json, require_file

ULTRA_EVAL = "ultra_eval.json"


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    turns: tuple[str, ...]


def load_ultra_eval(path: Path) -> list[Question]:
    """The 385 curated questions; a record without string `class`/`data` is an error naming its index."""
    data = read_json(path, what="ultra_eval.json", error=DataError)
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON array of {{class, data}} objects")
    out = []
    for i, rec in enumerate(data):
        for key in ("class", "data"):
            if not isinstance(rec, dict) or not isinstance(rec.get(key), str) or not rec[key].strip():
                raise DataError(f"{path}: record {i}: field {key}: expected a non-empty string")
        out.append(Question(str(i), rec["class"].strip(), (rec["data"],)))
    return out


def load_mtbench(path: Path) -> list[Question]:
    """MT-Bench-style question JSONL; every problem names file:line and field."""
    out, seen = [], set()
    for lineno, row in iter_jsonl(require_file(path, "question file", error=DataError), error=DataError):
        qid = row.get("question_id")
        if isinstance(qid, bool) or not isinstance(qid, (int, str)) or str(qid) == "":
            raise DataError(f"{path}:{lineno}: field question_id: expected a string or integer")
        turns = row.get("turns")
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise DataError(f"{path}:{lineno}: field turns: expected a non-empty list of non-empty strings")
        category = row.get("category", "default")
        if not isinstance(category, str) or not category.strip():
            raise DataError(f"{path}:{lineno}: field category: expected a non-empty string")
        if str(qid) in seen:
            raise DataError(f"{path}:{lineno}: field question_id: {qid!r} appears twice")
        seen.add(str(qid))
        out.append(Question(str(qid), category.strip(), tuple(turns)))
    if not out:
        raise DataError(f"{path}: no questions")
    return out


def registry_questions() -> tuple[list[Question], Path]:
    """UltraChat's eval questions through the data registry (mirror-aware)."""
    from benchmarks.data.registry import dataset_dir

    path = Path(dataset_dir("ultrachat")) / ULTRA_EVAL
    return load_ultra_eval(path), path


def read_answer_file(path: Path) -> dict[str, list[str]]:
    """question id -> assistant answers (one per turn) from a FastChat or plain answers JSONL."""
    out: dict[str, list[str]] = {}
    for lineno, row in iter_jsonl(require_file(path, "answers file", error=DataError), error=DataError):
        qid = row.get("question_id")
        if isinstance(qid, bool) or not isinstance(qid, (int, str)):
            raise DataError(f"{path}:{lineno}: field question_id: expected a string or integer")
        if "choices" in row:
            try:
                answers = row["choices"][0]["turns"]
            except (KeyError, IndexError, TypeError):
                raise DataError(f"{path}:{lineno}: field choices[0].turns: missing") from None
        else:
            answers = row.get("answers")
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise DataError(f"{path}:{lineno}: field answers (or choices[0].turns): expected a list of strings")
        out[str(qid)] = answers
    return out


def sniff_json_object(path: Path) -> dict | None:
    """The file as one JSON object (a Result), or None when it is JSONL or anything else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and "main_score" in data else None
