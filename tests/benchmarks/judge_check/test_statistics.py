"""Every judge-check statistic equals an independent implementation: sklearn's cohen_kappa_score and
LogisticRegression, scipy's spearmanr and kendalltau, or a direct count written out here."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score

from benchmarks.judge_check import agreement as agr
from benchmarks.judge_check.bradley_terry import bootstrap_ranking, design, fit, rank_agreement
from benchmarks.judge_check.ratings import kendall_tau_b, rating_stats, spearman

RNG = np.random.default_rng(7)


def _humans(n_items: int, annotators: list[str]) -> tuple[dict, dict]:
    judge = {f"q{i}": str(RNG.choice(agr.WINNERS)) for i in range(n_items)}
    humans = {}
    for item in judge:
        who = [a for a in annotators if RNG.random() < 0.85] or annotators[:1]
        humans[item] = {a: str(RNG.choice(agr.WINNERS, p=[0.45, 0.35, 0.2])) for a in who}
    return judge, humans


def test_agreement_with_and_without_ties_and_kappa_match_direct_counts_and_sklearn():
    judge, humans = _humans(60, ["ann", "bob", "cy"])
    js, hs = agr.vote_pairs(judge, humans)
    got = agr.agreement(js, hs, "judge_human")
    pairs = [(judge[i], h) for i in judge for h in humans[i].values()]      # written out independently
    assert got["judge_human_n"] == len(pairs)
    assert got["judge_human_agreement_with_ties"] == pytest.approx(np.mean([j == h for j, h in pairs]))
    untied = [(j, h) for j, h in pairs if "tie" not in (j, h)]
    assert got["judge_human_n_without_ties"] == len(untied)
    assert got["judge_human_agreement_without_ties"] == pytest.approx(np.mean([j == h for j, h in untied]))
    assert got["judge_human_kappa"] == pytest.approx(cohen_kappa_score([j for j, _ in pairs], [h for _, h in pairs]))

    xs, ys = agr.human_pairs(humans)
    hh = agr.agreement(xs, ys, "human_human")
    direct = [(v[a], v[b]) for v in humans.values() for a, b in itertools.combinations(sorted(v), 2)]
    assert hh["human_human_n"] == len(direct)
    assert hh["human_human_agreement_with_ties"] == pytest.approx(np.mean([a == b for a, b in direct]))
    assert hh["human_human_kappa"] == pytest.approx(cohen_kappa_score([a for a, _ in direct], [b for _, b in direct]))


def test_undefined_agreement_is_absent_never_zero():
    got = agr.agreement(["tie", "tie"], ["model", "tie"], "judge_human")
    assert got["judge_human_n_without_ties"] == 0 and "judge_human_agreement_without_ties" not in got
    assert "judge_human_agreement_with_ties" not in agr.agreement([], [], "x")


def test_position_and_length_statistics_match_direct_counts():
    orders = [("A", "A"), ("A", "B"), ("B", "A"), ("tie", "tie"), ("A", "invalid"), ("B", "B")]
    got = agr.position_stats(orders)
    # same winner after the swap: (A,B) model wins both; (B,A) baseline both; (tie,tie)
    assert got["position_consistency"] == pytest.approx(3 / 6)
    named = ["A", "A", "A", "B", "B", "A", "A", "B", "B"]
    assert got["n_position_verdicts"] == len(named)
    assert got["first_position_rate"] == pytest.approx(named.count("A") / len(named))
    ls = agr.longer_share([("model", 5), ("baseline", 3), ("tie", 9), ("baseline", -2), ("model", 0)], "judge")
    assert ls["judge_n_length_decided"] == 3 and ls["judge_longer_win_rate"] == pytest.approx(2 / 3)


def test_rank_correlations_match_scipy_with_ties():
    x = RNG.integers(1, 11, size=40).astype(float)          # 1-10 ratings: many ties
    y = np.round(x / 2 + RNG.normal(0, 1.5, size=40))
    assert spearman(x, y) == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
    assert kendall_tau_b(x, y) == pytest.approx(kendalltau(x, y).statistic, abs=1e-12)
    stats = rating_stats(x, y, seed=3, n_boot=200)
    assert stats["spearman_ci_low"] <= stats["spearman"] <= stats["spearman_ci_high"]
    assert stats["kendall_tau_ci_low"] <= stats["kendall_tau"] <= stats["kendall_tau_ci_high"]
    assert rating_stats(x, y, seed=3, n_boot=200) == stats               # the seed fixes the intervals
    assert "spearman" not in rating_stats([5, 5, 5], [1, 2, 3], seed=0, n_boot=10)   # constant side: refused


def _battles(strength: dict[str, float], n: int, anchor: str) -> list[tuple[str, str, str]]:
    out = []
    for _ in range(n):
        a = str(RNG.choice([p for p in strength if p != anchor]))
        b = anchor if RNG.random() < 0.6 else str(RNG.choice([p for p in strength if p != a]))
        p = 1 / (1 + np.exp(-(strength[a] - strength[b])))
        u = RNG.random()
        out.append((a, b, "tie" if abs(u - p) < 0.1 else ("a" if u < p else "b")))
    return out


def test_bradley_terry_equals_unpenalised_sklearn_logistic_regression():
    strength = {"base": 0.0, "m1": 0.8, "m2": -0.5, "m3": 1.6}
    battles = _battles(strength, 400, "base")
    players = sorted(strength)
    ours = fit(battles, players, "base")
    X, y, w = design(battles, players, "base")
    lr = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10000).fit(X, y, sample_weight=w)
    cols = [p for p in players if p != "base"]
    for p, coef in zip(cols, lr.coef_[0]):
        assert ours[p] == pytest.approx(coef, abs=1e-5)
    assert ours["base"] == 0.0
    # the design written out for one battle with a tie: two half-weight rows
    X1, y1, w1 = design([("m1", "m2", "tie")], players, "base")
    assert X1.tolist() == [[1.0, -1.0, 0.0], [1.0, -1.0, 0.0]] and y1.tolist() == [1.0, 0.0] and w1.tolist() == [0.5, 0.5]


def test_bootstrap_cis_separability_and_reference_agreement():
    strength = {"base": 0.0, "m1": 0.1, "m2": 0.2, "m3": 3.0}
    battles = _battles(strength, 600, "base")
    r = bootstrap_ranking(battles, "base", seed=1, n_boot=100)
    assert r == bootstrap_ranking(battles, "base", seed=1, n_boot=100)
    for p, (lo, hi) in r.ci.items():
        assert lo <= r.scores[p] <= hi
    pairs = list(itertools.combinations(["m1", "m2", "m3"], 2))
    direct = sum(r.ci[a][1] < r.ci[b][0] or r.ci[b][1] < r.ci[a][0] for a, b in pairs) / len(pairs)
    assert r.separability() == pytest.approx(direct)
    assert r.separable("m1", "m3") and r.separable("m2", "m3")             # the strong model stands apart
    ref = ["m3", "m2", "m1", "base"]
    got = rank_agreement(r.scores, ref)
    ours = [r.scores[p] for p in ref]
    assert got["reference_spearman"] == pytest.approx(spearmanr(ours, [3, 2, 1, 0]).statistic)
    assert got["reference_kendall_tau"] == pytest.approx(kendalltau(ours, [3, 2, 1, 0]).statistic)
