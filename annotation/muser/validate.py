"""Validate MUSER files: the label schema, case records, pools, similarity judgments.

Every check appends an `Issue` (file, record id, field) and goes on, so one pass reports all the
errors of a file. Entry point: `validate_path(path)` for a dataset folder (MUSER layout), a schema
folder (`legal_items/`) or a single file (cases_pool / sim_scores / top30 / golden / judgments).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from core import DataError, read_json, scan_jsonl
from annotation.issues import Issue, issue_from_error
from annotation.muser.files import LAYOUT
from annotation.muser.schema import (LABEL_KEY_TO_VIEW, STATUTE_RE, VIEW_SCORES, VIEWS, LabelSchema,
                                     SchemaError)

GOLDEN_MIN = 7
MAX_SCORE = sum(max(v) for v in VIEW_SCORES.values())   # 8


class _Obj(dict):
    """A JSON object that remembers the keys it saw more than once (json keeps only the last)."""

    dups: list[str]


def _hook(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj()
    obj.dups = []
    for k, v in pairs:
        if k in obj:
            obj.dups.append(k)
        obj[k] = v
    return obj


class Report:
    """Collects every issue of a run (validators append and go on)."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, file: Path | str, message: str, record: str | None = None, field: str | None = None,
            line: int | None = None, severity: str = "error") -> None:
        self.issues.append(Issue(str(file), message, record, field, line, severity))

    def load(self, path: Path) -> Any:
        try:
            return read_json(path, object_pairs_hook=_hook)
        except DataError as exc:
            self.issues.append(issue_from_error(str(path), str(exc)))
        return None

    def dups(self, path: Path, obj: Any, record: str | None, field: str | None, what: str = "key") -> None:
        for k in getattr(obj, "dups", []):
            self.add(path, f"duplicate {what} {k!r}", record or k, field)


