"""Rank correlation of the judge's single 1-10 ratings with people's ratings of the same answers.

Conventions: an item's human rating is the mean over its annotators. Spearman's rho is the Pearson
correlation of average ranks (ties share the mean rank); Kendall's tau is tau-b (ties corrected, as
scipy's default). A constant side makes both undefined: refused (absent), never 0. CIs: percentile
bootstrap over items (numpy PCG64, the recorded seed); resamples where a side is constant are skipped.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np


def average_ranks(x: Sequence[float]) -> np.ndarray:
    """1-based ranks, tied values sharing their mean rank."""
    arr = np.asarray(x, dtype=float)
    order = np.argsort(arr, kind="mergesort")
    ranks = np.empty(len(arr))
    i = 0
    while i < len(arr):
        j = i
        while j + 1 < len(arr) and arr[order[j + 1]] == arr[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    rx, ry = average_ranks(x), average_ranks(y)
    if len(rx) < 2 or np.std(rx) == 0 or np.std(ry) == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Tau-b over all item pairs: (concordant - discordant) / sqrt((n0 - ties_x) (n0 - ties_y))."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    upper = np.triu_indices(len(xa), k=1)
    dx = np.sign(xa[:, None] - xa[None, :])[upper]
    dy = np.sign(ya[:, None] - ya[None, :])[upper]
    s = float(np.sum(dx * dy))                     # concordant - discordant (a pair tied on a side adds 0)
    denom = math.sqrt(float(np.count_nonzero(dx)) * float(np.count_nonzero(dy)))
    return s / denom if denom else None


def bootstrap(x: Sequence[float], y: Sequence[float], stat: Callable[[np.ndarray, np.ndarray], float | None], *,
              seed: int, n_boot: int, level: float = 0.95) -> tuple[float, float] | None:
    """Percentile interval of `stat` over item resamples (None when no resample gives a value)."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.Generator(np.random.PCG64(seed))
    idx = rng.integers(0, len(xa), size=(n_boot, len(xa)))
    vals = [v for v in (stat(xa[row], ya[row]) for row in idx) if v is not None]
    if not vals:
        return None
    lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def rating_stats(judge: Sequence[float], human: Sequence[float], *, seed: int, n_boot: int) -> dict[str, float]:
    """spearman, kendall_tau (+ _ci_low/_ci_high) and n; undefined values are left out."""
    out: dict[str, float] = {"n": float(len(judge))}
    for name, fn in (("spearman", spearman), ("kendall_tau", kendall_tau_b)):
        value = fn(judge, human) if len(judge) >= 2 else None
        if value is None:
            continue
        out[name] = value
        ci = bootstrap(judge, human, fn, seed=seed, n_boot=n_boot)
        if ci is not None:
            out[f"{name}_ci_low"], out[f"{name}_ci_high"] = ci
    return out
