"""Agreement of pairwise verdicts: judge vs people, people vs people, and the judge's own biases.

Conventions (a verdict is the winner of one item: "model", "baseline" or "tie"):
- judge-human agreement is computed over every (item, annotator) pair: the judge's verdict on the item
  (both orders combined, `benchmarks.judging.stats.combine_orders`: inconsistent or unreadable = tie)
  against that annotator's verdict. Human-human agreement is over every item and every unordered pair of
  annotators who both judged it (the ceiling a judge can be held to, MT-Bench arXiv 2306.05685).
- "with ties" (MT-Bench's setup S2): a tie is a third class and must match a tie. "without ties"
  (setup S1): the pairs where either side said tie are dropped; NaN-free: 0 pairs left gives n = 0 and
  the rate is refused (reported as absent, never 0).
- Cohen's kappa on the same pairs (nominal, three classes), the formula of sklearn's `cohen_kappa_score`.
- position consistency: share of items whose two orders give the same winner after the swap (an
  unreadable order counts as inconsistent). first-position rate: among the single-order verdicts that
  name a winner (A or B, not a tie, not unreadable), the share naming the first position (A).
- length bias: among the non-tie verdicts of a rater on items whose answers differ in length, the share
  going to the longer answer (0.5 = no preference); given for the judge and for the people.
"""
from __future__ import annotations

from itertools import combinations
from typing import Hashable, Mapping, Sequence

from annotation.agreement import cohen_kappa as annotation_kappa

WINNERS = ("model", "baseline", "tie")


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two label lists (None when empty or unequal: a refused figure, never 0)."""
    if not a or len(a) != len(b):
        return None
    return annotation_kappa(a, b)


def vote_pairs(judge: Mapping[str, str], humans: Mapping[str, Mapping[str, str]]) -> tuple[list[str], list[str]]:
    """(judge labels, human labels): one pair per (item, annotator) over the items both judged."""
    js, hs = [], []
    for item in sorted(judge):
        for who in sorted(humans.get(item, {})):
            js.append(judge[item])
            hs.append(humans[item][who])
    return js, hs


def human_pairs(humans: Mapping[str, Mapping[str, str]]) -> tuple[list[str], list[str]]:
    """Every unordered pair of annotators on an item, as two label lists (annotators in name order)."""
    xs, ys = [], []
    for item in sorted(humans):
        for a, b in combinations(sorted(humans[item]), 2):
            xs.append(humans[item][a])
            ys.append(humans[item][b])
    return xs, ys


def agreement(xs: Sequence[str], ys: Sequence[str], prefix: str) -> dict[str, float]:
    """`PREFIX_agreement_with_ties`, `..._without_ties` (absent when no untied pair), kappa and counts."""
    out: dict[str, float] = {f"{prefix}_n": float(len(xs))}
    if xs:
        out[f"{prefix}_agreement_with_ties"] = sum(x == y for x, y in zip(xs, ys)) / len(xs)
        kappa = cohen_kappa(xs, ys)
        if kappa is not None:
            out[f"{prefix}_kappa"] = kappa
    untied = [(x, y) for x, y in zip(xs, ys) if x != "tie" and y != "tie"]
    out[f"{prefix}_n_without_ties"] = float(len(untied))
    if untied:
        out[f"{prefix}_agreement_without_ties"] = sum(x == y for x, y in untied) / len(untied)
    return out


def position_stats(orders: Sequence[tuple[str, str]]) -> dict[str, float]:
    """`orders`: per item, the raw verdicts (A/B/tie/invalid) with the model as A, then as B."""
    from benchmarks.judging.stats import model_view

    out: dict[str, float] = {"n_items": float(len(orders))}
    if orders:
        same = sum(1 for ab, ba in orders if "invalid" not in (ab, ba)
                   and model_view(ab, "A") == model_view(ba, "B"))
        out["position_consistency"] = same / len(orders)
    named = [v for pair in orders for v in pair if v in ("A", "B")]
    out["n_position_verdicts"] = float(len(named))
    if named:
        out["first_position_rate"] = sum(v == "A" for v in named) / len(named)
    return out


def longer_share(verdicts: Sequence[tuple[str, float]], prefix: str) -> dict[str, float]:
    """`verdicts`: (winner, len(model) - len(baseline)); share of non-tie wins going to the longer answer."""
    decided = [(w, d) for w, d in verdicts if w in ("model", "baseline") and d != 0]
    out = {f"{prefix}_n_length_decided": float(len(decided))}
    if decided:
        out[f"{prefix}_longer_win_rate"] = sum((w == "model") == (d > 0) for w, d in decided) / len(decided)
    return out