# ---------------------------------------------------------------- schema
def check_schema_dir(folder: Path, rep: Report) -> LabelSchema | None:
    """Shape, ids 0..n-1, per-level uniqueness, statute keys; quirks reported as warnings."""
    for view in VIEWS:
        path = folder / f"{view}.json"
        data = rep.load(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            rep.add(path, "expected an object {levelN: {label: id}}")
            continue
        rep.dups(path, data, None, None, "level")
        for level, labels in data.items():
            if not isinstance(labels, dict):
                rep.add(path, "expected an object {label: id}", field=level)
                continue
            rep.dups(path, labels, None, level, "label")
            ids = list(labels.values())
            if sorted(i for i in ids if isinstance(i, int)) != list(range(len(ids))):
                rep.add(path, f"ids are not 0..{len(ids) - 1} (each once)", field=level)
            for key in labels:
                if key != key.strip():
                    rep.add(path, f"label {key!r} has leading/trailing whitespace (known quirk; the stripped "
                            "form is accepted as an alias)", key, level, severity="warning")
        if view == "ft":
            laws = data.get("level1", {}) if isinstance(data.get("level1"), dict) else {}
            for key in data.get("level2", {}) if isinstance(data.get("level2"), dict) else {}:
                m = STATUTE_RE.match(key)
                if not m:
                    rep.add(path, f"statute key {key!r} is not of the form <law>-第N条", key, "level2")
                elif m.group("law") not in laws:
                    rep.add(path, f"statute key {key!r}: law {m.group('law')!r} is not a level1 law", key, "level2")
    if any(i.severity == "error" and Path(i.file).parent == folder for i in rep.issues):
        return None
    try:
        return LabelSchema.load(folder)
    except SchemaError as exc:
        rep.add(folder, str(exc))
        return None


# ---------------------------------------------------------------- cases
def _check_label(rep: Report, path: Path, rid: str, fld: str, schema: LabelSchema, view: str, level: str,
                 label: Any) -> None:
    if not isinstance(label, str):
        rep.add(path, f"label must be a string, got {label!r}", rid, fld)
        return
    if level not in schema.levels[view]:
        rep.add(path, f"{view} has no level {level!r}", rid, fld)
        return
    if label in schema.labels(view, level):
        return
    canon = schema.canonical(view, level, label)
    if canon is not None:
        rep.add(path, f"{label!r} matches schema label {canon!r} only up to whitespace", rid, fld, severity="warning")
        return
    others = schema.levels_of(view, label)
    if others:
        rep.add(path, f"label {label!r} is a {view} {'/'.join(others)} label, not {level}", rid, fld)
    else:
        rep.add(path, f"unknown {view} label {label!r}", rid, fld)


def check_case(rep: Report, path: Path, key: str, rec: Any, schema: LabelSchema) -> None:
    if not isinstance(rec, dict):
        rep.add(path, "case record must be an object", key)
        return
    rid = key
    if str(rec.get("uid", key)) != key:
        rep.add(path, f"uid {rec.get('uid')!r} differs from its key {key!r}", rid, "uid")
    for fld in ("uid", "caseID", "content"):
        if fld not in rec:
            rep.add(path, "missing field", rid, fld)
    content = rec.get("content") or {}
    sections: dict[str, int] = {}
    for sec in ("本院查明", "本院认为"):
        sents = content.get(sec, [])
        if not isinstance(sents, list) or not all(isinstance(s, str) for s in sents):
            rep.add(path, "must be a list of sentence strings", rid, f"content.{sec}")
            sents = []
        sections[sec] = len(sents)
    laws = schema.labels("ft", "level1")
    for i, st in enumerate(content.get("法条", []) or []):
        fld = f"content.法条[{i}]"
        if not isinstance(st, dict) or not isinstance(st.get("法律"), str) or not isinstance(st.get("序号"), str):
            rep.add(path, "statute must be {法律: str, 序号: str}", rid, fld)
            continue
        key_ = f"{st['法律']}-{st['序号']}"
        if not STATUTE_RE.match(key_):
            rep.add(path, f"statute key {key_!r} is not of the form <law>-第N条", rid, fld)
        elif st["法律"] not in laws:
            rep.add(path, f"law {st['法律']!r} is not a known law (ft level1)", rid, f"{fld}.法律")
        elif key_ not in schema.labels("ft", "level2"):
            # legal: cases cite many articles; only the schema's 35 count for similarity
            rep.add(path, f"article {key_!r} is not among the schema's articles (ignored by the "
                    "similarity model)", rid, fld, severity="warning")
    labels = rec.get("labels") or {}
    for zh, anns in labels.items() if isinstance(labels, dict) else []:
        view = LABEL_KEY_TO_VIEW.get(zh)
        if view is None:
            rep.add(path, f"unknown label group {zh!r} (expected {', '.join(LABEL_KEY_TO_VIEW)})", rid, f"labels.{zh}")
            continue
        n_sent = sections[VIEWS[view]["section"]]
        for j, ann in enumerate(anns if isinstance(anns, list) else []):
            fld = f"labels.{zh}[{j}]"
            if not isinstance(ann, dict) or not isinstance(ann.get("labels"), list):
                rep.add(path, "annotation must be {sentence: int, labels: [level1, level2, level3]}", rid, fld)
                continue
            s = ann.get("sentence")
            if not isinstance(s, int) or not 0 <= s < n_sent:
                rep.add(path, f"sentence index {s!r} outside content.{VIEWS[view]['section']} (0..{n_sent - 1})",
                        rid, f"{fld}.sentence")
            for depth, label in enumerate(ann["labels"]):
                _check_label(rep, path, rid, f"{fld}.labels[{depth}]", schema, view, f"level{depth + 1}", label)
    split = rec.get("split_labels") or {}
    for view, levels in split.items() if isinstance(split, dict) else []:
        if view not in ("aqbq", "zyjd"):
            rep.add(path, f"unknown view {view!r} (expected aqbq, zyjd)", rid, f"split_labels.{view}")
            continue
        for level, items in (levels.items() if isinstance(levels, dict) else []):
            for j, label in enumerate(items if isinstance(items, list) else [items]):
                _check_label(rep, path, rid, f"split_labels.{view}.{level}[{j}]", schema, view, level, label)
    _check_split_consistency(rep, path, rid, labels, split)


def _check_split_consistency(rep: Report, path: Path, rid: str, labels: Any, split: Any) -> None:
    """split_labels should be the per-level union of the sentence annotations (warning, not error:
    the public data gives no sentence labels to compare with, and older files may differ)."""
    if not isinstance(labels, dict) or not isinstance(split, dict):
        return
    for zh, view in LABEL_KEY_TO_VIEW.items():
        anns = labels.get(zh)
        levels = split.get(view)
        if not isinstance(anns, list) or not anns or not isinstance(levels, dict):
            continue
        from_sentences: dict[str, set[str]] = {}
        for ann in anns:
            if isinstance(ann, dict) and isinstance(ann.get("labels"), list):
                for depth, label in enumerate(ann["labels"]):
                    if isinstance(label, str):
                        from_sentences.setdefault(f"level{depth + 1}", set()).add(label)
        for level in sorted(set(from_sentences) | set(levels)):
            have = {x for x in levels.get(level, []) if isinstance(x, str)} if isinstance(levels.get(level), list) else set()
            for label in sorted(from_sentences.get(level, set()) - have):
                rep.add(path, f"{label!r} is annotated on a sentence (labels.{zh}) but missing here", rid,
                        f"split_labels.{view}.{level}", severity="warning")
            for label in sorted(have - from_sentences.get(level, set())):
                rep.add(path, f"{label!r} is on no sentence of labels.{zh}", rid, f"split_labels.{view}.{level}",
                        severity="warning")


def check_cases_file(path: Path, schema: LabelSchema, rep: Report) -> set[str]:
    data = rep.load(path)
    if data is None:
        return set()
    if isinstance(data, list):
        seen: set[str] = set()
        for i, rec in enumerate(data):
            key = str(rec.get("uid", i)) if isinstance(rec, dict) else str(i)
            if key in seen:
                rep.add(path, f"duplicate case id {key!r}", key, "uid")
            seen.add(key)
            check_case(rep, path, key, rec, schema)
        return seen
    if not isinstance(data, dict):
        rep.add(path, "expected an object {case id: record}")
        return set()
    rep.dups(path, data, None, None, "case id")
    for key, rec in data.items():
        check_case(rep, path, key, rec, schema)
    return set(data)


# ---------------------------------------------------------------- pools and judgments
def check_pools(path: Path, rep: Report) -> dict[str, list[str]]:
    data = rep.load(path)
    pools: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        if data is not None:
            rep.add(path, "expected {query id: [candidate ids]}")
        return pools
    rep.dups(path, data, None, None, "query id")
    for q, cands in data.items():
        if not isinstance(cands, list):
            rep.add(path, "candidates must be a list", q)
            continue
        ids = [str(c) for c in cands]
        for c in sorted({c for c in ids if ids.count(c) > 1}):
            rep.add(path, f"duplicate candidate id {c!r}", q, "candidates")
        if q in ids:
            rep.add(path, "a query is its own candidate", q, "candidates")
        pools[q] = ids
    return pools


def check_scores(path: Path, rep: Report, pools: dict[str, list[str]] | None,
                 reference: dict[str, dict[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """sim_scores / top30: integer 0..8, judged candidates inside the pool, equal to the reference."""
    data = rep.load(path)
    out: dict[str, dict[str, int]] = {}
    if not isinstance(data, dict):
        if data is not None:
            rep.add(path, "expected {query id: {candidate id: score}}")
        return out
    rep.dups(path, data, None, None, "query id")
    for q, docs in data.items():
        if not isinstance(docs, dict):
            rep.add(path, "expected {candidate id: score}", q)
            continue
        rep.dups(path, docs, q, None, "candidate id")
        if pools is not None and q not in pools:
            rep.add(path, "query has no candidate pool", q)
        for c, s in docs.items():
            fld = f"{q}.{c}"
            if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s <= MAX_SCORE:
                rep.add(path, f"score {s!r} outside 0..{MAX_SCORE} (fact 0-3 + dispute 0/1/3 + statute 0/2)", q, fld)
            if pools is not None and q in pools and c not in pools[q]:
                rep.add(path, f"judged candidate {c!r} is not in the query's pool", q, fld)
            if reference is not None and reference.get(q, {}).get(c, s) != s:
                rep.add(path, f"score {s!r} differs from sim_scores ({reference[q][c]!r})", q, fld)
        out[q] = {c: s for c, s in docs.items() if isinstance(s, int)}
    return out


def check_view_scores(path: Path, rep: Report, scores: dict[str, dict[str, int]]) -> None:
    """labels/view_scores.json (builder output): allowed grade per view, and their sum = sim_scores."""
    data = rep.load(path)
    if not isinstance(data, dict):
        return
    for q, docs in data.items():
        for c, grades in (docs.items() if isinstance(docs, dict) else []):
            fld = f"{q}.{c}"
            if not isinstance(grades, dict):
                rep.add(path, "expected {aqbq, zyjd, ft}", q, fld)
                continue
            for view, allowed in VIEW_SCORES.items():
                g = grades.get(view)
                if g not in allowed or isinstance(g, bool):
                    rep.add(path, f"{VIEWS[view]['name']} grade {g!r} not in {list(allowed)}", q, f"{fld}.{view}")
            total = sum(grades.get(v, 0) for v in VIEW_SCORES if isinstance(grades.get(v), int))
            if c in scores.get(q, {}) and scores[q][c] != total:
                rep.add(path, f"view grades sum to {total} but sim_scores has {scores[q][c]}", q, fld)
            elif c not in scores.get(q, {}):
                rep.add(path, "pair has view grades but no sim_scores entry", q, fld)


def check_golden(path: Path, rep: Report, scores: dict[str, dict[str, int]]) -> None:
    data = rep.load(path)
    if not isinstance(data, dict):
        return
    for q, ids in data.items():
        want = {c for c, s in scores.get(q, {}).items() if s >= GOLDEN_MIN}
        got = {str(c) for c in ids} if isinstance(ids, list) else set()
        for c in sorted(got - want):
            rep.add(path, f"golden candidate {c!r} has score {scores.get(q, {}).get(c)!r} < {GOLDEN_MIN}", q, c)
        for c in sorted(want - got):
            rep.add(path, f"candidate {c!r} has score >= {GOLDEN_MIN} but is not golden", q, c)


def check_judgments(path: Path, rep: Report, pools: dict[str, list[str]] | None) -> None:
    """labels/judgments.jsonl: {query, candidate, annotator, aqbq, zyjd, ft} per line."""
    seen: set[tuple[str, str, str]] = set()
    try:
        scanned = list(scan_jsonl(path))
    except DataError as exc:
        rep.issues.append(issue_from_error(str(path), str(exc)))
        return
    if not scanned:
        rep.add(path, "no judgments (empty file)")
    for n, rec, problem in scanned:
        if problem is not None:
            rep.add(path, problem, line=n)
            continue
        q, c, a = str(rec.get("query")), str(rec.get("candidate")), str(rec.get("annotator", ""))
        rid = f"{q}/{c}"
        if (q, c, a) in seen:
            rep.add(path, f"duplicate judgment by annotator {a!r}", rid, "annotator", n)
        seen.add((q, c, a))
        if pools is not None and c not in pools.get(q, []):
            rep.add(path, f"candidate {c!r} is not in query {q!r}'s pool", rid, "candidate", n)
        for view, allowed in VIEW_SCORES.items():
            v = rec.get(view)
            if v not in allowed or isinstance(v, bool):
                rep.add(path, f"{VIEWS[view]['name']} score {v!r} not in {list(allowed)}", rid, view, n)


# ---------------------------------------------------------------- entry points
def _default_schema_dir() -> Path:
    mirror = os.environ.get("BENCH_DATA_MIRROR")
    return Path(mirror) / "muser" / LAYOUT["schema"] if mirror else Path("legal_items")


def validate_dataset(root: Path, rep: Report, schema_dir: Path | None = None) -> None:
    schema_path = root / LAYOUT["schema"] if (root / LAYOUT["schema"]).is_dir() else (schema_dir or _default_schema_dir())
    schema = check_schema_dir(schema_path, rep)
    pools = check_pools(root / LAYOUT["pools"], rep)
    split = rep.load(root / LAYOUT["split"])
    if isinstance(split, dict):
        parts = {k: [str(q) for q in v] for k, v in split.items()}
        for name, ids in parts.items():
            for q in ids:
                if q not in pools:
                    rep.add(root / LAYOUT["split"], f"query {q!r} has no candidate pool", q, name)
        overlap = set(parts.get("train", [])) & set(parts.get("test", []))
        for q in sorted(overlap):
            rep.add(root / LAYOUT["split"], "query is in both train and test", q, "test")
    scores = check_scores(root / LAYOUT["scores"], rep, pools)
    check_scores(root / LAYOUT["top30"], rep, pools, reference=scores)
    check_golden(root / LAYOUT["golden"], rep, scores)
    if (root / LAYOUT["view_scores"]).exists():
        check_view_scores(root / LAYOUT["view_scores"], rep, scores)
    if (root / LAYOUT["judgments"]).exists():
        check_judgments(root / LAYOUT["judgments"], rep, pools)
    cases = root / LAYOUT["cases"]
    if cases.exists() and schema is not None:
        ids = check_cases_file(cases, schema, rep)
        needed = set(pools) | {c for cs in pools.values() for c in cs}
        for c in sorted(needed - ids, key=lambda x: (len(x), x))[:50]:
            rep.add(cases, "case referenced by a pool has no record", c)


def validate_path(path: str | Path, *, schema_dir: str | Path | None = None) -> list[Issue]:
    """Validate a dataset folder, a schema folder or one MUSER file; returns every issue found."""
    path = Path(path)
    rep = Report()
    sdir = Path(schema_dir) if schema_dir else None
    if path.is_dir():
        if (path / "aqbq.json").exists():
            check_schema_dir(path, rep)
        else:
            validate_dataset(path, rep, sdir)
        return rep.issues
    if not path.exists():
        rep.add(path, "file not found")
        return rep.issues
    name = path.name
    checks: dict[str, Callable[[], Any]] = {
        "cands_by_query.json": lambda: check_pools(path, rep),
        "sim_scores.json": lambda: check_scores(path, rep, None),
        "top30_dict.json": lambda: check_scores(path, rep, None),
        "judgments.jsonl": lambda: check_judgments(path, rep, None),
    }
    if name in checks:
        checks[name]()
        return rep.issues
    if name in {"aqbq.json", "zyjd.json", "ft.json"}:
        check_schema_dir(path.parent, rep)
        return [i for i in rep.issues if Path(i.file).name == name]
    # anything else: a case file; the schema is the dataset's own, the given one, or the real one
    guess = path.parent.parent / LAYOUT["schema"]
    schema = check_schema_dir(sdir or (guess if guess.is_dir() else _default_schema_dir()), rep)
    if schema is not None:
        check_cases_file(path, schema, rep)
    return rep.issues
