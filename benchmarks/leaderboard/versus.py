"""Is a row really below the one above it? The paired tests `bench compare` runs, on stored per-query scores.

For each row after the first, `benchmarks.significance.compare(above, row)` on the main metric's
per-query values (or the first per-query metric the task stores, e.g. WebCPM's `correct`): a paired
t-test and a seeded randomization test; "significant" means both p < alpha, as in `bench compare`.
"""
from __future__ import annotations

from dataclasses import dataclass

from core import DataError
from benchmarks.leaderboard.collect import Row

ALPHA = 0.05
RESAMPLES = 10_000


@dataclass
class Versus:
    metric: str
    delta: float           # row - above, stored units
    p_ttest: float
    p_randomization: float
    n_queries: int
    significant: bool
    above: str             # the model it was compared with

    @property
    def p(self) -> float:
        """The larger of the two p-values: what has to be below alpha for 'significant'."""
        return max(self.p_ttest, self.p_randomization)

    def text(self) -> str:
        return f"{'*' if self.significant else 'n.s.'} {_p(self.p)}"


def _p(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def versus_above(rows: list[Row], *, alpha: float = ALPHA, n_resamples: int = RESAMPLES) -> list[Versus | None]:
    """One entry per row: None for the first and for pairs that cannot be compared (no shared queries)."""
    from benchmarks.significance import compare

    out: list[Versus | None] = [None]
    for above, row in zip(rows, rows[1:]):
        metric = row.per_query_metric
        if above.record is None or row.record is None or metric is None:
            out.append(None)
            continue
        try:
            comp = compare(above.record, row.record, [metric], metric_set=row.main_set, alpha=alpha,
                           n_resamples=n_resamples)
        except DataError:
            out.append(None)
            continue
        m = comp.rows[0]
        out.append(Versus(metric, m.delta, m.p_ttest, m.p_randomization, m.n_queries, m.significant, above.model))
    return out


__all__ = ["Versus", "versus_above", "ALPHA", "RESAMPLES"]
