"""The MUSER / LeCaRD "paper" metric protocols, re-implemented from their definitions.

Why a separate module: the numbers in the MUSER paper (CIKM 2023, Table 6) and on the LeCaRD
leaderboard are not trec_eval values. They score a ranked list only against a short *judged*
list (MUSER: `top30_dict.json`, LeCaRD: `label_top30_dict.json`) with these conventions:

- judged: the first `judged_depth` (30) entries of the query's judged list, in file order.
  The MUSER file is a stable sort by score, so which tied candidates fall inside the 30 is fixed
  by that order (94 of 100 queries have a tie across rank 30/31).
- NDCG@k: linear gain = judged score (0 for anything outside the judged 30), discount
  log2(rank+1), IDCG from *all* judged scores of the query sorted descending (zero-padded).
  A query whose whole ranking holds no judged gain scores 0.
- P@k, protocol `paper` (the code as it was when the paper's table was made, before MUSER commit
  490bf1c): drop predictions that are not judged, then count relevant among the first k of what
  remains, divided by k. Protocol `paper-head` (the repository at HEAD): plain P@k, relevant among
  the first k predictions.
- relevant: judged and score >= `rel_threshold` (MUSER 5; LeCaRD 3 on its 0-3 scale).
- MAP: AP over the judged-only ranking, averaged over the relevant documents *retrieved* (not
  over all relevant ones); a query with none retrieved scores 0.
- Averages are over every query of the split; a query missing from the run scores 0.
- Duplicate ids in a ranking: only the first occurrence counts (the original code would count
  repeats; the committed runs have none).

Everything is parameterised by the judgments source (`Judged`), so the same code scores LeCaRD.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from core import DataError, read_json

Judged = dict[str, list[tuple[str, int]]]
"""query_id -> [(doc_id, score), ...] in judged-file order (best first)."""
Ranked = dict[str, list[str]]
"""query_id -> doc ids, best first."""


@dataclass(frozen=True)
class PaperProtocol:
    """The knobs that differ between MUSER and LeCaRD (and between the paper and the repo HEAD)."""

    judged_depth: int = 30
    rel_threshold: int = 5
    ndcg_cutoffs: tuple[int, ...] = (10, 20, 30)
    p_cutoffs: tuple[int, ...] = (5, 10)
    head_precision: bool = False       # False = `paper` (filter then cut); True = `paper-head` (plain P@k)
    name: str = "paper"
    extra: dict[str, str] = field(default_factory=dict)

    def measures(self) -> list[str]:
        return ([f"P@{k}" for k in self.p_cutoffs] + ["MAP"] + [f"NDCG@{k}" for k in self.ndcg_cutoffs])

    def conventions(self) -> dict[str, str]:
        conv = {
            "judged": f"first {self.judged_depth} entries of the judged list per query, in file order "
                      "(ties across the cut are decided by that order)",
            "relevant": f"judged and score >= {self.rel_threshold}",
            "gain": "linear (gain = judged score; unjudged = 0); discount log2(rank+1)",
            "idcg": "all judged scores of the query, sorted descending, zero-padded to k",
            "precision": ("plain P@k over the first k predictions (repo HEAD, commit 490bf1c)"
                          if self.head_precision else
                          "predictions not judged are dropped first, then relevant among the first k / k "
                          "(paper table, before commit 490bf1c)"),
            "map": "AP over the judged-only ranking, divided by relevant documents retrieved",
            "missing_queries": "a split query missing from the run, or with no judged hit, scores 0",
            "duplicates": "only the first occurrence of a doc id in a ranking counts",
        }
        conv.update(self.extra)
        return conv


MUSER_PAPER = PaperProtocol()
MUSER_PAPER_HEAD = PaperProtocol(head_precision=True, name="paper-head")
LECARD_PAPER = PaperProtocol(rel_threshold=3, name="lecard-paper",
                             extra={"relevant": "judged and label == 3 (LeCaRD 0-3 scale)"})


def _dedupe(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def _ndcg(gains: Sequence[float], ideal: Sequence[float], k: int) -> float:
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    ideal_sorted = sorted(ideal, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal_sorted))
    return dcg / idcg if idcg > 0 else 0.0


def score_query(ranking: Sequence[str], judged: Sequence[tuple[str, int]],
                protocol: PaperProtocol = MUSER_PAPER) -> dict[str, float]:
    """All paper measures for one query (values in [0, 1])."""
    ranking = _dedupe(str(d) for d in ranking)
    top = dict((str(d), int(s)) for d, s in judged[:protocol.judged_depth])
    rel = {d for d, s in top.items() if s >= protocol.rel_threshold}
    out: dict[str, float] = {}
    filtered = [d for d in ranking if d in top]
    for k in protocol.p_cutoffs:
        window = ranking[:k] if protocol.head_precision else filtered[:k]
        out[f"P@{k}"] = sum(1 for d in window if d in rel) / k
    hits = [i for i, d in enumerate(filtered) if d in rel]
    ap = 0.0
    for n, pos in enumerate(hits, start=1):
        ap += n / (pos + 1)
    out["MAP"] = ap / len(hits) if hits else 0.0
    gains = [top.get(d, 0) for d in ranking]
    ideal = [s for _, s in judged]
    for k in protocol.ndcg_cutoffs:
        out[f"NDCG@{k}"] = _ndcg(gains, ideal, k) if sum(gains) != 0 else 0.0
    return out


@dataclass
class PaperEvaluation:
    aggregate: dict[str, float]
    per_query: dict[str, dict[str, float]]
    conventions: dict[str, str]
    missing: list[str]


def evaluate_paper(judged: Judged, ranked: Mapping[str, Sequence[str]], queries: Sequence[str],
                   protocol: PaperProtocol = MUSER_PAPER) -> PaperEvaluation:
    """Average the paper measures over `queries` (every query counts; missing ones score 0)."""
    if not queries:
        raise ValueError("no queries to score")
    per_query: dict[str, dict[str, float]] = {}
    missing: list[str] = []
    for qid in queries:
        if qid not in judged:
            raise KeyError(f"query {qid!r} has no judgments")
        if qid not in ranked:
            missing.append(qid)
        per_query[qid] = score_query(ranked.get(qid, []), judged[qid], protocol)
    measures = protocol.measures()
    aggregate = {m: sum(per_query[q][m] for q in queries) / len(queries) for m in measures}
    return PaperEvaluation(aggregate, per_query, protocol.conventions(), missing)


def load_judged(path: str | Path) -> Judged:
    """Read a `{qid: {docid: score}}` judged file keeping its order (top30_dict, label_top30_dict)."""
    data = read_json(path, what="judged file")
    if not isinstance(data, dict) or not all(isinstance(docs, dict) for docs in data.values()):
        raise DataError(f"{path}: expected {{qid: {{docid: score}}}}")
    try:
        return {str(q): [(str(d), int(s)) for d, s in docs.items()] for q, docs in data.items()}
    except (TypeError, ValueError):
        raise DataError(f"{path}: every score must be an integer") from None


def lecard_test_queries(judged: Judged) -> list[str]:
    """LeCaRD's official 20-query test subset: label-file keys at positions 0, 5, ..., 95."""
    return [q for i, q in enumerate(judged) if i % 5 == 0][:20]


def evaluate_lecard_paper(label_file: str | Path, ranked: Mapping[str, Sequence[str]],
                          queries: Sequence[str] | None = None) -> PaperEvaluation:
    """Score a LeCaRD run with the same code (relevant = label 3). Queries default to the test subset.

    Note: LeCaRD's committed bm25/tfidf runs are stored worst-first; reverse them before calling.
    """
    judged = load_judged(label_file)
    return evaluate_paper(judged, ranked, list(queries) if queries else lecard_test_queries(judged),
                          LECARD_PAPER)
