"""What a valid SQuAD-style extractive QA record is, and a validator that reports every problem.

A flat record (what builders write as JSONL, what `datasets` calls the squad layout):
    {"id": str, "title": str, "context": str, "question": str,
     "answers": {"text": [str, ...], "answer_start": [int, ...]},
     "meta": {...}}                      # optional provenance (lang, iteration, doc_id, scores, models, seed)
The one invariant that matters for training a reader: `context[s:s+len(a)] == a` for every answer.
Nested official SQuAD JSON ({"data": [{"title", "paragraphs": [{"context", "qas": [...]}]}]}) is also
accepted by `validate_path`. Unanswerable questions (SQuAD 2.0) need `is_impossible: true` and no answers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from annotation.issues import Issue, issue_from_error
from core import UserError, read_json, scan_jsonl

__all__ = ["QADataError", "validate_record", "validate_records", "validate_path", "iter_nested", "REQUIRED"]

REQUIRED = ("id", "context", "question", "answers")
LANGS = {"en", "zh"}


class QADataError(UserError):
    """Unreadable QA input (not JSON, wrong layout): the message names file, line/record and field."""


def _issue(file: str, record: str | None, field: str, message: str, line: int | None = None,
           severity: str = "error") -> Issue:
    return Issue(file=file, message=message, record=record, field=field, line=line, severity=severity)


def validate_record(rec: Any, *, file: str = "<records>", line: int | None = None,
                    allow_unanswerable: bool = True) -> list[Issue]:
    """All problems of one flat record (empty list = valid)."""
    if not isinstance(rec, Mapping):
        return [_issue(file, None, "", f"record is a {type(rec).__name__}, expected an object", line)]
    rid = rec.get("id")
    rid_s = str(rid) if rid is not None else None
    issues: list[Issue] = []
    for key in REQUIRED:
        if key not in rec:
            issues.append(_issue(file, rid_s, key, "missing field", line))
    if issues:
        return issues
    if not isinstance(rid, str) or not rid.strip():
        issues.append(_issue(file, rid_s, "id", "must be a non-empty string", line))
    if "title" in rec and not isinstance(rec["title"], str):
        issues.append(_issue(file, rid_s, "title", "must be a string", line))
    context, question = rec["context"], rec["question"]
    if not isinstance(context, str) or not context.strip():
        issues.append(_issue(file, rid_s, "context", "must be a non-empty string", line))
        context = None
    if not isinstance(question, str) or not question.strip():
        issues.append(_issue(file, rid_s, "question", "must be a non-empty string", line))
    answers = rec["answers"]
    if not isinstance(answers, Mapping) or "text" not in answers or "answer_start" not in answers:
        issues.append(_issue(file, rid_s, "answers", "must be an object with lists 'text' and 'answer_start'",
                             line))
        return issues
    texts, starts = answers["text"], answers["answer_start"]
    if not isinstance(texts, list) or not isinstance(starts, list):
        issues.append(_issue(file, rid_s, "answers", "'text' and 'answer_start' must be lists", line))
        return issues
    if len(texts) != len(starts):
        issues.append(_issue(file, rid_s, "answers", f"{len(texts)} texts but {len(starts)} answer_start", line))
        return issues
    impossible = bool(rec.get("is_impossible", False))
    if not texts and not (impossible and allow_unanswerable):
        issues.append(_issue(file, rid_s, "answers.text", "no answer (and not marked is_impossible)", line))
    if texts and impossible:
        issues.append(_issue(file, rid_s, "answers", "is_impossible is true but answers are given", line))
    for i, (text, start) in enumerate(zip(texts, starts)):
        where = f"answers[{i}]"
        if not isinstance(text, str) or not text.strip():
            issues.append(_issue(file, rid_s, f"{where}.text", "must be a non-empty string", line))
            continue
        if isinstance(start, bool) or not isinstance(start, int):
            issues.append(_issue(file, rid_s, f"{where}.answer_start", f"must be an integer, got {start!r}", line))
            continue
        if context is None:
            continue
        if start < 0 or start + len(text) > len(context):
            issues.append(_issue(file, rid_s, f"{where}.answer_start",
                                 f"{start} is outside the context (length {len(context)})", line))
        elif context[start:start + len(text)] != text:
            found = context.find(text)
            hint = f"; the text occurs at {found}" if found >= 0 else "; the text does not occur in the context"
            issues.append(_issue(file, rid_s, f"{where}.answer_start",
                                 f"context[{start}:{start + len(text)}] = {context[start:start + len(text)]!r} "
                                 f"!= {text!r}{hint}", line))
    meta = rec.get("meta")
    if meta is not None:
        if not isinstance(meta, Mapping):
            issues.append(_issue(file, rid_s, "meta", "must be an object", line))
        else:
            lang = meta.get("lang")
            if lang is not None and lang not in LANGS:
                issues.append(_issue(file, rid_s, "meta.lang", f"{lang!r} not in {sorted(LANGS)}", line))
            it = meta.get("iteration")
            if it is not None and (isinstance(it, bool) or not isinstance(it, int) or it < 0):
                issues.append(_issue(file, rid_s, "meta.iteration", f"must be an integer >= 0, got {it!r}", line))
    return issues


def validate_records(records: Iterable[tuple[int | None, Any]], *, file: str = "<records>") -> list[Issue]:
    """Validate (line, record) pairs, plus id uniqueness across them."""
    issues: list[Issue] = []
    seen: dict[str, int | None] = {}
    for line, rec in records:
        issues.extend(validate_record(rec, file=file, line=line))
        rid = rec.get("id") if isinstance(rec, Mapping) else None
        if isinstance(rid, str):
            if rid in seen:
                issues.append(_issue(file, rid, "id", f"duplicate id (first at line {seen[rid]})", line))
            else:
                seen[rid] = line
    return issues


def iter_nested(data: Any, file: str) -> Iterator[dict[str, Any]]:
    """Flatten official nested SQuAD JSON into flat records (answers as given, not repaired)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise QADataError(f"{file}: field data: expected a top-level object with a 'data' list (SQuAD layout)")
    for a_i, article in enumerate(data["data"]):
        if not isinstance(article, Mapping):
            raise QADataError(f"{file}: record data[{a_i}]: expected an object")
        if "paragraphs" not in article:      # the HF flattened layout: data is a list of flat rows
            row = dict(article)
            ans = row.get("answers")
            if isinstance(ans, Mapping):
                row["answers"] = {"text": list(ans.get("text", [])), "answer_start": list(ans.get("answer_start", []))}
            if "is_impossible" not in row and isinstance(ans, Mapping) and not ans.get("text"):
                row["is_impossible"] = True
            yield row
            continue
        title = article.get("title", "")
        for p_i, para in enumerate(article.get("paragraphs") or []):
            if not isinstance(para, Mapping):
                raise QADataError(f"{file}: record data[{a_i}].paragraphs[{p_i}]: expected an object")
            context = para.get("context")
            for q_i, qa in enumerate(para.get("qas") or []):
                if not isinstance(qa, Mapping):
                    raise QADataError(f"{file}: record data[{a_i}].paragraphs[{p_i}].qas[{q_i}]: expected an object")
                answers = qa.get("answers") or []
                if not isinstance(answers, list) or not all(isinstance(a, Mapping) for a in answers):
                    raise QADataError(f"{file}: record {qa.get('id')} field answers: expected a list of objects")
                rec = {"id": qa.get("id"), "title": title, "context": context, "question": qa.get("question"),
                       "answers": {"text": [a.get("text") for a in answers],
                                   "answer_start": [a.get("answer_start") for a in answers]}}
                if qa.get("is_impossible"):
                    rec["is_impossible"] = True
                yield rec


