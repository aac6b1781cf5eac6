"""SQuAD v1.1 exact match and token F1, as defined by the official `evaluate-v1.1.py`.

Conventions (stated so results are comparable):
- normalisation: lowercase, drop ASCII punctuation (`string.punctuation`), drop the articles a/an/the
  as whole words, collapse whitespace;
- F1 is bag-of-tokens overlap (whitespace tokens after normalisation); EM and F1 are the max over gold
  answers; both reported as percentages (0-100);
- a question without a prediction scores 0 and counts in the denominator (the official script warns and
  scores it 0);
- a prediction for an id that is not in the gold set is ignored.
"""
from __future__ import annotations

import re
import string
from collections import Counter
from typing import Mapping, Sequence

__all__ = ["normalize_answer", "exact_match", "f1_score", "evaluate", "CONVENTIONS"]

_PUNCT = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")

CONVENTIONS = {
    "normalisation": "SQuAD v1.1: lower, remove string.punctuation, remove articles a/an/the, collapse spaces",
    "f1": "bag-of-whitespace-tokens overlap after normalisation; max over gold answers",
    "missing": "a question with no prediction scores 0 and counts (official behaviour)",
    "scale": "percent (0-100)",
}


def normalize_answer(s: str) -> str:
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCT)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def exact_match(prediction: str, ground_truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


def f1_score(prediction: str, ground_truth: str) -> float:
    pred = normalize_answer(prediction).split()
    gold = normalize_answer(ground_truth).split()
    common = Counter(pred) & Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred)
    recall = same / len(gold)
    return 2 * precision * recall / (precision + recall)


def _max_over(fn, prediction: str, golds: Sequence[str]) -> float:
    return max((fn(prediction, g) for g in golds), default=0.0)


def evaluate(gold: Mapping[str, Sequence[str]], predictions: Mapping[str, str]) -> dict:
    """{"aggregate": {EM, F1, total, missing}, "per_query": {qid: {EM, F1}}, "conventions": {...}}."""
    per_query: dict[str, dict[str, float]] = {}
    missing = 0
    for qid, golds in gold.items():
        if qid not in predictions:
            missing += 1
            per_query[qid] = {"EM": 0.0, "F1": 0.0}
            continue
        pred = str(predictions[qid])
        per_query[qid] = {"EM": 100.0 * _max_over(exact_match, pred, golds),
                          "F1": 100.0 * _max_over(f1_score, pred, golds)}
    n = len(gold) or 1
    agg = {"EM": sum(v["EM"] for v in per_query.values()) / n,
           "F1": sum(v["F1"] for v in per_query.values()) / n,
           "total": float(len(gold)), "missing": float(missing)}
    return {"aggregate": agg, "per_query": per_query, "conventions": dict(CONVENTIONS)}
