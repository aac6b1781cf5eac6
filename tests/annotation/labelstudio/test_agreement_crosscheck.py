"""Agreement figures against the reference implementations: sklearn's Cohen's kappa, the `krippendorff`
package, and the worked example of Krippendorff (2011) whose alphas are published."""
from __future__ import annotations

import random

import pytest

from annotation.krippendorff import krippendorff_alpha
from annotation.labelstudio.agree import disagreements, field_agreement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units
# (None = missing). Published: nominal 0.743, interval 0.849.
K2011 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
UNITS = [list(u) for u in zip(*K2011)]


def test_published_example():
    assert round(krippendorff_alpha(UNITS, "nominal"), 3) == 0.743
    assert round(krippendorff_alpha(UNITS, "interval"), 3) == 0.849


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_equals_krippendorff_package(level):
    kd = pytest.importorskip("krippendorff", reason="requirements-test.txt installs krippendorff")
    import numpy as np

    rng = random.Random(7)
    for trial in range(20):
        raters, items = rng.randint(2, 5), rng.randint(5, 40)
        data = [[rng.choice([1, 2, 3, 4, 5, None]) for _ in range(items)] for _ in range(raters)]
        units = [list(u) for u in zip(*data)]
        if sum(1 for u in units if sum(v is not None for v in u) >= 2) == 0:
            continue
        values = {v for u in units for v in u if v is not None}
        if len(values) < 2:
            continue
        ref = kd.alpha(reliability_data=np.array([[np.nan if v is None else v for v in row] for row in data], float),
                       level_of_measurement=level)
        assert krippendorff_alpha(units, level) == pytest.approx(ref, abs=1e-12), (trial, data)
    ref = kd.alpha(reliability_data=np.array([[np.nan if v is None else v for v in r] for r in K2011], float),
                   level_of_measurement=level)
    assert krippendorff_alpha(UNITS, level) == pytest.approx(ref, abs=1e-12)


def test_cohen_per_pair_equals_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(3)
    items = {f"i{n}": {"a": rng.choice([0, 1, 2, 3]), "b": rng.choice([0, 1, 2, 3]), "c": rng.choice([0, 1, 3])}
             for n in range(60)}
    for k in list(items)[::7]:
        del items[k]["c"]       # c missed some items: its pairs use only the shared ones
    out = field_agreement(items, "ordinal")
    for pair, got in out["cohen_kappa"].items():
        x, y = pair.split("|")
        shared = [k for k, v in items.items() if x in v and y in v]
        assert got["items"] == len(shared)
        assert got["kappa"] == pytest.approx(cohen_kappa_score([items[k][x] for k in shared],
                                                               [items[k][y] for k in shared]), abs=1e-12)
    assert out["fleiss_kappa"] == {"kappa": pytest.approx(out["fleiss_kappa"]["kappa"]), "items": 51, "raters": 3}
    assert set(out["krippendorff_alpha"]) == {"nominal", "ordinal"}


def test_disagreements_list_majority_and_prediction():
    table = {"aqbq": {"1/2": {"a": 3, "b": 3}, "1/3": {"a": 2, "b": 3, "c": 3}, "1/4": {"a": 1, "b": 0}}}
    rows = disagreements(table, {("1/3", "aqbq"): 2}, {"1/3": "7", "1/4": "8"})
    assert [(r["item"], r["majority"], r["prediction"], r["task_id"]) for r in rows] == \
        [("1/3", 3, 2, "7"), ("1/4", None, None, "8")]