def _read_jsonl(path: Path) -> Iterator[tuple[int, Any] | Issue]:
    for n, rec, problem in scan_jsonl(path, error=QADataError):
        yield (n, rec) if problem is None else _issue(str(path), None, "", problem, n)


def validate_path(path: str | Path) -> list[Issue]:
    """Validate a flat JSONL file or a nested SQuAD JSON file; every issue, not just the first."""
    path = Path(path)
    if not path.is_file():
        return [_issue(str(path), None, "", "is a directory, expected a file" if path.is_dir() else "file not found")]
    if path.suffix == ".jsonl":
        issues: list[Issue] = []
        pairs: list[tuple[int | None, Any]] = []
        for item in _read_jsonl(path):
            if isinstance(item, Issue):
                issues.append(item)
            else:
                pairs.append(item)
        if not issues and not pairs:
            return [_issue(str(path), None, "", "no records (empty file)")]
        return issues + validate_records(pairs, file=str(path))
    try:
        data = read_json(path, what="SQuAD JSON file", error=QADataError)
    except QADataError as exc:
        return [issue_from_error(str(path), str(exc))]
    try:
        return validate_records(((None, r) for r in iter_nested(data, str(path))), file=str(path))
    except QADataError as exc:
        return [issue_from_error(str(path), str(exc))]
