"""Vaswani (NPL): English ad-hoc retrieval over 11,429 abstracts, 93 topics, binary qrels."""
from benchmarks.tasks.retrieval_task import RetrievalTask, trec_eval_mode

TASK = RetrievalTask(
    name="vaswani", kind="retrieval", dataset="vaswani", language="en", split="test",
    modes=(trec_eval_mode("nDCG@10", ("nDCG@10", "MAP", "P@10", "Recall@100", "MRR")),),
    description="Vaswani/NPL physics abstracts (11,429 docs), 93 topics, binary judgements (full ranking)",
    loader="benchmarks.data.loaders.trec_xml:load_vaswani",
)
