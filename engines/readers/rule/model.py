"""A small linear ranker over hashed sparse features (scikit-learn SGD logistic regression).

Why SGD and hashing: the feature space is open (tags, question words, crosses), and `warm_start`
must *continue* training from the current weights (generated data first, then the seed), which
`partial_fit` does and an exact convex solver would not (it would forget the first stage).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import SGDClassifier

__all__ = ["HashedLogit"]


class HashedLogit:
    def __init__(self, *, n_features: int = 2 ** 16, epochs: int = 5, alpha: float = 1e-4, seed: int = 0):
        self.hasher = FeatureHasher(n_features=n_features, input_type="dict", alternate_sign=False)
        self.epochs, self.alpha, self.seed = epochs, alpha, seed
        self.clf: SGDClassifier | None = None
        self.n_seen = 0

    @property
    def fitted(self) -> bool:
        return self.clf is not None

    def fit(self, feats: Sequence[Mapping[str, float]], labels: Sequence[int], *, warm_start: bool = False) -> None:
        y = np.asarray(labels, dtype=np.int64)
        if len(y) == 0 or len(set(y.tolist())) < 2:
            raise ValueError("need positive and negative examples to fit the ranker")
        X = self.hasher.transform(feats)
        if not warm_start or self.clf is None:
            self.clf = SGDClassifier(loss="log_loss", alpha=self.alpha, random_state=self.seed,
                                     learning_rate="optimal")
            self.n_seen = 0
        pos = y.sum()
        w = np.where(y == 1, len(y) / (2.0 * pos), len(y) / (2.0 * (len(y) - pos)))   # balanced classes
        rng = np.random.default_rng(self.seed + self.n_seen)
        for _ in range(self.epochs):
            order = rng.permutation(len(y))
            self.clf.partial_fit(X[order], y[order], classes=np.array([0, 1]), sample_weight=w[order])
        self.n_seen += len(y)

    def score(self, feats: Sequence[Mapping[str, float]]) -> np.ndarray:
        if self.clf is None:
            raise RuntimeError("ranker used before fit()")
        if not feats:
            return np.zeros(0)
        return self.clf.decision_function(self.hasher.transform(feats))

    def score_matrix(self, X) -> np.ndarray:
        """Scores of already hashed rows (see `hasher`)."""
        if self.clf is None:
            raise RuntimeError("ranker used before fit()")
        return self.clf.decision_function(X)

    def params(self) -> dict[str, Any]:
        return {"model": "sgd-logistic", "epochs": self.epochs, "alpha": self.alpha, "seed": self.seed,
                "n_seen": self.n_seen}
