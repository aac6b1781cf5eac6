"""MUSER's original file layout: one place that names the files, reads them and writes them.

Readers keep the files' order (the top-30 cut and tie order depend on it) and turn every id into
a string (`cands_by_query.json` stores ints, every other file strings). Writers are atomic
(temp file + rename) and reproduce the original formatting (indent 2, no trailing newline).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from core import UserError, atomic_write_text
from core import read_json as _read_json

LAYOUT = {
    "schema": "legal_items",                       # {aqbq,zyjd,ft}.json
    "cases": "cases/cases_pool.json",              # {id: case record} (texts; not public for the real data)
    "pools": "cases/cands_by_query.json",          # {qid: [int cid x N]}
    "split": "cases/train_test.json",              # {"train": [qid], "test": [qid]}
    "scores": "labels/sim_scores.json",            # {qid: {cid: 0..8}}, sorted by score, stable
    "top30": "labels/top30_dict.json",             # first 30 of sim_scores per query
    "golden": "labels/golden_labels.json",         # {qid: [cid with score >= 7]}
    "judgments": "labels/judgments.jsonl",         # per-annotator per-view grades (ours; optional)
    "view_scores": "labels/view_scores.json",      # {qid: {cid: {aqbq, zyjd, ft}}} (ours; optional)
}


class MuserFileError(UserError, ValueError):
    """A MUSER file is missing or unreadable; the message names the file (and line when known)."""


def read_json(path: str | Path) -> Any:
    """One MUSER JSON file (`core`'s reader: BOM ok, strict, errors name file and line)."""
    return _read_json(path, what="file", error=MuserFileError)


def write_json(path: str | Path, data: Any, *, indent: int | None = 2) -> Path:
    """Atomic JSON write in MUSER's style (UTF-8, no ASCII escaping, no trailing newline)."""
    return atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=indent))


def load_pools(root: str | Path) -> dict[str, list[str]]:
    return {str(q): [str(c) for c in cands] for q, cands in read_json(Path(root) / LAYOUT["pools"]).items()}


def load_split(root: str | Path) -> dict[str, list[str]]:
    data = read_json(Path(root) / LAYOUT["split"])
    return {name: [str(q) for q in ids] for name, ids in data.items()}


def split_queries(root: str | Path, split: str) -> list[str]:
    """`test`, `train` or `all` (= train + test, the paper's "Overall")."""
    parts = load_split(root)
    if split == "all":
        return parts.get("train", []) + parts.get("test", [])
    if split not in parts:
        raise MuserFileError(f"{Path(root) / LAYOUT['split']}: no split {split!r} (have: {', '.join(parts)}, all)")
    return parts[split]


def load_scores(root: str | Path, which: str = "scores") -> dict[str, dict[str, int]]:
    """sim_scores (all judged pairs) or top30 (the paper's ground truth), order kept."""
    return {str(q): {str(c): int(s) for c, s in docs.items()}
            for q, docs in read_json(Path(root) / LAYOUT[which]).items()}


def load_cases(path: str | Path) -> dict[str, dict[str, Any]]:
    """`cases_pool.json`: a dict keyed by case id (a list of records keyed by `uid` is accepted too)."""
    data = read_json(path)
    if isinstance(data, list):
        return {str(r.get("uid", i)): r for i, r in enumerate(data)}
    if not isinstance(data, dict):
        raise MuserFileError(f"{path}: expected an object {{case id: record}}")
    return {str(k): v for k, v in data.items()}
