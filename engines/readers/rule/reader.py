"""The rule reader: BM25 picks the question's sentences, a learned linear ranker picks the span.

It is the loop's round-trip filter and the CPU baseline of the QA benchmark. What it learns from its
training set: which candidate types/lengths answer which question words, how much sentence rank and
lexical proximity to the question words matter. It can only answer with a candidate span
(`candidates.candidate_spans`), which caps its exact match; the benchmark reports that honestly.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from engines.readers.base import Answer, ReaderError
from engines.readers.rule.candidates import candidate_spans
from engines.readers.rule.features import QuestionView, reader_features, sentence_ranks
from engines.readers.rule.model import HashedLogit
from engines.readers.text import normalize

__all__ = ["RuleReader"]


class RuleReader:
    name = "rule-reader"

    def __init__(self, lang: str, *, seed: int = 0, max_negatives: int = 40, epochs: int = 5):
        self.lang, self.seed, self.max_negatives = lang, seed, max_negatives
        self.model = HashedLogit(seed=seed, epochs=epochs)
        self.last_fit: dict[str, int] = {}

    def _rows(self, context: str, question: str):
        spans = candidate_spans(context, self.lang)
        qv = QuestionView(question, self.lang)
        ranks, rel = sentence_ranks(context, qv)
        return spans, [reader_features(sp, context, qv, ranks, rel) for sp in spans]

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        rng = np.random.default_rng(self.seed)
        feats: list[dict[str, float]] = []
        labels: list[int] = []
        used = skipped = 0
        for ex in examples:
            golds = {normalize(t, self.lang) for t in ex["answers"]["text"]}
            spans, rows = self._rows(ex["context"], ex["question"])
            pos = [i for i, sp in enumerate(spans) if normalize(sp.text, self.lang) in golds]
            if not pos:
                skipped += 1
                continue
            neg = [i for i in range(len(spans)) if i not in set(pos)]
            if len(neg) > self.max_negatives:
                neg = sorted(rng.choice(neg, self.max_negatives, replace=False).tolist())
            for i in pos:
                feats.append(rows[i])
                labels.append(1)
            for i in neg:
                feats.append(rows[i])
                labels.append(0)
            used += 1
        if not used or len(set(labels)) < 2:
            raise ReaderError(f"rule reader: cannot train on {len(examples)} example(s): {used} of them have a "
                              "candidate span equal to the gold answer, and the ranker needs answering and "
                              "non-answering spans; give more training data (-p train_file=PATH) or an HF QA "
                              "checkpoint (--model NAME)")
        self.model.fit(feats, labels, warm_start=warm_start)
        self.last_fit = {"examples": len(examples), "used": used, "no_candidate_matches_gold": skipped,
                         "rows": len(labels)}

    def prepare(self, items: Sequence[tuple[str, str]]) -> list[tuple[list, Any]]:
        """Candidates and hashed features of (context, question) pairs; reusable across fitted models."""
        out = []
        for context, question in items:
            spans, rows = self._rows(context, question)
            out.append((spans, self.model.hasher.transform(rows) if rows else None))
        return out

    def answer(self, items: Sequence[tuple[str, str]]) -> list[Answer]:
        return self.answer_prepared(self.prepare(items))

    def answer_prepared(self, prepared: Sequence[tuple[list, Any]]) -> list[Answer]:
        out: list[Answer] = []
        for spans, X in prepared:
            if not spans:
                out.append(Answer(0, "", 0.0))
                continue
            scores = self.model.score_matrix(X)
            best = int(np.argmax(scores))
            p = np.exp(scores - scores.max())
            sp = spans[best]
            out.append(Answer(sp.start, sp.text, float(p[best] / p.sum())))
        return out

    def params(self) -> dict[str, Any]:
        return {"reader": self.name, "lang": self.lang, **self.model.params(), "last_fit": self.last_fit}
