"""Action-prediction F1 over WebCPM's 10 scored actions, in the paper's and a strict protocol.

- `paper` (inference/evaluate.py): a prediction that is not exactly one of the 13 action
  words is *skipped* (only reported as a ratio); instances whose gold or prediction is
  开始/拒答/至顶 are dropped, and so are golds that are no action word (multi-task files).
  micro-F1 equals accuracy over the kept instances.
- `strict`: same drops, but an undecodable prediction stays and counts as wrong.
Macro-F1 is scikit-learn's `average="macro"`: unweighted mean over the labels present in the
gold or (decodable) predictions; an undecodable prediction is a miss for its gold label, not
a label of its own. Per-label F1, P and R are reported too.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from annotation.webcpm.actions import SCORED_WORDS, UNSCORED_WORDS, WORDS

UNDECODABLE = "<undecodable>"
CONVENTIONS = {
    "labels": "10 scored action words (开始/拒答/至顶 dropped when gold or prediction)",
    "decoding": "a prediction counts only if it is exactly one of the 13 action words (no stripping)",
    "paper": "undecodable predictions skipped and reported as undecodable_ratio (evaluate.py)",
    "strict": "undecodable predictions count as wrong (a miss for their gold label)",
    "macro": "sklearn average='macro' over labels present in gold or decodable predictions",
    "micro": "sklearn average='micro' (accuracy over scored instances)",
}


@dataclass
class ActionScores:
    mode: str
    total: int
    undecodable: int
    scored: int
    micro_f1: float
    macro_f1: float
    micro_precision: float
    micro_recall: float
    macro_precision: float
    macro_recall: float
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    correct: list[bool] = field(default_factory=list)   # per kept instance, in input order
    kept: list[int] = field(default_factory=list)        # input positions that were scored

    def metrics(self) -> dict[str, float]:
        return {"micro_f1": self.micro_f1, "macro_f1": self.macro_f1, "micro_precision": self.micro_precision,
                "micro_recall": self.micro_recall, "macro_precision": self.macro_precision,
                "macro_recall": self.macro_recall, "scored": float(self.scored), "total": float(self.total),
                "undecodable": float(self.undecodable),
                "undecodable_ratio": self.undecodable / self.total if self.total else 0.0}


def decode(prediction: str) -> str | None:
    return prediction if prediction in WORDS else None


def score_actions(golds: Sequence[str], predictions: Sequence[str], mode: str = "paper") -> ActionScores:
    if mode not in ("paper", "strict"):
        raise ValueError(f"unknown action-scoring mode {mode!r} (paper | strict)")
    if len(golds) != len(predictions):
        raise ValueError(f"{len(golds)} gold actions but {len(predictions)} predictions")
    y_true: list[str] = []
    y_pred: list[str] = []
    kept: list[int] = []
    undecodable = 0
    for i, (gold, raw) in enumerate(zip(golds, predictions)):
        pred = decode(raw)
        if pred is None:
            undecodable += 1
            if mode == "paper":
                continue
            pred = UNDECODABLE
        if pred in UNSCORED_WORDS or gold in UNSCORED_WORDS or gold not in WORDS:
            continue
        y_true.append(gold)
        y_pred.append(pred)
        kept.append(i)
    labels = [w for w in SCORED_WORDS if w in set(y_true) | set(y_pred)]
    tp = Counter(t for t, p in zip(y_true, y_pred) if t == p)
    n_pred = Counter(y_pred)
    n_true = Counter(y_true)
    per: dict[str, dict[str, float]] = {}
    for w in labels:
        p = tp[w] / n_pred[w] if n_pred[w] else 0.0
        r = tp[w] / n_true[w] if n_true[w] else 0.0
        per[w] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                  "support": float(n_true[w])}
    n = len(y_true)
    correct = sum(tp.values())
    micro = correct / n if n else 0.0

    def mean(key: str) -> float:
        return sum(per[w][key] for w in labels) / len(labels) if labels else 0.0

    return ActionScores(mode=mode, total=len(golds), undecodable=undecodable, scored=n, micro_f1=micro,
                        macro_f1=mean("f1"), micro_precision=micro, micro_recall=micro,
                        macro_precision=mean("precision"), macro_recall=mean("recall"), per_label=per,
                        correct=[t == p for t, p in zip(y_true, y_pred)], kept=kept)
