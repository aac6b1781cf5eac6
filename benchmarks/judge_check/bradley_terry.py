"""Bradley-Terry scores of models from pairwise battles, bootstrap CIs and separability (as Arena-Hard).

Conventions: a battle is (player_a, player_b, winner) with winner "a", "b" or "tie"; a tie counts as half a
win for each side. P(a beats b) = sigmoid(s_a - s_b); scores are maximum-likelihood log-odds found by
Newton's method, with the `anchor` player (the baseline) fixed at 0 so they are identifiable; a player who
won or lost every battle (in the data or in a bootstrap resample) has no finite MLE, and its score is clipped
at +/-20 (the check flags `unbounded`: its interval then says only "no evidence either way" or "always").
CIs: percentile bootstrap over battles (numpy PCG64, the recorded seed, Arena-Hard's 100+ rounds).
Separability: share of pairs of non-anchor players whose CIs do not overlap (the anchor's CI is [0, 0]
by construction and is left out). Agreement with a reference ranking: Spearman and Kendall tau-b of the
scores against the reference's ranks, over the players both name.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

import numpy as np

CLIP = 20.0
Battle = tuple[str, str, str]


def design(battles: Sequence[Battle], players: Sequence[str], anchor: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, weights) of the logistic model: one row per (battle, side) with +1/-1 columns, anchor dropped."""
    cols = [p for p in players if p != anchor]
    index = {p: i for i, p in enumerate(cols)}
    rows, ys, ws = [], [], []
    for a, b, winner in battles:
        x = np.zeros(len(cols))
        if a in index:
            x[index[a]] += 1.0
        if b in index:
            x[index[b]] -= 1.0
        share = {"a": 1.0, "b": 0.0, "tie": 0.5}[winner]
        for y, w in ((1.0, share), (0.0, 1.0 - share)):
            if w > 0:
                rows.append(x)
                ys.append(y)
                ws.append(w)
    return np.array(rows).reshape(len(rows), len(cols)), np.array(ys), np.array(ws)


def fit(battles: Sequence[Battle], players: Sequence[str], anchor: str, *, iters: int = 100) -> dict[str, float]:
    """player -> maximum-likelihood score (anchor = 0)."""
    X, y, w = design(battles, players, anchor)
    beta = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(X @ beta)))
        grad = X.T @ (w * (p - y))
        hess = X.T @ (X * (w * p * (1 - p))[:, None]) + 1e-10 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta = np.clip(beta - step, -CLIP, CLIP)
        if float(np.max(np.abs(step), initial=0.0)) < 1e-10:
            break
    cols = [p for p in players if p != anchor]
    return {anchor: 0.0, **{p: float(b) for p, b in zip(cols, beta)}}


@dataclass
class Ranking:
    scores: dict[str, float]
    ci: dict[str, tuple[float, float]]
    anchor: str

    def separable(self, a: str, b: str) -> bool:
        """True when the two players' intervals do not overlap."""
        (la, ha), (lb, hb) = self.ci[a], self.ci[b]
        return ha < lb or hb < la

    def separability(self) -> float | None:
        pairs = list(combinations([p for p in self.scores if p != self.anchor], 2))
        return sum(self.separable(a, b) for a, b in pairs) / len(pairs) if pairs else None


def bootstrap_ranking(battles: Sequence[Battle], anchor: str, *, seed: int, n_boot: int,
                      level: float = 0.95) -> Ranking:
    players = sorted({p for a, b, _ in battles for p in (a, b)})
    if anchor not in players:
        raise ValueError(f"anchor {anchor!r} is in no battle")
    scores = fit(battles, players, anchor)
    rng = np.random.Generator(np.random.PCG64(seed))
    draws = {p: [] for p in players}
    for _ in range(n_boot):
        sample = [battles[i] for i in rng.integers(0, len(battles), size=len(battles))]
        present = sorted({p for a, b, _ in sample for p in (a, b)})
        if anchor not in present:
            continue
        for p, s in fit(sample, present, anchor).items():
            draws[p].append(s)
    ci = {}
    for p in players:
        vals = draws[p] or [scores[p]]
        lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
        ci[p] = (float(lo), float(hi))
    return Ranking(scores, ci, anchor)


def rank_agreement(scores: dict[str, float], reference: Sequence[str]) -> dict[str, float]:
    """Spearman and Kendall tau-b of `scores` against `reference` (names, best first), on shared names."""
    from benchmarks.judge_check.ratings import kendall_tau_b, spearman

    shared = [p for p in reference if p in scores]
    out: dict[str, float] = {"reference_n": float(len(shared))}
    if len(shared) >= 2:
        ref = [-float(i) for i in range(len(shared))]          # higher = better, like the scores
        ours = [scores[p] for p in shared]
        for name, fn in (("reference_spearman", spearman), ("reference_kendall_tau", kendall_tau_b)):
            v = fn(ours, ref)
            if v is not None:
                out[name] = v
    return out
