"""LeCaRD: Chinese legal case retrieval, re-ranking each query's 100-candidate pool, graded 0-3.

Standard trec_eval-style nDCG (unjudged = 0), not LeCaRD's metrics.py (which scores only the
judged top-30 and is not comparable). `--retriever pool-order` is the no-model baseline.
"""
from benchmarks.tasks.retrieval_task import RetrievalTask, trec_eval_mode

TASK = RetrievalTask(
    name="lecard", kind="retrieval", dataset="lecard", language="zh", split="candidates",
    modes=(trec_eval_mode("nDCG@30", ("nDCG@10", "nDCG@20", "nDCG@30", "MAP", "P@10", "MRR")),),
    description="LeCaRD legal cases: re-rank the candidate pool of the 25 queries that have one (graded 0-3)",
    loader="benchmarks.data.loaders.lecard:load_lecard", splits=("candidates", "test"), rerank=True,
    loader_params=("doc_field",),
    conventions={"protocol": "re-rank each query's own pool; standard graded nDCG (not LeCaRD metrics.py)",
                 "baseline": "--retriever pool-order ranks each pool by candidate id (no model, no text)"},
)
