"""CPU baseline tagger: jieba words -> TF-IDF -> one-vs-rest linear SVM, one binary model per label.

A label is predicted when its decision value is > 0; a sentence with none gets its best label,
because every sentence of the MUSER data carries at least one label. Saved without pickle:
`model.npz` (float32 weights, no object arrays) + `model.json` (vocabulary, idf, labels, params).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from core import atomic_output, atomic_write_text

from builders.muser.tagger.data import Example


def jieba_tokens(text: str) -> list[str]:
    import jieba

    return [t for t in jieba.lcut(text, cut_all=False) if t.strip() and any(ch.isalnum() for ch in t)]


@dataclass
class LinearTagger:
    ngram_max: int = 1
    min_df: int = 2
    C: float = 1.0
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray | None = None
    labels: list[str] = field(default_factory=list)
    coef: np.ndarray | None = None        # (labels, features)
    intercept: np.ndarray | None = None   # (labels,)

    def params(self) -> dict[str, Any]:
        return {"model": "tfidf-linear-svm", "tokenizer": "jieba precise", "ngram_max": self.ngram_max,
                "min_df": self.min_df, "C": self.C}

    def _counts(self, texts: Sequence[str]):
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(tokenizer=jieba_tokens, token_pattern=None, lowercase=False,
                               ngram_range=(1, self.ngram_max), vocabulary=self.vocabulary).transform(texts)

    def _features(self, texts: Sequence[str]):
        from sklearn.preprocessing import normalize

        x = self._counts(texts).astype(np.float64).multiply(self.idf).tocsr()
        return normalize(x, norm="l2")

    def fit(self, examples: Sequence[Example]) -> "LinearTagger":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer
        from sklearn.svm import LinearSVC

        texts = [e.sentence for e in examples]
        vec = TfidfVectorizer(tokenizer=jieba_tokens, token_pattern=None, lowercase=False,
                              ngram_range=(1, self.ngram_max), min_df=self.min_df)
        x = vec.fit_transform(texts)
        self.vocabulary = {t: int(i) for t, i in vec.vocabulary_.items()}
        self.idf = vec.idf_.astype(np.float64)
        mlb = MultiLabelBinarizer()
        y = mlb.fit_transform([e.labels for e in examples])
        self.labels = [str(x) for x in mlb.classes_]
        clf = OneVsRestClassifier(LinearSVC(C=self.C), n_jobs=1).fit(x, y)
        self.coef = np.vstack([est.coef_.ravel() for est in clf.estimators_]).astype(np.float32)
        self.intercept = np.array([est.intercept_[0] for est in clf.estimators_], dtype=np.float32)
        return self

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._features(texts) @ self.coef.T) + self.intercept

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        scores = self.decision(texts)
        out = []
        for row in scores:
            idx = np.flatnonzero(row > 0)
            if idx.size == 0:
                idx = [int(row.argmax())]
            out.append([self.labels[i] for i in idx])
        return out

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        with atomic_output(folder / "model.npz", binary=True) as f:
            np.savez_compressed(f, coef=self.coef, intercept=self.intercept, idf=self.idf)
        meta = {"params": self.params(), "labels": self.labels, "vocabulary": self.vocabulary}
        atomic_write_text(folder / "model.json", json.dumps(meta, ensure_ascii=False))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "LinearTagger":
        folder = Path(folder)
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        arrays = np.load(folder / "model.npz", allow_pickle=False)
        p = meta["params"]
        return cls(ngram_max=p["ngram_max"], min_df=p["min_df"], C=p["C"], vocabulary=meta["vocabulary"],
                   idf=arrays["idf"], labels=meta["labels"], coef=arrays["coef"], intercept=arrays["intercept"])
