"""Cranfield 1400: English ad-hoc retrieval, 225 topics, binary qrels (topics renumbered by position)."""
from benchmarks.tasks.retrieval_task import RetrievalTask, trec_eval_mode

TASK = RetrievalTask(
    name="cranfield", kind="retrieval", dataset="cranfield", language="en", split="test",
    modes=(trec_eval_mode("nDCG@10", ("nDCG@10", "MAP", "P@10", "Recall@100", "MRR")),),
    description="Cranfield 1400 aeronautics abstracts, 225 topics, binary judgements (full ranking)",
    loader="benchmarks.data.loaders.trec_xml:load_cranfield",
)
