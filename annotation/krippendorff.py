"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, with missing values.

Computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"):
alpha = 1 - D_o / D_e. Units with fewer than two values are not pairable and are dropped. Unlike
kappa, alpha allows any number of raters per unit and gives partial credit to near misses on
ordinal/interval scales, which is what graded relevance (MUSER's 0-3 fact view) and 1-10 ratings need.
Undefined cases (one value only, D_e = 0) return 1.0 when observed disagreement is 0, else 0.0, as
`annotation.agreement` does for kappa.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Hashable, Sequence

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def coincidences(units: Sequence[Sequence[Hashable | None]]) -> dict[tuple[Hashable, Hashable], float]:
    """o_ck: each ordered pair of values within a unit, weighted 1 / (values in the unit - 1)."""
    o: dict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in units:
        vals = [v for v in unit if v is not None]
        m = len(vals)
        if m < 2:
            continue
        counts = Counter(vals)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    o[(c, k)] += pairs / (m - 1)
    return dict(o)


def _delta2(level: str, values: list[Hashable], n_c: dict[Hashable, float]):
    if level == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if level == "interval":
        return lambda c, k: (float(c) - float(k)) ** 2   # type: ignore[arg-type]
    if level == "ratio":
        return lambda c, k: 0.0 if c == k else ((float(c) - float(k)) / (float(c) + float(k))) ** 2  # type: ignore[arg-type]
    if level == "ordinal":
        rank = {v: i for i, v in enumerate(values)}
        cum = [0.0]
        for v in values:
            cum.append(cum[-1] + n_c[v])

        def d(c: Hashable, k: Hashable) -> float:
            lo, hi = sorted((rank[c], rank[k]))
            between = cum[hi + 1] - cum[lo]          # n_g for g from c to k inclusive
            return (between - (n_c[c] + n_c[k]) / 2) ** 2
        return d
    raise ValueError(f"unknown level of measurement {level!r}; known: {', '.join(LEVELS)}")


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]], level: str = "nominal") -> float:
    """`units[u]` = the values the raters gave unit u (None = not rated). Ordinal/interval values must sort."""
    o = coincidences(units)
    if not o:
        raise ValueError("krippendorff_alpha needs at least one unit with two or more values")
    n_c: dict[Hashable, float] = defaultdict(float)
    for (c, _k), w in o.items():
        n_c[c] += w
    n = sum(n_c.values())
    values = sorted(n_c) if level != "nominal" else list(n_c)
    d2 = _delta2(level, values, n_c)
    d_o = sum(w * d2(c, k) for (c, k), w in o.items()) / n
    d_e = sum(n_c[c] * n_c[k] * d2(c, k) for c in values for k in values) / (n * (n - 1))
    if d_e == 0:
        return 1.0 if d_o == 0 else 0.0
    return 1.0 - d_o / d_e
