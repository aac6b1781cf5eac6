"""MUSER's legal-element similarity model, and per-view grades derived from it.

Per view (legal fact aqbq, dispute focus zyjd, law statute ft) and per level, a case is a multi-hot
vector over that level's labels; the level similarity is the cosine of two vectors (0 when either
is empty); level weights = labels in the level / labels in the view; the pair similarity is
0.5 * fact + 0.4 * dispute + 0.1 * statute (paper §4.2; the `labels`/LE baseline).

Grades when no human judgment is given (our choice, documented): a view's similarity s in [0, 1]
maps to the nearest allowed grade of that view scaled by its maximum (fact: round(3s) in 0-3;
dispute: nearest of 0/1/3 to 3s; statute: nearest of 0/2 to 2s), so the pair score stays the
paper's 0-8 sum.
"""
from __future__ import annotations

import math

from annotation.muser.schema import VIEW_SCORES, VIEW_WEIGHTS, CaseRecord, LabelSchema

Elements = dict[str, dict[str, set[str]]]


def elements(case: CaseRecord, schema: LabelSchema) -> Elements:
    """view -> level -> schema labels of the case (canonical keys; unknown labels and articles dropped)."""
    out: Elements = {}
    for view, levels in case.element_sets().items():
        if view not in schema.levels:
            continue
        out[view] = {}
        for level in schema.level_names(view):
            keys = {schema.canonical(view, level, x) for x in levels.get(level, set())}
            out[view][level] = {k for k in keys if k is not None}
    return out


def _cosine(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def view_similarity(a: Elements, b: Elements, schema: LabelSchema) -> dict[str, float]:
    """Per-view similarity in [0, 1] (level-weighted cosine)."""
    out: dict[str, float] = {}
    for view in VIEW_WEIGHTS:
        weights = schema.level_weights(view)
        out[view] = sum(w * _cosine(a.get(view, {}).get(lvl, set()), b.get(view, {}).get(lvl, set()))
                        for lvl, w in weights.items())
    return out


def similarity(a: Elements, b: Elements, schema: LabelSchema) -> float:
    """The weighted legal-element similarity used to rank candidates (the LE model)."""
    views = view_similarity(a, b, schema)
    return sum(VIEW_WEIGHTS[v] * s for v, s in views.items())


def grade(view: str, s: float) -> int:
    allowed = VIEW_SCORES[view]
    top = max(allowed)
    return min(allowed, key=lambda g: (abs(g - s * top), -g))


def model_grades(a: Elements, b: Elements, schema: LabelSchema) -> dict[str, int]:
    return {v: grade(v, s) for v, s in view_similarity(a, b, schema).items()}
