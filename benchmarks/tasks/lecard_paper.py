"""Task `lecard-paper`: LeCaRD scored with the same paper-protocol code as MUSER, beside trec_eval.

Why: LeCaRD (graded 0-3) and MUSER share their metric code (`label_top30_dict`, judged-only
P@k / MAP, top-30 NDCG). This task reuses benchmarks.metrics.muser_paper with relevant = label 3
and LeCaRD's label file, and reports the standard set too. `--run` accepts LeCaRD's committed
JSON lists `{qid: [ids]}`; their bm25/tfidf files are stored worst-first: add `--param reverse=true`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.metrics.muser_paper import LECARD_PAPER, evaluate_paper, load_judged
from benchmarks.provenance import file_ref
from benchmarks.tasks.base import Mode, RunOptions, Scores
from benchmarks.tasks.muser import ranked_to_run, read_ranked_run
from benchmarks.tasks.retrieval_task import RetrievalTask

LABELS = "data/label/label_top30_dict.json"
STANDARD = ("nDCG@10", "nDCG@20", "nDCG@30", "MAP", "P@10")


@dataclass(frozen=True)
class LecardPaperTask(RetrievalTask):
    def compute(self, options: RunOptions) -> Scores:
        from benchmarks.metrics import evaluate
        from benchmarks.results import ModelInfo

        params = dict(options.params)
        reverse = str(params.pop("reverse", "false")).lower() in {"true", "1", "yes"}
        options.params = params
        folder, dataset_sha = self.data_folder(options)
        collection = self.load(options, folder)
        queries = [q for q in collection.queries if q in collection.qrels]
        coverage = None
        if options.run_file is not None:
            ranked = read_ranked_run(options.run_file)
            if reverse:
                ranked = {q: ids[::-1] for q, ids in ranked.items()}
            model = ModelInfo(name=f"external-run:{Path(options.run_file).stem}",
                              params={"run": file_ref(options.run_file), "reverse": reverse})
            coverage = self.coverage(collection, ranked, options)
        else:
            run, info, _ = self.retrieve(collection, options)
            self.check_retrieved(run, collection, folder, info["name"])
            ranked = {q: [d for d, _ in sorted(docs.items(), key=lambda x: (x[1], x[0]), reverse=True)]
                      for q, docs in run.items()}
            model = ModelInfo(name=info["name"], params=info["params"])
        paper = evaluate_paper(load_judged(folder / LABELS), ranked, queries, LECARD_PAPER)
        std = evaluate({q: collection.qrels[q] for q in queries}, ranked_to_run({q: ranked.get(q, []) for q in queries}),
                       STANDARD)
        return Scores(
            metrics={"paper": paper.aggregate, "standard": std.aggregate},
            per_query={"paper": paper.per_query, "standard": std.per_query}, model=model, dataset_sha=dataset_sha,
            run_file=Path(options.run_file) if options.run_file else None,
            conventions={**{f"paper.{k}": v for k, v in paper.conventions.items()},
                         **{f"standard.{k}": v for k, v in std.conventions.items()}},
            extra={"n_queries": len(queries), "n_docs": len(collection.corpus), "missing_queries": paper.missing,
                   **({"coverage": coverage} if coverage else {})},
        )


TASK = LecardPaperTask(
    name="lecard-paper", kind="retrieval", dataset="lecard", language="zh", split="test",
    modes=(Mode("paper", "paper", "NDCG@30", tuple(LECARD_PAPER.measures()),
                "LeCaRD/MUSER paper code: judged top-30, relevant = label 3"),
           Mode("standard", "standard", "nDCG@30", STANDARD, "trec_eval over the same judgments (unjudged = 0)")),
    description="LeCaRD with the MUSER/LeCaRD paper protocol (judged top-30, relevant = 3) beside trec_eval",
    loader="benchmarks.data.loaders.lecard:load_lecard", splits=("candidates", "test"), rerank=True,
    loader_params=("doc_field",), scoring_params=("reverse",),
)
