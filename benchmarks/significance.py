"""Is system B really better than system A on this task? Paired tests over per-query scores.

Both tests pair the two results query by query (the same topics, the same metric):
- paired Student t-test (scipy.stats.ttest_rel), two-sided: the classic IR choice (Smucker et al., CIKM 2007
  found it agrees closely with the randomization test on TREC data);
- randomization (permutation) test, two-sided, seeded: randomly swap the two systems' scores per query
  (a sign flip of the difference) `n_resamples` times; p = (#|mean diff| >= observed + 1) / (n_resamples + 1).
Only queries present in both results are paired; how many were dropped is reported.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core import DataError, atomic_write_json, require_file
from benchmarks.results import Result, ResultError, load_result

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 42


def paired_t_test(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """(t, two-sided p) for mean(b - a); identical scores give (0, 1) instead of NaN."""
    from scipy import stats

    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    if d.size < 2 or np.allclose(d, d[0]) and np.isclose(d[0], 0.0):
        return 0.0, 1.0
    if np.allclose(d, d[0]):          # constant non-zero difference: zero variance, certain
        return float(np.sign(d[0]) * np.inf), 0.0
    res = stats.ttest_rel(b, a)
    return float(res.statistic), float(res.pvalue)


def randomization_test(a: Sequence[float], b: Sequence[float], n_resamples: int = DEFAULT_RESAMPLES,
                       seed: int = DEFAULT_SEED, batch: int = 2_000) -> float:
    """Two-sided paired randomization test p-value (sign flips of per-query differences), seeded."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    if d.size == 0:
        return 1.0
    observed = abs(d.mean())
    rng = np.random.default_rng(seed)
    hits, done = 0, 0
    while done < n_resamples:
        m = min(batch, n_resamples - done)
        signs = rng.integers(0, 2, size=(m, d.size), dtype=np.int8) * 2 - 1
        means = np.abs(signs @ d) / d.size
        hits += int(np.count_nonzero(means >= observed - 1e-12))
        done += m
    return (hits + 1) / (n_resamples + 1)


@dataclass
class MetricComparison:
    metric: str
    mean_a: float
    mean_b: float
    delta: float            # mean_b - mean_a
    t: float
    p_ttest: float
    p_randomization: float
    n_queries: int
    significant: bool       # both tests below alpha

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Comparison:
    task: str
    metric_set: str
    model_a: str
    model_b: str
    alpha: float
    n_resamples: int
    seed: int
    rows: list[MetricComparison]
    dropped_queries: dict[str, int] = field(default_factory=dict)   # only in a / only in b
    conventions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rows"] = [r.to_dict() for r in self.rows]
        return d


def _label(result: Result) -> str:
    return result.model.name


def compare(a: Result, b: Result, metrics: Sequence[str] | None = None, *, metric_set: str | None = None,
            alpha: float = 0.05, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
            allow_different_data: bool = False) -> Comparison:
    """Compare two results of the same task per metric. Raises DataError when they are not comparable."""
    if a.task != b.task:
        raise DataError(f"cannot compare results of different tasks: {a.task!r} vs {b.task!r}")
    if a.dataset_sha != b.dataset_sha and not allow_different_data:
        raise DataError(f"task {a.task}: the results were computed on different data (dataset_sha "
                        f"{a.dataset_sha[:12]} vs {b.dataset_sha[:12]}); pass --allow-different-data to force")
    sets = [s for s in a.per_query if s in b.per_query]
    set_name = metric_set or (a.main_score.get("set") if a.main_score.get("set") in sets else (sets[0] if sets else None))
    if set_name is None or set_name not in a.per_query or set_name not in b.per_query:
        raise DataError(f"task {a.task}: no per-query scores for metric set {set_name!r} in both results "
                        f"(a has {sorted(a.per_query)}, b has {sorted(b.per_query)})")
    pa, pb = a.per_query[set_name], b.per_query[set_name]
    common = sorted(set(pa) & set(pb))
    if not common:
        def some(ids: Any) -> str:
            ids = sorted(ids, key=lambda q: (len(q), q))
            return ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")

        raise DataError(f"task {a.task}: the two results share no query ids in metric set {set_name!r} "
                        f"(A has {len(pa)}: {some(pa)}; B has {len(pb)}: {some(pb)})")
    available = [m for m in next(iter(pa.values())) if all(m in pb[q] for q in common)]
    chosen = list(metrics) if metrics else available
    missing = [m for m in chosen if m not in available]
    if missing:
        raise DataError(f"task {a.task}: metric(s) {', '.join(missing)} not in both results' per-query scores; "
                        f"available: {', '.join(available)}")
    rows = []
    for m in chosen:
        xa = [float(pa[q].get(m, 0.0)) for q in common]
        xb = [float(pb[q].get(m, 0.0)) for q in common]
        t, p_t = paired_t_test(xa, xb)
        p_r = randomization_test(xa, xb, n_resamples, seed)
        rows.append(MetricComparison(m, float(np.mean(xa)), float(np.mean(xb)), float(np.mean(xb) - np.mean(xa)),
                                     t, p_t, p_r, len(common), p_t < alpha and p_r < alpha))
    return Comparison(
        task=a.task, metric_set=set_name, model_a=_label(a), model_b=_label(b), alpha=alpha,
        n_resamples=n_resamples, seed=seed, rows=rows,
        dropped_queries={"only_a": len(set(pa) - set(pb)), "only_b": len(set(pb) - set(pa))},
        conventions={"pairing": "per query id; queries in only one result are dropped",
                     "t-test": "scipy.stats.ttest_rel(b, a), two-sided",
                     "randomization": f"{n_resamples} seeded sign flips of b-a, two-sided, p=(hits+1)/(n+1)",
                     "significant": f"both p < {alpha}"})


def attach(result: Result, baseline: Result, comp: Comparison | None = None, **kwargs: Any) -> Result:
    """Store the comparison against `baseline` in `result.extra['comparison']` (list, one per baseline);
    `comp`: that comparison when the caller already ran it (the randomization test is not cheap)."""
    comp = comp or compare(baseline, result, **kwargs)
    entries = [c for c in result.extra.get("comparison", []) if c.get("model_a") != comp.model_a]
    result.extra["comparison"] = [*entries, comp.to_dict()]
    return result


def compare_files(path_a: str | Path, path_b: str | Path, *, output: str | Path | None = None,
                  annotate: bool = False, **kwargs: Any) -> Comparison:
    """`bench compare`: load two result files, compare them (kwargs as `compare`), write the comparison as
    JSON to `output` when given, and store it in B's `extra.comparison` when `annotate`."""
    a, b = (load_result(require_file(p, "result file", error=ResultError)) for p in (path_a, path_b))
    try:
        comp = compare(a, b, **kwargs)
    except DataError as exc:                    # the refusal names both files: which pair cannot be compared
        raise DataError(f"{path_a} vs {path_b}: {exc}") from None
    if output is not None:
        atomic_write_json(output, comp.to_dict())
    if annotate:
        attach(b, a, comp=comp).save(path_b)
    return comp
