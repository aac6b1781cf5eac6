"""Paired t-test and randomization test, on exact cases and on two real Cranfield BM25 results."""
from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import DataError
from benchmarks.significance import attach, compare, paired_t_test, randomization_test

REPO = Path(__file__).resolve().parents[2]


def test_t_test_matches_the_formula() -> None:
    from scipy import stats

    a = [0.2, 0.5, 0.1, 0.7, 0.4, 0.3]
    b = [0.3, 0.55, 0.2, 0.65, 0.6, 0.35]
    d = np.subtract(b, a)
    t_ref = d.mean() / (d.std(ddof=1) / np.sqrt(d.size))
    p_ref = 2 * stats.t.sf(abs(t_ref), d.size - 1)
    t, p = paired_t_test(a, b)
    assert t == pytest.approx(t_ref) and p == pytest.approx(p_ref)
    assert paired_t_test(a, a) == (0.0, 1.0)


def test_randomization_converges_to_the_exact_permutation_p() -> None:
    a = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.5, 0.3, 0.6])
    b = np.array([0.3, 0.45, 0.5, 0.7, 0.45, 0.65, 0.32, 0.7])
    d = b - a
    # exact: all 2^8 sign patterns
    exact = np.mean([abs(np.dot(s, d)) / d.size >= abs(d.mean()) - 1e-12
                     for s in itertools.product([-1, 1], repeat=d.size)])
    p = randomization_test(a, b, n_resamples=20_000, seed=1)
    assert p == pytest.approx(exact, abs=0.01)
    assert randomization_test(a, b, 5_000, seed=7) == randomization_test(a, b, 5_000, seed=7)   # seeded
    assert randomization_test(a, a, 1_000) == 1.0


@pytest.fixture(scope="module")
def two_results(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions

    out = tmp_path_factory.mktemp("runs")
    data = shared_data / "cranfield"
    a, pa = run_task("cranfield", RunOptions(retriever="bm25", output=out / "a", show_progress=False, data_dir=data))
    b, pb = run_task("cranfield", RunOptions(retriever="bm25", output=out / "b", params={"k1": 0.3, "b": 0.3},
                                             show_progress=False, data_dir=data))
    return a, b, pa, pb


def test_compare_real_results(two_results) -> None:
    a, b, _, _ = two_results
    comp = compare(a, b, n_resamples=2_000)
    assert comp.rows and all(r.n_queries == 225 for r in comp.rows)
    by = {r.metric: r for r in comp.rows}
    assert by["nDCG@10"].mean_a == pytest.approx(a.metrics["standard"]["nDCG@10"])
    assert by["nDCG@10"].delta == pytest.approx(b.metrics["standard"]["nDCG@10"] - a.metrics["standard"]["nDCG@10"])
    same = compare(a, a, ["MAP"], n_resamples=500)
    assert same.rows[0].p_ttest == 1.0 and same.rows[0].p_randomization == 1.0 and not same.rows[0].significant
    with pytest.raises(DataError, match="not in both"):
        compare(a, b, ["nDCG@1000"])
    other = type(a)(**{**a.__dict__, "task": "vaswani"})
    with pytest.raises(DataError, match="different tasks"):
        compare(a, other)
    annotated = attach(b, a, n_resamples=500)
    assert annotated.extra["comparison"][0]["model_a"] == "bm25"


def test_cli_compare_writes_json_and_annotates(two_results, tmp_path: Path) -> None:
    _, _, pa, pb = two_results
    out = tmp_path / "cmp.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "compare", str(pa), str(pb), "-m", "MAP",
                           "--resamples", "500", "-o", str(out), "--annotate"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "MAP" in proc.stdout
    data = json.loads(out.read_text())
    assert data["rows"][0]["metric"] == "MAP" and data["n_resamples"] == 500
    assert json.loads(Path(pb).read_text())["extra"]["comparison"][0]["rows"][0]["metric"] == "MAP"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = subprocess.run([sys.executable, "-m", "bench", "compare", str(pa), str(bad)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "bad.json" in proc.stderr and "Traceback" not in proc.stderr
