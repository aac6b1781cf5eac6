"""Micro and macro precision / recall / F1 for multi-label predictions.

Conventions: micro pools every (sentence, label) decision; macro averages per-label F1 over the
labels that occur in the gold test set (labels never seen in gold are left out, so a label the
model cannot know does not count twice); 0/0 is 0.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def multilabel_prf(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold rows vs {len(pred)} predictions")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred):
        gs, ps = set(g), set(p)
        for x in gs & ps:
            tp[x] += 1
        for x in ps - gs:
            fp[x] += 1
        for x in gs - ps:
            fn[x] += 1
    mp, mr, mf = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    labels = sorted({x for g in gold for x in g})
    per = [_prf(tp[x], fp[x], fn[x]) for x in labels]
    n = len(per) or 1
    return {"micro_p": mp, "micro_r": mr, "micro_f1": mf,
            "macro_p": sum(x[0] for x in per) / n, "macro_r": sum(x[1] for x in per) / n,
            "macro_f1": sum(x[2] for x in per) / n, "labels_in_gold": len(labels), "sentences": len(gold)}
