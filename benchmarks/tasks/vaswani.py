"""Vaswani (NPL): English ad-hoc retrieval over 11,429 abstracts, 93 topics, binary qrels."""
from benchmarks.tasks.retrieval_task import RetrievalTask

TASK = RetrievalTask(
    name="vaswani", kind="retrieval", dataset="vaswani", language="en", split="test",
    metrics=("nDCG@10", "MAP", "P@10", "Recall@100", "MRR"), main_score="nDCG@10",
    description="Vaswani/NPL physics abstracts (11,429 docs), 93 topics, binary judgements (full ranking)",
    loader="benchmarks.data.loaders.trec_xml:load_vaswani",
)
