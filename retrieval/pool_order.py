"""The no-model baseline for re-ranking tasks: each pool in candidate-id order.

It reads no text, so it shows what a ranking is worth before any model: a re-ranker that does
not beat it by a wide margin has learned nothing. Ids order is label-blind (unlike LeCaRD's
`combined_top100.json`, whose order puts the judged documents first). Scores are descending
ranks (n, n-1, ..., 1) so the order survives any TREC tool.
"""
from __future__ import annotations

from typing import Any

from retrieval.base import Retriever, RetrieverError
from retrieval.types import Corpus, Queries, Run


def _id_key(doc_id: str) -> tuple[int, int | str]:
    return (0, int(doc_id)) if doc_id.lstrip("-").isdigit() else (1, doc_id)


class PoolOrderRetriever(Retriever):
    name = "pool-order"

    def __init__(self, lang: str | None = None) -> None:
        """`lang` is accepted (and ignored) because task runners pass the task language to every retriever."""

    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        if not corpus:
            raise RetrieverError("pool-order: cannot index an empty corpus")

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        raise RetrieverError("pool-order is a re-ranking baseline: use it on a task with candidate pools (e.g. lecard)")

    def rerank(self, corpus: Corpus, queries: Queries, pools: dict[str, list[str]], k: int = 100,
               *, show_progress: bool = True) -> Run:
        run: Run = {}
        for qid, pool in pools.items():
            ordered = sorted((d for d in pool if d in corpus), key=_id_key)[:k]
            run[qid] = {doc: float(len(ordered) - i) for i, doc in enumerate(ordered)}
        return run

    def params(self) -> dict[str, Any]:
        return {"order": "candidate id ascending (numeric when ids are numbers)", "uses_text": False}
