"""Inter-annotator agreement: Cohen's kappa (two annotators) and Fleiss' kappa (n per item).

Used on judgment files with several annotators per (query, candidate) pair, per view. Both
treat grades as nominal categories (no partial credit for near misses). Undefined cases
(expected agreement 1, i.e. everyone always used one category) return 1.0 when observed
agreement is also perfect, else 0.0, instead of dividing by zero.
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Sequence


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    if len(a) != len(b) or not a:
        raise ValueError("cohen_kappa needs two equally long, non-empty label lists")
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if pe == 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def fleiss_kappa(items: Sequence[Sequence[Hashable]]) -> float:
    """`items[i]` = the labels the raters gave item i; every item needs the same number (>= 2) of raters."""
    if not items:
        raise ValueError("fleiss_kappa needs at least one item")
    n = len(items[0])
    if n < 2 or any(len(x) != n for x in items):
        raise ValueError("fleiss_kappa needs the same number (>= 2) of ratings per item")
    total: Counter[Hashable] = Counter()
    p_bar = 0.0
    for ratings in items:
        counts = Counter(ratings)
        total.update(counts)
        p_bar += (sum(c * c for c in counts.values()) - n) / (n * (n - 1))
    p_bar /= len(items)
    n_all = n * len(items)
    pe = sum((c / n_all) ** 2 for c in total.values())
    if pe == 1.0:
        return 1.0 if p_bar == 1.0 else 0.0
    return (p_bar - pe) / (1 - pe)
