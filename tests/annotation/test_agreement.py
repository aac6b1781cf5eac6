import random

import pytest

from annotation.agreement import cohen_kappa, fleiss_kappa


def test_cohen_matches_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(3)
    a = [rng.choice([0, 1, 2, 3]) for _ in range(200)]
    b = [x if rng.random() < 0.6 else rng.choice([0, 1, 2, 3]) for x in a]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_fleiss_published_example():
    # Fleiss (1971) / Wikipedia worked example: 10 items, 14 raters, 5 categories -> kappa 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    items = [[j for j, c in enumerate(row) for _ in range(c)] for row in table]
    assert round(fleiss_kappa(items), 3) == 0.210


def test_degenerate_and_bad_input():
    assert cohen_kappa([1, 1], [1, 1]) == 1.0
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 2], [1]])
