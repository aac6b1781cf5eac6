"""One printing convention per metric family, as the papers of each dataset print their tables.

A leaderboard that shows 0.4283 next to 19.2320 invites a wrong reading; so every metric has one
`Scale`: how our results store it (fraction 0-1 or already x100), how the page shows it (0-1 or x100),
and the number of decimals the reference papers print. The header states the scale ("nDCG@10 (0-1)",
"F1 (x100)") and every cell of a column follows it. The table below is the one place to change it.

| dataset (family)                | shown as      | decimals | why                                                        |
|---------------------------------|---------------|----------|------------------------------------------------------------|
| cranfield, vaswani (trec_eval)  | fraction 0-1  | 4        | trec_eval / BEIR-style IR tables print 0.xxxx               |
| lecard (standard + paper)       | fraction 0-1  | 4        | LeCaRD (SIGIR 2021) prints NDCG@k / P@k / MAP as 0.xxxx     |
| muser (all modes)               | x100          | 2        | MUSER (CIKM 2023) Table 6 prints P@k, MAP, NDCG@k as 78.41  |
| xquad (EM/F1)                   | x100          | 1        | XQuAD (Artetxe et al. 2020) prints F1 / EM as 88.9 / 78.1   |
| cmrc2018 (EM/F1)                | x100          | 3        | the CMRC 2018 evaluator and leaderboard print 3 decimals    |
| squad-style QA (other)          | x100          | 2        | SQuAD v1.1 evaluator (x100)                                 |
| webcpm (action F1, ratios)      | x100          | 1        | WebCPM (ACL 2023) reports action prediction in percent      |
| ultrachat (judge scores)        | raw           | 2        | MT-Bench-style 1-10 scores and win rates as printed         |
| counts (scored, total, n, ...)  | count         | 0        | whole numbers, thousands separated                           |
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """`shown` = stored value x `factor`, printed with `decimals`; `label` goes in the column header."""

    name: str            # "fraction" | "x100" | "raw" | "count"
    factor: float
    decimals: int
    label: str
    high: float | None   # the top of the axis (1 or 100); None = no fixed range (raw, counts)

    def show(self, stored: float) -> float:
        return stored * self.factor

    def fmt(self, stored: float) -> str:
        v = self.show(stored)
        return f"{v:,.0f}" if self.name == "count" else f"{v:.{self.decimals}f}"


def fraction(decimals: int = 4) -> Scale:
    return Scale("fraction", 1.0, decimals, "0-1", 1.0)


def x100(decimals: int = 2, *, stored_x100: bool = False) -> Scale:
    return Scale("x100", 1.0 if stored_x100 else 100.0, decimals, "\u00d7100", 100.0)


RAW = Scale("raw", 1.0, 2, "raw", None)
COUNT = Scale("count", 1.0, 0, "count", None)

# dataset -> the scale of its scores (see the table above); QA metrics are stored x100 already
DATASET_SCALES: dict[str, Scale] = {
    "cranfield": fraction(4),
    "vaswani": fraction(4),
    "lecard": fraction(4),
    "muser": x100(2),
    "xquad": x100(1, stored_x100=True),
    "cmrc2018": x100(3, stored_x100=True),
    "squad_v2_sample": x100(2, stored_x100=True),
    "webcpm": x100(1),
    "ultrachat": RAW,
}
# a default per task kind, for a dataset not in the table
KIND_SCALES: dict[str, Scale] = {
    "retrieval": fraction(4), "qa": x100(2, stored_x100=True), "classification": x100(1), "generation": RAW,
}
COUNT_METRICS = frozenset({"scored", "total", "undecodable", "n", "missing", "missing_predictions", "judged",
                           "n_queries", "queries", "errors"})


def scale_for(dataset: str, metric: str, kind: str | None = None) -> Scale:
    """The scale `metric` of `dataset` is shown in (counts are counts on every dataset)."""
    if metric in COUNT_METRICS:
        return COUNT
    if dataset in DATASET_SCALES:
        return DATASET_SCALES[dataset]
    return KIND_SCALES.get(kind or "", RAW)


def header(metric: str, scale: Scale) -> str:
    """The column header that states the scale: `nDCG@10 (0-1)`, `F1 (x100)`, `scored (count)`."""
    return f"{metric} ({scale.label})"


__all__ = ["Scale", "scale_for", "header", "DATASET_SCALES", "KIND_SCALES", "COUNT_METRICS", "RAW", "COUNT"]
