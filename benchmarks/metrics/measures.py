"""Measure names, declared apart from the library that computes them (as ir_measures does).

A user writes "nDCG@10", "MAP", "P@10", "Recall@100", "MRR", "MRR@10", "R-Prec", "nDCG", "MAP@100";
`parse_measure` turns that into a Measure that knows its trec_eval name and its conventions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core import DataError

__all__ = ["Measure", "parse_measure", "MEASURE_HELP"]

# canonical family name -> (trec_eval name, takes a cut-off, gain/relevance convention)
_FAMILIES: dict[str, tuple[str, bool, str]] = {
    "nDCG": ("ndcg", True, "graded: gain = relevance grade (linear, trec_eval), log2 rank discount"),
    "MAP": ("map", True, "binary: relevant = grade >= 1"),
    "P": ("P", True, "binary: relevant = grade >= 1; denominator = cut-off"),
    "Recall": ("recall", True, "binary: relevant = grade >= 1"),
    "MRR": ("recip_rank", True, "binary: first doc with grade >= 1"),
    "R-Prec": ("Rprec", False, "binary: relevant = grade >= 1"),
}
_ALIASES = {"ndcg": "nDCG", "map": "MAP", "ap": "MAP", "p": "P", "precision": "P", "recall": "Recall", "r": "Recall",
            "mrr": "MRR", "rr": "MRR", "recip_rank": "MRR", "r-prec": "R-Prec", "rprec": "R-Prec"}
_PATTERN = re.compile(r"^\s*([A-Za-z_\-]+)\s*(?:@\s*(\d+))?\s*$")

MEASURE_HELP = "nDCG[@k], MAP[@k], P@k, Recall@k, MRR[@k], R-Prec"


@dataclass(frozen=True)
class Measure:
    family: str          # canonical family ("nDCG", "MAP", ...)
    cutoff: int | None   # k in "@k"

    @property
    def name(self) -> str:
        return f"{self.family}@{self.cutoff}" if self.cutoff else self.family

    @property
    def trec_name(self) -> str:
        """The pytrec_eval/trec_eval measure (MRR@k is recip_rank on the run truncated to k)."""
        base, _, _ = _FAMILIES[self.family]
        if self.cutoff is None or self.family == "MRR":
            return base
        return {"nDCG": "ndcg_cut", "MAP": "map_cut"}.get(self.family, base) + f"_{self.cutoff}"

    @property
    def trec_request(self) -> str:
        """What to ask pytrec_eval for: "ndcg_cut.10" computes exactly cut-off 10 (not its default list)."""
        if self.cutoff is None or self.family == "MRR":
            return self.trec_name
        family, _, k = self.trec_name.rpartition("_")
        return f"{family}.{k}"

    @property
    def convention(self) -> str:
        return _FAMILIES[self.family][2]

    def __str__(self) -> str:
        return self.name


def parse_measure(text: str) -> Measure:
    match = _PATTERN.match(text)
    family = _ALIASES.get(match.group(1).lower()) if match else None
    if family is None:
        raise DataError(f"unknown measure {text!r}; known: {MEASURE_HELP}")
    cutoff = int(match.group(2)) if match.group(2) else None
    takes_cutoff = _FAMILIES[family][1]
    if cutoff is not None and (not takes_cutoff or cutoff < 1):
        raise DataError(f"measure {text!r}: {family} takes no cut-off" if not takes_cutoff
                        else f"measure {text!r}: the cut-off must be >= 1")
    if cutoff is None and family in {"P", "Recall"}:
        raise DataError(f"measure {text!r}: {family} needs a cut-off, e.g. {family}@10")
    return Measure(family, cutoff)
