"""The judging arithmetic on synthetic data: order combination, rates, seeded bootstrap, LC win rate."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.judging import stats


@pytest.mark.parametrize("ab, ba, outcome, consistent", [
    ("A", "B", "win", True),        # model first and preferred, model second and preferred
    ("B", "A", "loss", True),
    ("tie", "tie", "tie", True),
    ("A", "A", "tie", False),       # always the first position: position bias, inconsistent -> tie
    ("B", "B", "tie", False),
    ("A", "tie", "tie", False),
    ("tie", "B", "tie", False),
    ("A", "invalid", "tie", False),
    ("invalid", "invalid", "tie", False),
])
def test_swapped_order_rule(ab, ba, outcome, consistent):
    assert stats.combine_orders(ab, ba) == (outcome, consistent)


def test_unknown_verdict_is_a_bug():
    with pytest.raises(ValueError):
        stats.combine_orders("C", "A")


def test_constant_verdict_is_a_pattern_of_two_or_more():
    assert stats.constant_verdict([5.0, 5.0, 5.0]) == 5.0 and stats.constant_verdict(["A", "A"]) == "A"
    assert stats.constant_verdict([5.0, 6.0]) is None and stats.constant_verdict(["A", "tie"]) is None
    assert stats.constant_verdict([7.0]) is None and stats.constant_verdict([]) is None
    assert stats.single_summary([5.0, 5.0, None], seed=0, n_boot=50)["degenerate"] == 1.0
    assert stats.single_summary([5.0, 6.0], seed=0, n_boot=50)["degenerate"] == 0.0


def test_rates_and_score():
    r = stats.rates(["win", "win", "tie", "loss"])
    assert r == {"win_rate": 0.5, "tie_rate": 0.25, "loss_rate": 0.25, "score": 0.625}
    assert stats.rates([])["score"] == 0.0


def test_bootstrap_ci_is_deterministic_for_a_seed():
    values = np.random.default_rng(1).normal(5, 2, size=200)
    a = stats.bootstrap_ci(values, seed=7, n_boot=500)
    assert a == stats.bootstrap_ci(values, seed=7, n_boot=500)
    assert a != stats.bootstrap_ci(values, seed=8, n_boot=500)
    lo, hi = a
    assert lo < values.mean() < hi
    # the 95% interval of a mean of 200 N(5, 2) draws is about mean +- 1.96 * 2 / sqrt(200) = +- 0.28
    assert 0.4 < hi - lo < 0.7
    # more data, narrower interval
    wide = stats.bootstrap_ci(values[:20], seed=7, n_boot=500)
    assert wide[1] - wide[0] > hi - lo
    assert stats.bootstrap_ci([], seed=0) == (0.0, 0.0)


def test_bootstrap_ci_pinned_value():
    """A fixed seed gives the same numbers on every machine (numpy's PCG64 stream is stable)."""
    lo, hi = stats.bootstrap_ci([0, 0, 0, 1, 1, 1, 1, 1, 1, 1], seed=0, n_boot=1000)
    assert (round(lo, 6), round(hi, 6)) == (0.4, 1.0)


def _synthetic(n: int, intercept: float, slope: float, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    delta = rng.normal(400, 300, size=n)                    # the model is usually much longer
    x = np.tanh(delta / delta.std())
    p = 1 / (1 + np.exp(-(intercept + slope * x)))
    outcomes = ["win" if u < pi else "loss" for u, pi in zip(rng.random(n), p)]
    return outcomes, delta


def test_lc_win_rate_removes_a_pure_length_effect():
    outcomes, delta = _synthetic(4000, intercept=0.0, slope=3.0, seed=0)
    raw = stats.rates(outcomes)["win_rate"]
    lc = stats.lc_win_rate(outcomes, delta)
    assert raw > 0.75                       # length alone makes the model look good
    assert lc == pytest.approx(0.5, abs=0.05)


def test_lc_win_rate_keeps_a_real_quality_effect():
    outcomes, delta = _synthetic(4000, intercept=1.0, slope=2.0, seed=1)
    assert stats.lc_win_rate(outcomes, delta) == pytest.approx(1 / (1 + np.exp(-1.0)), abs=0.05)


def test_lc_win_rate_without_length_difference_is_the_raw_rate():
    outcomes = ["win"] * 30 + ["tie"] * 20 + ["loss"] * 50
    assert stats.lc_win_rate(outcomes, [0.0] * 100) == pytest.approx(0.4, abs=1e-6)   # (30 + 10) / 100


def test_lc_win_rate_is_finite_on_separable_data():
    assert 0.99 < stats.lc_win_rate(["win"] * 10, list(range(10))) <= 1.0
    assert 0.0 <= stats.lc_win_rate(["loss"] * 10, list(range(10))) < 0.01


def test_pairwise_summary_reports_consistency_and_position_bias():
    outcomes = ["win", "tie", "tie", "loss"]
    consistent = [True, False, True, True]
    out = stats.pairwise_summary(outcomes, consistent, [10.0, -5.0, 0.0, 3.0], first_position_wins=5,
                                 n_valid_orders=6, n_invalid_orders=2, seed=0, n_boot=200)
    assert out["consistency"] == 0.75 and out["n_inconsistent"] == 1.0
    assert out["first_position_rate"] == pytest.approx(5 / 6) and out["n_invalid_verdicts"] == 2.0
    assert out["win_rate_ci_low"] <= out["win_rate"] <= out["win_rate_ci_high"]
    assert out["n"] == 4.0 and out["score"] == 0.5


def test_single_summary_and_categories():
    out = stats.single_summary([8.0, None, 6.0], seed=0, n_boot=100)
    assert out["score"] == 7.0 and out["n"] == 3.0 and out["n_invalid"] == 1.0
    cats = stats.by_category(["x", "y", "x"], [8.0, None, 6.0], "single")
    assert cats == {"x/score": 7.0, "x/n": 2.0, "y/score": 0.0, "y/n": 1.0}
    pw = stats.by_category(["x", "x", "y"], ["win", "loss", "tie"], "pairwise")
    assert pw["x/win_rate"] == 0.5 and pw["y/tie_rate"] == 1.0 and pw["x/n"] == 2.0
