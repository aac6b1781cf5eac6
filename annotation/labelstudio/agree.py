"""Agreement per field (view or label) over imported records, and the list of disagreements to adjudicate.

Per field: Cohen's kappa for every pair of annotators on the items both judged (nominal, the same
formula as sklearn's `cohen_kappa_score`), Fleiss' kappa over the items judged by the most common
number (>= 2) of annotators, and Krippendorff's alpha (any number of annotators, missing allowed),
nominal always plus ordinal/interval when the field's scale has an order.
"""
from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any, Hashable, Mapping

from annotation.agreement import cohen_kappa, fleiss_kappa
from annotation.krippendorff import krippendorff_alpha

Table = dict[str, dict[str, dict[str, Hashable]]]
"""field -> item -> annotator -> value"""


def field_agreement(items: Mapping[str, Mapping[str, Hashable]], level: str) -> dict[str, Any]:
    """Kappas and alpha for one field; {} entries are left out when too few items are shared."""
    multi = {k: v for k, v in items.items() if len(v) >= 2}
    annotators = sorted({a for v in items.values() for a in v})
    out: dict[str, Any] = {"level": level, "items": len(items), "items_with_several": len(multi),
                           "annotators": annotators}
    if not multi:
        return out
    cohen: dict[str, Any] = {}
    for a, b in combinations(annotators, 2):
        shared = [k for k, v in multi.items() if a in v and b in v]
        if shared:
            cohen[f"{a}|{b}"] = {"kappa": cohen_kappa([multi[k][a] for k in shared], [multi[k][b] for k in shared]),
                                 "items": len(shared)}
    out["cohen_kappa"] = cohen
    size = Counter(len(v) for v in multi.values()).most_common(1)[0][0]
    same = [list(v.values()) for v in multi.values() if len(v) == size]
    out["fleiss_kappa"] = {"kappa": fleiss_kappa(same), "items": len(same), "raters": size}
    units = [[v.get(a) for a in annotators] for v in multi.values()]
    levels = ["nominal"] + ([level] if level != "nominal" else [])
    out["krippendorff_alpha"] = {lv: krippendorff_alpha(units, lv) for lv in levels}
    return out


def agreement_report(table: Table, levels: Mapping[str, str]) -> dict[str, Any]:
    """`levels[field]` (or the field's prefix before ':') gives its level of measurement."""
    return {f: field_agreement(items, levels.get(f, levels.get(f.split(":")[0], "nominal")))
            for f, items in sorted(table.items())}


def disagreements(table: Table, predictions: Mapping[tuple[str, str], Hashable] | None = None,
                  task_of: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per (item, field) where annotators differ: the values, the majority if any, the model's guess."""
    rows = []
    for fld, items in sorted(table.items()):
        for item, by in sorted(items.items()):
            if len(by) < 2 or len(set(by.values())) == 1:
                continue
            counts = Counter(by.values()).most_common()
            majority = counts[0][0] if len(counts) == 1 or counts[0][1] > counts[1][1] else None
            rows.append({"item": item, "task_id": (task_of or {}).get(item), "field": fld,
                         "values": dict(sorted(by.items())), "majority": majority,
                         "prediction": (predictions or {}).get((item, fld)), "resolved": None})
    return rows
