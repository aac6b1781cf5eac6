"""SQuAD v1.1 EM/F1 on worked examples (values computed by hand from the official definitions)."""
from __future__ import annotations

import pytest

from benchmarks.metrics.squad import evaluate, exact_match, f1_score, normalize_answer


def test_normalisation_drops_case_punctuation_articles():
    assert normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("Theory") == "theory"          # "the" only as a whole word


def test_worked_examples():
    assert exact_match("the Denver Broncos", "Denver Broncos") == 1.0
    # pred {denver, broncos, team}, gold {denver, broncos}: P = 2/3, R = 1 -> F1 = 0.8
    assert f1_score("Denver Broncos team", "Denver Broncos") == pytest.approx(0.8)
    assert f1_score("a", "the") == 0.0                      # both normalise to empty
    # repeated tokens count with multiplicity: pred {a1 x2}, gold {a1}: P=1/2, R=1 -> 2/3
    assert f1_score("cat cat", "cat") == pytest.approx(2 / 3)


def test_max_over_gold_and_missing_scores_zero():
    gold = {"q1": ["Santa Clara", "Levi's Stadium"], "q2": ["1990"]}
    res = evaluate(gold, {"q1": "Levi's Stadium in Santa Clara"})
    pq = res["per_query"]
    assert pq["q2"] == {"EM": 0.0, "F1": 0.0}
    # vs "Levi's Stadium": pred 5 tokens (levis stadium in santa clara), 2 common -> P 2/5 R 1 -> 4/7
    # vs "Santa Clara": same 2/5, 1 -> 4/7
    assert pq["q1"]["F1"] == pytest.approx(100 * 4 / 7)
    assert res["aggregate"]["F1"] == pytest.approx(100 * 4 / 7 / 2)
    assert res["aggregate"]["missing"] == 1
