"""The arithmetic of LLM judging: verdict combination, win/tie/loss rates, bootstrap CIs, length control.

Everything here is a pure function of stored judgments, so `bench verify` can recompute every number
without calling a judge. Conventions (also written into each Result's `conventions`):
- pairwise, both orders: the model is "A" in order AB and "B" in order BA. Each order's verdict is turned
  into the model's view (win/tie/loss); equal views give that outcome, anything else (disagreement, or
  an unparseable verdict in either order) is a tie. Unparseable verdicts are counted separately.
- win_rate / tie_rate / loss_rate are fractions of questions; `score` = win_rate + tie_rate / 2, and a
  question's own `score` is its outcome's value (win 1, tie 0.5, loss 0), so the per-question values
  average to the main score.
- a judge is `degenerate` (1.0, else 0.0) when it gave one constant verdict: every parseable rating the
  same, or every parseable pairwise verdict the same (always "A", always a tie). Its interval then says
  nothing about the model (a CI of [5, 5]); the number is kept, flagged, and `bench run` warns.
- unreadable judges are refused: when fewer than half (`-p judge_min_valid`) of the replies of a metric
  set parse, the run ends with an error instead of a score.
- bootstrap CI: percentile bootstrap over questions (resampling with replacement), numpy PCG64 with the
  recorded seed, so the same judgments and seed give the same interval on every machine.
- length-controlled win rate (AlpacaEval-LC, simplified): a logistic regression of the outcome
  (win 1, tie 0.5, loss 0) on `tanh(delta_len / sd(delta_len))` with an intercept, where delta_len is the
  character length of the model's answer minus the baseline's; LC win rate = sigmoid(intercept), the
  predicted win probability at equal length. Fitted by Newton's method with a small L2 penalty on the
  slope only (1e-3). Unlike AlpacaEval-LC there is no per-instruction difficulty term.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Callable, Literal, Sequence

import numpy as np

Verdict = Literal["A", "B", "tie", "invalid"]
Outcome = Literal["win", "tie", "loss"]
OUTCOME_VALUE = {"win": 1.0, "tie": 0.5, "loss": 0.0}
L2_SLOPE = 1e-3


def model_view(verdict: str, model_position: Literal["A", "B"]) -> str:
    """One order's verdict seen from the model: win / loss / tie, or invalid."""
    if verdict in ("tie", "invalid"):
        return verdict
    if verdict not in ("A", "B"):
        raise ValueError(f"unknown verdict {verdict!r}")
    return "win" if verdict == model_position else "loss"


def combine_orders(verdict_ab: str, verdict_ba: str) -> tuple[Outcome, bool]:
    """(outcome, consistent) from the verdict with the model as A and the one with the model as B.

    Inconsistent or unparseable verdicts count as a tie; `consistent` says whether both orders agreed.
    """
    first, second = model_view(verdict_ab, "A"), model_view(verdict_ba, "B")
    if "invalid" in (first, second):
        return "tie", False
    if first == second:
        return first, True  # type: ignore[return-value]
    return "tie", False


def rates(outcomes: Sequence[str]) -> dict[str, float]:
    """win/tie/loss rates and score (win + tie/2) of a list of outcomes; zeros when empty."""
    n = len(outcomes)
    if n == 0:
        return {"win_rate": 0.0, "tie_rate": 0.0, "loss_rate": 0.0, "score": 0.0}
    win, tie, loss = (sum(o == k for o in outcomes) / n for k in ("win", "tie", "loss"))
    return {"win_rate": win, "tie_rate": tie, "loss_rate": loss, "score": win + tie / 2}


