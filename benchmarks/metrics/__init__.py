"""IR metrics for runs against graded qrels: `evaluate(qrels, run, measures) -> Evaluation`.

Values come from pytrec_eval (benchmarks.metrics.pytrec); measure names are parsed in
benchmarks.metrics.measures. Other metric modules (QA, ROUGE, action F1, paper variants) live
beside these and are imported by what needs them; keep this file small.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core import DataError
from benchmarks.metrics.measures import Measure, parse_measure
from retrieval.types import Qrels, Run

__all__ = ["Evaluation", "evaluate", "parse_measure", "Measure"]


@dataclass
class Evaluation:
    aggregate: dict[str, float]                       # measure -> mean over the qrels' queries
    per_query: dict[str, dict[str, float]]            # qid -> measure -> value
    conventions: dict[str, str] = field(default_factory=dict)
    measures: list[str] = field(default_factory=list)


def evaluate(qrels: Qrels, run: Run, measures: Sequence[str | Measure], *, relevance: int = 1) -> Evaluation:
    """Score `run` against `qrels` with trec_eval semantics (see pytrec.CONVENTIONS).

    `relevance` is the grade from which binary measures (P, MAP, Recall, MRR...) count a document as
    relevant (trec_eval -l); nDCG always uses the grade itself as gain. MUSER's 0-8 similarity scores
    and `relevance: N` in a local databench.yaml use it, so the rule lives here once.
    """
    from benchmarks.metrics import pytrec

    if not qrels:
        raise DataError("cannot evaluate: the qrels are empty")
    parsed = [parse_measure(m) if isinstance(m, str) else m for m in measures]
    if not parsed:
        raise DataError("cannot evaluate: no measures given")
    qrels = {str(q): {str(d): int(g) for d, g in docs.items()} for q, docs in qrels.items()}
    run = {str(q): {str(d): float(s) for d, s in docs.items()} for q, docs in run.items()}
    conventions = dict(pytrec.CONVENTIONS)
    if relevance <= 1:
        per_query = pytrec.compute(qrels, run, parsed)
    else:
        graded = [m for m in parsed if m.family == "nDCG"]
        binary = [m for m in parsed if m.family != "nDCG"]
        per_query = {q: {} for q in qrels}
        if graded:
            for q, values in pytrec.compute(qrels, run, graded).items():
                per_query[q].update(values)
        if binary:
            cut = {q: {d: int(g >= relevance) for d, g in docs.items()} for q, docs in qrels.items()}
            for q, values in pytrec.compute(cut, run, binary).items():
                per_query[q].update(values)
        conventions["relevance"] = (f"binary measures: grade >= {relevance} is relevant; "
                                    "nDCG: gain = grade (linear), log2 discount")
    n = len(per_query)
    aggregate = {m.name: sum(v[m.name] for v in per_query.values()) / n for m in parsed}
    conventions.update({f"measure {m.name}": m.convention for m in parsed})
    return Evaluation(aggregate=aggregate, per_query=per_query, conventions=conventions,
                      measures=[m.name for m in parsed])
