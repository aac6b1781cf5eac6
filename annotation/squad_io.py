"""Read SQuAD-style QA files (nested official JSON, HF flattened JSON, flat JSONL) into flat records.

Real files are not clean: CMRC 2018 dev has 193 answers with `answer_start = -1` and 7 off by 1-2
characters. The loader repairs an offset by locating the answer text in the context (the occurrence
closest to the given offset) and reports, per answer, what it repaired and what it had to drop, so a
reader is never trained on a span that is not in its context. Scoring code should keep using the
*texts* of all gold answers (`gold_answers`), as the official evaluators do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from annotation.squad import QADataError, iter_nested
from core import atomic_write_json, atomic_write_jsonl, read_json
from core import read_jsonl as floor_read_jsonl

__all__ = ["LoadReport", "load_qa_file", "gold_answers", "questions", "read_jsonl", "write_jsonl", "write_json",
           "to_nested", "repair_answers"]


@dataclass
class LoadReport:
    """What `load_qa_file` did: records kept, and every repair / drop with where and why."""

    path: str
    records: list[dict[str, Any]] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)       # "qid answers[i]: start 12 -> 13"
    dropped_answers: list[str] = field(default_factory=list)
    dropped_questions: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"records": len(self.records), "repaired_answers": len(self.repaired),
                "dropped_answers": len(self.dropped_answers), "dropped_questions": len(self.dropped_questions)}


def repair_answers(context: str, texts: list[Any], starts: list[Any]) -> tuple[list[str], list[int], list[str], list[str]]:
    """Fix offsets by locating each text; returns (texts, starts, repairs, drops) with reasons."""
    out_t: list[str] = []
    out_s: list[int] = []
    repairs: list[str] = []
    drops: list[str] = []
    for i, (text, start) in enumerate(zip(texts, starts)):
        if not isinstance(text, str) or not text.strip():
            drops.append(f"answers[{i}]: empty answer text")
            continue
        s = start if isinstance(start, int) and not isinstance(start, bool) else -1
        if 0 <= s and context[s:s + len(text)] == text:
            out_t.append(text)
            out_s.append(s)
            continue
        hits = [j for j in range(len(context)) if context.startswith(text, j)]
        if not hits:
            drops.append(f"answers[{i}]: text {text!r} not found in context (answer_start {start!r})")
            continue
        best = min(hits, key=lambda j: (abs(j - s), j)) if s >= 0 else hits[0]
        repairs.append(f"answers[{i}]: answer_start {start!r} -> {best}")
        out_t.append(text)
        out_s.append(best)
    return out_t, out_s, repairs, drops


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Flat JSONL; a non-JSON or non-object line raises QADataError naming file and line."""
    return floor_read_jsonl(path, error=QADataError)


def _raw_records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise QADataError(f"{path}: file not found")
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    data = read_json(path, what="QA JSON file", error=QADataError)
    return list(iter_nested(data, str(path)))


def load_qa_file(path: str | Path, *, repair: bool = True, keep_unanswerable: bool = False) -> LoadReport:
    """Load and repair a QA file; questions left with no valid answer are dropped and reported."""
    path = Path(path)
    report = LoadReport(path=str(path))
    seen: set[str] = set()
    for n, rec in enumerate(_raw_records(path)):
        rid = rec.get("id")
        where = f"{path} record {rid if rid is not None else '#' + str(n)}"
        if not isinstance(rid, str) or not rid.strip():
            raise QADataError(f"{where} field id: must be a non-empty string")
        if rid in seen:
            raise QADataError(f"{where} field id: duplicate id")
        seen.add(rid)
        context, question = rec.get("context"), rec.get("question")
        if not isinstance(context, str) or not context.strip():
            report.dropped_questions.append(f"{rid}: field context: empty or missing")
            continue
        if not isinstance(question, str) or not question.strip():
            report.dropped_questions.append(f"{rid}: field question: empty or missing")
            continue
        ans = rec.get("answers")
        if not isinstance(ans, Mapping) or not isinstance(ans.get("text"), list) \
                or not isinstance(ans.get("answer_start"), list) or len(ans["text"]) != len(ans["answer_start"]):
            raise QADataError(f"{where} field answers: expected {{'text': [...], 'answer_start': [...]}} "
                              "with equal lengths")
        if rec.get("is_impossible") or not ans["text"]:
            if keep_unanswerable:
                out = {"id": rid, "title": rec.get("title") or "", "context": context, "question": question,
                       "answers": {"text": [], "answer_start": []}, "is_impossible": True}
                report.records.append(out)
            else:
                report.dropped_questions.append(f"{rid}: unanswerable")
            continue
        if repair:
            texts, starts, repairs, drops = repair_answers(context, ans["text"], ans["answer_start"])
        else:
            texts, starts, repairs, drops = list(ans["text"]), list(ans["answer_start"]), [], []
        report.repaired.extend(f"{rid} {r}" for r in repairs)
        report.dropped_answers.extend(f"{rid} {d}" for d in drops)
        if not texts:
            report.dropped_questions.append(f"{rid}: no answer left after repair")
            continue
        out = {"id": rid, "title": rec.get("title") or "", "context": context, "question": question,
               "answers": {"text": texts, "answer_start": starts}}
        if isinstance(rec.get("meta"), Mapping):
            out["meta"] = dict(rec["meta"])
        report.records.append(out)
    return report


def gold_answers(path: str | Path) -> dict[str, list[str]]:
    """{qid: [answer texts]} as the official evaluators read them (all texts, offsets ignored)."""
    out: dict[str, list[str]] = {}
    for rec in _raw_records(Path(path)):
        ans = rec.get("answers") or {}
        out[str(rec.get("id"))] = [t for t in ans.get("text", []) if isinstance(t, str)]
    return out


def write_jsonl(records: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Atomic JSONL write (temp file + fsync + rename, see builders.common.jobs)."""
    return atomic_write_jsonl(path, records)


def write_json(obj: Any, path: str | Path) -> Path:
    return atomic_write_json(path, obj)


def to_nested(records: Iterable[Mapping[str, Any]], version: str = "1.1") -> dict[str, Any]:
    """Flat records -> official nested SQuAD JSON, grouping by title and context (order kept)."""
    articles: dict[str, dict[str, Any]] = {}
    paragraphs: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        title = r.get("title") or ""
        art = articles.setdefault(title, {"title": title, "paragraphs": []})
        key = (title, r["context"])
        if key not in paragraphs:
            paragraphs[key] = {"context": r["context"], "qas": []}
            art["paragraphs"].append(paragraphs[key])
        qa = {"id": r["id"], "question": r["question"],
              "answers": [{"text": t, "answer_start": s}
                          for t, s in zip(r["answers"]["text"], r["answers"]["answer_start"])]}
        paragraphs[key]["qas"].append(qa)
    return {"version": version, "data": list(articles.values())}


def questions(path: str | Path) -> list[tuple[str, str, str]]:
    """(qid, context, question) of every question in a file, answerable or not, in file order."""
    out = []
    for rec in _raw_records(Path(path)):
        out.append((str(rec.get("id")), rec.get("context") or "", rec.get("question") or ""))
    return out
