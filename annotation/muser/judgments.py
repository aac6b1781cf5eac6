"""Per-annotator, per-view similarity judgments (`labels/judgments.jsonl`) and their agreement.

One JSON line per (query, candidate, annotator): `{"query", "candidate", "annotator", "aqbq": 0-3,
"zyjd": 0/1/3, "ft": 0/2}`. Several annotators per pair give Cohen's kappa (exactly two annotators
on every multiply-judged pair) and Fleiss' kappa (the same number of annotators on each such pair),
per view, grades taken as nominal categories.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from annotation.agreement import cohen_kappa, fleiss_kappa
from core import DataError, iter_jsonl
from annotation.muser.schema import VIEW_SCORES

PairJudgments = dict[tuple[str, str], dict[str, dict[str, int]]]
"""(query, candidate) -> annotator -> {view: grade}"""


def read_judgments(path: str | Path) -> PairJudgments:
    """Read a file already checked by `annotation.muser.validate.check_judgments`."""
    per_pair: PairJudgments = defaultdict(dict)
    for lineno, r in iter_jsonl(path):
        for key in ("query", "candidate", *VIEW_SCORES):
            value = r.get(key)
            if value is None or (key in VIEW_SCORES and (isinstance(value, bool) or not isinstance(value, int))):
                raise DataError(f"{path}:{lineno}: field {key}: "
                                + ("missing" if value is None else f"expected an integer grade, got {value!r}"))
        per_pair[(str(r["query"]), str(r["candidate"]))][str(r.get("annotator", ""))] = {
            v: int(r[v]) for v in VIEW_SCORES}
    return dict(per_pair)


def agreement(per_pair: PairJudgments) -> dict[str, Any]:
    """Kappa per view over the pairs judged by several annotators ({} when none is)."""
    out: dict[str, Any] = {}
    multi = {k: v for k, v in per_pair.items() if len(v) >= 2}
    if not multi:
        return out
    annotators = sorted({a for v in multi.values() for a in v})
    out["pairs_with_several_annotators"] = len(multi)
    out["annotators"] = annotators
    sizes = {len(v) for v in multi.values()}
    for view in VIEW_SCORES:
        entry: dict[str, float] = {}
        if len(sizes) == 1:
            entry["fleiss_kappa"] = fleiss_kappa([[v[a][view] for a in sorted(v)] for v in multi.values()])
        if len(annotators) == 2 and sizes == {2}:
            a, b = annotators
            entry["cohen_kappa"] = cohen_kappa([v[a][view] for v in multi.values()],
                                               [v[b][view] for v in multi.values()])
        out[view] = entry
    return out


def agreement_notes(path: str | Path) -> list[str]:
    """One line per view with the kappas of `path`'s judgments (a judgments file, or a dataset folder's)."""
    from annotation.muser.files import LAYOUT

    path = Path(path)
    judgments = path if path.name.endswith(".jsonl") else path / LAYOUT["judgments"]
    if not judgments.is_file():
        return []
    agree = agreement(read_judgments(judgments))
    return [f"agreement {view} ({agree['pairs_with_several_annotators']} pairs): "
            + ", ".join(f"{k}={v:.3f}" for k, v in agree[view].items())
            for view in ("aqbq", "zyjd", "ft") if agree.get(view)]
