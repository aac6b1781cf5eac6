"""Validator of WebCPM trace records: every violation, with record id, step and field.

Checks the record shape, the 13-action vocabulary, START first / CLOSE last, `step` +1 per
recorded action, LOAD only of an href of the visible result window, quotes only in page
mode and as substrings of the visible window, merges of >= 2 existing digests, digest
snapshots equal to the quote/merge history, the 100-action budget, window sizes, and answer
citations within the number of facts. Input: `{"data": [...]}` JSON, a JSON list, or JSONL.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from core import DataError, read_json, require_file, scan_jsonl
from annotation.issues import Issue
from annotation.webcpm import actions as A

CITATION = re.compile(r"【(\d+)】|<(\d+)>")
_DIGEST_ACTIONS = (A.QUOTE, A.MERGE)


def load_records(path: str | Path) -> Iterator[tuple[int | None, Any]]:
    """(line or None, record) for each record of a JSON/JSONL trace file.

    A line that is not a JSON object is yielded as a `DataError` naming the problem (validators list
    it and go on; builders raise it). A missing file or a folder raises `DataError`.
    """
    path = require_file(path, "trace file")
    try:
        data = read_json(path, what="trace file")
    except DataError:
        data = None                         # not one JSON document: JSON Lines
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        yield from ((None, r) for r in data["data"])
        return
    if isinstance(data, list):
        yield from ((None, r) for r in data)
        return
    if isinstance(data, dict):
        yield 1, data
        return
    for no, rec, problem in scan_jsonl(path):
        yield no, (rec if problem is None else DataError(problem))


def _descs(digests: Any) -> list[list[str]] | None:
    """Digest list (snapshot form `[[{desc}]]` or record form `[{datas: [{desc}]}]`) -> desc lists."""
    if not isinstance(digests, list):
        return None
    out = []
    for d in digests:
        datas = d.get("datas") if isinstance(d, dict) else d
        if not isinstance(datas, list) or not all(isinstance(x, dict) and isinstance(x.get("desc"), str)
                                                   for x in datas):
            return None
        out.append([x["desc"] for x in datas])
    return out


class _Checker:
    def __init__(self, file: str, rid: str, line: int | None) -> None:
        self.file, self.rid, self.line = file, rid, line
        self.issues: list[Issue] = []

    def err(self, field: str, message: str, step: Any = None) -> None:
        if step is not None:
            message = f"step {step}: {message}"
        self.issues.append(Issue(file=self.file, record=self.rid, field=field, line=self.line, message=message))


def validate_record(rec: Any, file: str = "<memory>", line: int | None = None) -> list[Issue]:
    """All issues of one trace record (empty list = valid)."""
    if not isinstance(rec, dict):
        return [Issue(file=file, line=line, message=f"record is not a JSON object: {rec!r:.80}")]
    rid = str(rec.get("_id", "?"))
    c = _Checker(file, rid, line)
    for key, typ in (("_id", str), ("question", str), ("answer", str), ("digests", list), ("actions", list)):
        if not isinstance(rec.get(key), typ):
            c.err(key, f"missing or not a {typ.__name__}")
    if isinstance(rec.get("question"), str) and not rec["question"].strip():
        c.err("question", "empty question")
    actions = rec.get("actions") if isinstance(rec.get("actions"), list) else []
    final = _descs(rec.get("digests"))
    if isinstance(rec.get("digests"), list) and final is None:
        c.err("digests", "each digest must be {datas: [{desc: str, ...}]}")
    if not actions:
        c.err("actions", "no actions")
        return c.issues
    if len(actions) > A.MAX_STEPS:
        c.err("actions", f"{len(actions)} actions; the budget is {A.MAX_STEPS}")
    first, last = actions[0], actions[-1]
    if not isinstance(first, dict) or first.get("action") != A.START:
        c.err("actions[0].action", f"first action must be {A.START}")
    if not isinstance(last, dict) or last.get("action") != A.CLOSE:
        c.err(f"actions[{len(actions) - 1}].action", f"last action must be {A.CLOSE}")
    _walk(c, actions)
    expected = _replay_digests(actions)
    if final is not None and expected is not None and final != expected:
        c.err("digests", f"record digests ({len(final)} facts) differ from the quote/merge history "
                         f"({len(expected)} facts)")
    n_facts = len(final or [])
    answer = rec["answer"] if isinstance(rec.get("answer"), str) else ""
    for m in CITATION.finditer(answer):
        i = int(m.group(1) or m.group(2))
        if not 1 <= i <= n_facts:
            c.err("answer", f"citation {m.group(0)} outside the {n_facts} facts")
    return c.issues


def _replay_digests(actions: list[Any]) -> list[list[str]] | None:
    digests: list[list[str]] = []
    for a in actions:
        if not isinstance(a, dict):
            return None
        d = a.get("details") or {}
        if a.get("action") == A.QUOTE and isinstance(d.get("text"), str):
            digests.append([d["text"]])
        elif a.get("action") == A.MERGE and isinstance(d.get("merges"), list):
            idx = sorted({i for i in d["merges"] if isinstance(i, int)})
            if len(idx) >= 2 and idx[0] >= 0 and idx[-1] < len(digests):
                merged = [x for i in idx for x in digests[i]]
                digests = [merged if i == idx[0] else ds for i, ds in enumerate(digests)
                           if i == idx[0] or i not in idx]
    return digests


def _walk(c: _Checker, actions: list[Any]) -> None:
    stack: list[Any] = []                 # latest viewport of each open frame
    digests: list[list[str]] = []
    prev_step: Any = None
    closed = False
    for i, a in enumerate(actions):
        f = f"actions[{i}]"
        if not isinstance(a, dict):
            c.err(f, "action is not an object")
            continue
        name, step, details = a.get("action"), a.get("step"), a.get("details")
        if name not in A.ACTIONS:
            c.err(f"{f}.action", f"unknown action {name!r}", step)
            continue
        if closed:
            c.err(f"{f}.action", f"{name} after {A.CLOSE}", step)
        if name == A.START and i:
            c.err(f"{f}.action", f"{A.START} is only allowed first", step)
        if not isinstance(step, int) or isinstance(step, bool):
            c.err(f"{f}.step", "missing or not an integer")
        elif prev_step is not None:
            ok = step == prev_step + 1 or (name == A.CLOSE and step == prev_step)
            if not ok:
                c.err(f"{f}.step", f"step {step} follows step {prev_step} (must be +1)", step)
        elif step != 0:
            c.err(f"{f}.step", "the first step must be 0", step)
        prev_step = step if isinstance(step, int) else prev_step
        if not isinstance(details, dict):
            if name != A.REJECT:
                c.err(f"{f}.details", "missing or not an object", step)
            details = {}
        visible = stack[-1] if stack else None
        view = a.get("pageContentInViewport")
        if isinstance(view, list) and len(view) > A.RESULTS_PER_WINDOW:
            c.err(f"{f}.pageContentInViewport", f"{len(view)} results visible; a window holds {A.RESULTS_PER_WINDOW}", step)
        if isinstance(view, str) and len(view) > A.PAGE_WINDOW_CHARS:
            c.err(f"{f}.pageContentInViewport", f"page window of {len(view)} chars (max {A.PAGE_WINDOW_CHARS})", step)

        if name == A.SEARCH:
            if not str(details.get("keyword", "")).strip():
                c.err(f"{f}.details.keyword", "empty search keyword", step)
            if len(details.get("result") or []) > A.MAX_RESULTS:
                c.err(f"{f}.details.result", f"more than {A.MAX_RESULTS} results", step)
            stack = [view]
        elif name == A.LOAD:
            href = details.get("href")
            hrefs = [r.get("href") for r in visible] if isinstance(visible, list) else None
            if hrefs is None:
                c.err(f"{f}.details.href", "LOAD_PAGE_DETAIL outside a result list", step)
            elif href not in hrefs:
                c.err(f"{f}.details.href", f"{href!r} is not in the visible window", step)
            stack.append(view)
        elif name == A.BACK:
            if len(stack) < 2:
                c.err(f"{f}.action", "PAGE_GO_BACK with no page open", step)
            else:
                stack.pop()
                if view is not None:
                    stack[-1] = view
        elif name in (A.DOWN, A.UP, A.TOP):
            if not stack:
                c.err(f"{f}.action", f"{name} with nothing open", step)
            elif view is not None:
                stack[-1] = view
        elif name == A.QUOTE:
            text = details.get("text")
            if not isinstance(visible, str):
                c.err(f"{f}.action", "ADD_DIGEST outside page mode", step)
            elif not isinstance(text, str) or not text.strip():
                c.err(f"{f}.details.text", "empty quote", step)
            elif text not in visible.replace(A.LINE_MARK, "\n"):
                c.err(f"{f}.details.text", f"quote {text[:30]!r}... is not in the visible window", step)
            if isinstance(text, str):
                digests.append([text])
        elif name == A.MERGE:
            merges = details.get("merges")
            idx = sorted({m for m in merges if isinstance(m, int)}) if isinstance(merges, list) else []
            if len(idx) < 2:
                c.err(f"{f}.details.merges", f"merge needs >= 2 digests, got {merges!r}", step)
            elif idx[0] < 0 or idx[-1] >= len(digests):
                c.err(f"{f}.details.merges", f"{merges} outside the {len(digests)} digests", step)
            else:
                merged = [x for j in idx for x in digests[j]]
                digests = [merged if j == idx[0] else ds for j, ds in enumerate(digests)
                           if j == idx[0] or j not in idx]
        elif name == A.CLOSE:
            closed = True
            got = _descs(details.get("digests", []))
            if got is not None and got != digests:
                c.err(f"{f}.details.digests", "closing digests differ from the quote/merge history", step)
        snap = _descs(a.get("digests"))
        if snap is None:
            c.err(f"{f}.digests", "missing or malformed digest snapshot", step)
        elif snap != digests:
            c.err(f"{f}.digests", f"snapshot has {len(snap)} digests, history gives {len(digests)} "
                                  "(or different text)", step)


def validate_path(path: str | Path) -> list[Issue]:
    """Every issue of every record in a trace file."""
    issues: list[Issue] = []
    seen: set[str] = set()
    n = 0
    for line, rec in load_records(path):
        n += 1
        if isinstance(rec, Exception):
            issues.append(Issue(file=str(path), line=line, message=str(rec)))
            continue
        issues.extend(validate_record(rec, str(path), line))
        rid = rec.get("_id") if isinstance(rec, dict) else None
        if isinstance(rid, str):
            if rid in seen:
                issues.append(Issue(file=str(path), line=line, record=rid, field="_id", message="duplicate _id"))
            seen.add(rid)
    if not n:
        issues.append(Issue(file=str(path), message="no trace records (empty file)"))
    return issues
