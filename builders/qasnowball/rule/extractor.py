"""The rule answer extractor: candidate spans re-ranked by a model fitted on the seed's gold answers.

Positives are candidates whose text equals a gold answer of that context; every other candidate of a
seed context is a negative. Re-seeding changes the training set, so the ranking changes each round.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

import numpy as np

from engines.readers.base import Candidate
from engines.readers.rule.candidates import candidate_spans
from engines.readers.rule.features import span_features
from engines.readers.rule.model import HashedLogit
from engines.readers.text import normalize

__all__ = ["RuleAnswerExtractor"]


class RuleAnswerExtractor:
    name = "rule-extractor"

    def __init__(self, lang: str, *, seed: int = 0, max_negatives: int = 60, max_chars: int | None = None):
        self.lang, self.seed, self.max_negatives = lang, seed, max_negatives
        self.max_chars = max_chars if max_chars is not None else (40 if lang == "zh" else 80)
        self.model = HashedLogit(seed=seed)
        self.last_fit: dict[str, int] = {}

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        golds: dict[str, set[str]] = defaultdict(set)
        for ex in examples:
            golds[ex["context"]].update(normalize(t, self.lang) for t in ex["answers"]["text"])
        rng = np.random.default_rng(self.seed)
        feats: list[dict[str, float]] = []
        labels: list[int] = []
        for context in sorted(golds):
            spans = candidate_spans(context, self.lang)
            pos = [sp for sp in spans if normalize(sp.text, self.lang) in golds[context]]
            neg = [sp for sp in spans if normalize(sp.text, self.lang) not in golds[context]]
            if len(neg) > self.max_negatives:
                neg = [neg[i] for i in sorted(rng.choice(len(neg), self.max_negatives, replace=False))]
            for sp, y in [(s, 1) for s in pos] + [(s, 0) for s in neg]:
                feats.append(span_features(sp, context, self.lang))
                labels.append(y)
        self.model.fit(feats, labels, warm_start=warm_start)
        self.last_fit = {"contexts": len(golds), "positives": int(sum(labels)), "rows": len(labels)}

    def extract(self, context: str, k: int) -> list[Candidate]:
        """Top-k non-overlapping candidates by ranker probability."""
        spans = [sp for sp in candidate_spans(context, self.lang) if len(sp.text) <= self.max_chars]
        if not spans:
            return []
        scores = self.model.score([span_features(sp, context, self.lang) for sp in spans])
        probs = 1.0 / (1.0 + np.exp(-scores))
        order = sorted(range(len(spans)), key=lambda i: (-probs[i], spans[i].start, spans[i].end))
        chosen: list[Candidate] = []
        seen: set[str] = set()
        for i in order:
            sp = spans[i]
            key = normalize(sp.text, self.lang)
            if not key or key in seen or any(sp.start < c.end and c.start < sp.end for c in chosen):
                continue
            seen.add(key)
            chosen.append(Candidate(sp.start, sp.end, sp.text, sp.type, float(probs[i])))
            if len(chosen) == k:
                break
        return chosen

    def params(self) -> dict[str, Any]:
        return {"extractor": self.name, "lang": self.lang, **self.model.params(), "last_fit": self.last_fit}
