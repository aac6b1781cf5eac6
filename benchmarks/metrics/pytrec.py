"""The pytrec_eval provider: trec_eval itself, so values equal what papers report.

Conventions (also returned in every Evaluation, and copied into results JSON):
- the queries scored are the queries in the qrels; a query with no run entry scores 0 on every
  measure and counts in the mean (trec_eval -c); run queries without qrels are ignored;
- ties: trec_eval sorts by score desc, then doc id desc (string order), whatever ranks are in the file;
- binary measures count grade >= 1 as relevant (trec_eval -l 1); nDCG uses the grade as gain;
- P@k divides by k even when fewer documents were retrieved; MRR@k = recip_rank over the top k.
"""
from __future__ import annotations

from collections.abc import Sequence

from benchmarks.io.trec import ranked
from benchmarks.metrics.measures import Measure
from retrieval.types import Qrels, Run

CONVENTIONS: dict[str, str] = {
    "backend": "pytrec_eval (trec_eval 9.x)",
    "missing_queries": "queries in the qrels with no run entry score 0 and count in the mean (trec_eval -c)",
    "extra_queries": "run queries without qrels are ignored",
    "ties": "ranked by score desc, then doc id desc (trec_eval order); ranks in run files are ignored",
    "relevance": "binary measures: grade >= 1 is relevant; nDCG: gain = grade (linear), log2 discount",
    "cutoffs": "P@k divides by k; nDCG@k ideal = best k judged docs; MRR@k looks at the top k only",
    "aggregate": "arithmetic mean over the qrels' queries",
}


def _truncate(run: Run, k: int) -> Run:
    return {q: dict(ranked(docs)[:k]) for q, docs in run.items()}


def compute(qrels: Qrels, run: Run, measures: Sequence[Measure]) -> dict[str, dict[str, float]]:
    """Per-query values {qid: {measure name: value}} for every query in the qrels."""
    import pytrec_eval

    per_query: dict[str, dict[str, float]] = {q: {} for q in qrels}
    plain = [m for m in measures if not (m.family == "MRR" and m.cutoff)]
    runs: list[tuple[Run, list[Measure]]] = [(run, plain)] if plain else []
    for m in measures:
        if m.family == "MRR" and m.cutoff:
            runs.append((_truncate(run, m.cutoff), [m]))
    for this_run, group in runs:
        evaluator = pytrec_eval.RelevanceEvaluator(qrels, {m.trec_request for m in group})
        # pytrec_eval drops queries it cannot see; empty run entries likewise score 0 below
        scored = evaluator.evaluate({q: d for q, d in this_run.items() if q in qrels and d})
        for qid in qrels:
            values = scored.get(qid)
            for m in group:
                # missing from the run -> 0; a scored query without the key would be our bug, so fail loudly
                per_query[qid][m.name] = 0.0 if values is None else float(values[m.trec_name])
    return per_query
