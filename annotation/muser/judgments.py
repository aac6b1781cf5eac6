"""Per-annotator, per-view similarity judgments (`labels/judgments.jsonl`) and their agreement.

One JSON line per (query, candidate, annotator): `{"query", "candidate", "annotator", "aqbq": 0-3,
"zyjd": 0/1/3, "ft": 0/2}`. Several annotators per pair give Cohen's kappa (exactly two annotators
on every multiply-judged pair) and Fleiss' kappa (the same number of annotators on each such pair),
per view, grades taken as nominal categories.

Where annotators disagree on a view, one grade has to be chosen (`settle`): the value adjudicated in
`adjudication.jsonl` (written beside judgments.jsonl by `bench annotate import`, one row per
disagreement with `resolved: null` until someone decides it), else the annotators' majority, else, on a
tie, the lower grade (conservative). How many were settled by which rule is counted, never silent.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotation.agreement import cohen_kappa, fleiss_kappa
from core import DataError, iter_jsonl
from annotation.muser.schema import VIEW_SCORES

PairJudgments = dict[tuple[str, str], dict[str, dict[str, int]]]
"""(query, candidate) -> annotator -> {view: grade}"""
ADJUDICATION = "adjudication.jsonl"       # beside judgments.jsonl (bench annotate import writes both)


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


@dataclass
class Settled:
    """Every pair's per-view grades, and how each disagreement between annotators was decided."""

    grades: dict[tuple[str, str], dict[str, int]]
    adjudication: Path | None = None                        # the file whose `resolved` values were read
    rules: Counter = field(default_factory=Counter)         # "adjudicated" | "majority" | "lower grade (tie)"

    @property
    def by_rule(self) -> int:
        """Disagreements settled by a rule rather than by a person."""
        return self.rules["majority"] + self.rules["lower grade (tie)"]

    def note(self, judgments: Path) -> str | None:
        """One line saying how the disagreements were settled (None when annotators never disagreed)."""
        total = sum(self.rules.values())
        if not total:
            return None
        source = self.adjudication or judgments
        parts = ", ".join(f"{n} by {rule}" for rule, n in sorted(self.rules.items()) if n)
        if not self.by_rule:
            return f"{total} disagreement(s) between annotators settled: {parts} ({source})"
        fix = (f"fill in `resolved` in {self.adjudication} and rebuild to decide them" if self.adjudication
               else f"adjudicate them in an {ADJUDICATION} beside {judgments} to decide them")
        return (f"{self.by_rule} of {total} disagreement(s) between annotators in {source} were settled by rule, "
                f"not by a person: {parts}; {fix}")

    def to_dict(self) -> dict[str, Any]:
        return {"adjudication": str(self.adjudication) if self.adjudication else None,
                "disagreements": sum(self.rules.values()), **{rule: n for rule, n in sorted(self.rules.items())}}


def read_adjudication(path: Path) -> dict[tuple[str, str, str], int | None]:
    """(query, candidate, view) -> the adjudicated grade or None, from `bench annotate import`'s rows
    `{"item": "QUERY/CANDIDATE", "field": VIEW, ..., "resolved": null | grade}`."""
    out: dict[tuple[str, str, str], int | None] = {}
    for lineno, row in iter_jsonl(path, error=DataError):
        item, view, resolved = row.get("item"), row.get("field"), row.get("resolved")
        if not isinstance(item, str) or item.count("/") != 1:
            raise DataError(f"{path}:{lineno}: field item: expected 'QUERY/CANDIDATE', got {item!r}")
        if view not in VIEW_SCORES:
            raise DataError(f"{path}:{lineno}: field field: expected one of {', '.join(VIEW_SCORES)}, got {view!r}")
        if resolved is not None and (isinstance(resolved, bool) or resolved not in VIEW_SCORES[view]):
            raise DataError(f"{path}:{lineno}: field resolved: {resolved!r} is not a {view} grade "
                            f"{list(VIEW_SCORES[view])} (or null while undecided)")
        q, c = item.split("/")
        out[(q, c, str(view))] = resolved
    return out


def settle(per_pair: PairJudgments, judgments: str | Path) -> Settled:
    """One grade per (pair, view): adjudicated, else majority, else the lower grade on a tie (counted).

    `adjudication.jsonl` beside `judgments` is read when present; a row for a pair and view on which
    the annotators agree (or that the judgments do not hold) is an error naming its line: the two
    files do not belong together."""
    path = Path(judgments).parent / ADJUDICATION
    decided = read_adjudication(path) if path.is_file() else {}
    out = Settled({}, path if path.is_file() else None)
    disputed: set[tuple[str, str, str]] = set()
    for (q, c), votes in per_pair.items():
        grades: dict[str, int] = {}
        for view in VIEW_SCORES:
            counts = Counter(v[view] for v in votes.values())
            if len(counts) == 1:
                grades[view] = next(iter(counts))
                continue
            disputed.add((q, c, view))
            if decided.get((q, c, view)) is not None:
                grades[view], rule = int(decided[(q, c, view)]), "adjudicated"      # type: ignore[arg-type]
            else:
                best = max(counts.values())
                top = [g for g, n in counts.items() if n == best]
                grades[view], rule = min(top), "majority" if len(top) == 1 else "lower grade (tie)"
            out.rules[rule] += 1
        out.grades[(q, c)] = grades
    stray = sorted(set(decided) - disputed)
    if stray:
        q, c, view = stray[0]
        raise DataError(f"{path}: item {q}/{c} field {view}: not a disagreement of {judgments} (the annotators "
                        f"agree there, or never judged it): is this the adjudication of another import?")
    return out