def bootstrap_ci(values: Sequence[float] | np.ndarray, stat: Callable[[np.ndarray], float] = np.mean, *,
                 seed: int = 0, n_boot: int = 1000, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of `stat` over rows of `values` (deterministic for a seed)."""
    arr = np.asarray(values, dtype=float)
    if len(arr) == 0:
        return 0.0, 0.0
    rng = np.random.Generator(np.random.PCG64(seed))
    idx = rng.integers(0, len(arr), size=(n_boot, len(arr)))
    stats = np.array([stat(arr[row]) for row in idx], dtype=float)
    lo, hi = np.quantile(stats, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def _sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-x))


def fit_length_logistic(y: np.ndarray, delta_len: np.ndarray, *, iters: int = 50) -> tuple[float, float]:
    """(intercept, slope) of P(win) = sigmoid(a + b * tanh(delta / sd(delta))), soft labels y in [0, 1]."""
    y = np.asarray(y, dtype=float)
    d = np.asarray(delta_len, dtype=float)
    sd = float(np.std(d))
    x = np.tanh(d / sd) if sd > 0 else np.zeros_like(d)
    features = np.column_stack([np.ones_like(x), x])
    w = np.zeros(2)
    penalty = np.diag([0.0, L2_SLOPE * len(y)])
    for _ in range(iters):
        p = _sigmoid(features @ w)
        grad = features.T @ (p - y) + penalty @ w
        hess = features.T @ (features * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        w = np.clip(w, -30, 30)                 # all-win or all-loss data: stop at a finite intercept
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return float(w[0]), float(w[1])


def lc_win_rate(outcomes: Sequence[str], delta_len: Sequence[float]) -> float:
    """Length-controlled win rate: the fitted win probability at zero length difference."""
    if not outcomes:
        return 0.0
    y = np.array([OUTCOME_VALUE[o] for o in outcomes])
    a, _ = fit_length_logistic(y, np.asarray(delta_len, dtype=float))
    return float(_sigmoid(a))


def pairwise_summary(outcomes: Sequence[str], consistent: Sequence[bool], delta_len: Sequence[float],
                     first_position_wins: int, n_valid_orders: int, n_invalid_orders: int, *,
                     seed: int, n_boot: int, degenerate: bool = False) -> dict[str, float]:
    """Every pairwise metric of one question set (see the module docstring for the definitions);
    `degenerate`: the judge gave one constant verdict (`constant_verdict` of the parsed verdicts)."""
    out = rates(outcomes)
    y = np.array([OUTCOME_VALUE[o] for o in outcomes])
    wins = (y == 1.0).astype(float)
    ties = (y == 0.5).astype(float)
    losses = (y == 0.0).astype(float)
    for name, arr in (("win_rate", wins), ("tie_rate", ties), ("loss_rate", losses), ("score", y)):
        lo, hi = bootstrap_ci(arr, seed=seed, n_boot=n_boot)
        out[f"{name}_ci_low"], out[f"{name}_ci_high"] = lo, hi
    out["lc_win_rate"] = lc_win_rate(outcomes, delta_len)
    if len(outcomes):
        pairs = np.column_stack([y, np.asarray(delta_len, dtype=float)])
        lo, hi = bootstrap_ci(pairs, lambda rows: float(_sigmoid(fit_length_logistic(rows[:, 0], rows[:, 1])[0])),
                              seed=seed, n_boot=n_boot)
    else:
        lo = hi = 0.0
    out["lc_win_rate_ci_low"], out["lc_win_rate_ci_high"] = lo, hi
    n = len(outcomes)
    out["consistency"] = sum(consistent) / n if n else 0.0
    out["n_inconsistent"] = float(n - sum(consistent))
    out["first_position_rate"] = first_position_wins / n_valid_orders if n_valid_orders else 0.0
    out["n_invalid_verdicts"] = float(n_invalid_orders)
    out["mean_length_delta"] = float(np.mean(delta_len)) if n else 0.0
    out["n"] = float(n)
    out["degenerate"] = float(degenerate)
    return out


def single_summary(scores: Sequence[float | None], *, seed: int, n_boot: int) -> dict[str, float]:
    """Mean 1-10 rating over parseable judgments, its bootstrap CI, how many were unparseable, and
    whether the judge gave one constant rating."""
    valid = [float(s) for s in scores if s is not None]
    lo, hi = bootstrap_ci(valid, seed=seed, n_boot=n_boot)
    return {"score": float(np.mean(valid)) if valid else 0.0, "score_ci_low": lo, "score_ci_high": hi,
            "n": float(len(scores)), "n_invalid": float(len(scores) - len(valid)),
            "degenerate": float(constant_verdict(valid) is not None)}


def constant_verdict(verdicts: Sequence[float | str]) -> float | str | None:
    """The one verdict a judge gave to every question (None when it gave two or more, or fewer than
    two parseable verdicts in all: a single verdict is not a pattern)."""
    distinct = set(verdicts)
    return next(iter(distinct)) if len(verdicts) >= 2 and len(distinct) == 1 else None


def by_category(categories: Sequence[str], values: Sequence[float | str | None], kind: str) -> dict[str, float]:
    """Per-category breakdown: `CAT/score` (mean rating) for single, `CAT/win_rate|tie_rate|loss_rate` for pairwise."""
    groups: dict[str, list] = defaultdict(list)
    for cat, value in zip(categories, values):
        groups[cat].append(value)
    out: dict[str, float] = {}
    for cat in sorted(groups):
        vals = groups[cat]
        if kind == "single":
            valid = [float(v) for v in vals if v is not None]
            out[f"{cat}/score"] = float(np.mean(valid)) if valid else 0.0
        else:
            for key, value in rates(vals).items():
                if key != "score":
                    out[f"{cat}/{key}"] = value
        out[f"{cat}/n"] = float(len(vals))
    return out


def finite(metrics: dict[str, float]) -> dict[str, float]:
    """Round-trip-safe floats (the Result schema refuses NaN/inf)."""
    return {k: (float(v) if math.isfinite(float(v)) else 0.0) for k, v in metrics.items()}
