"""BM25 on rank-bm25: the slow, readable reference backend (`--retriever bm25-rank`).

BM25Okapi with epsilon=0 (negative idf -> 0), the same k1/b and the same token lists as the
bm25s backend, so the two must agree (tests check top-10 and scores on Vaswani). It scores
every document for every query in Python: use it to check, not to benchmark big corpora.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from retrieval.base import RetrieverError
from retrieval.lexical import LexicalRetriever
from retrieval.progress import track
from retrieval.types import Queries, Run


class RankBM25Retriever(LexicalRetriever):
    name = "bm25-rank"

    def __init__(self, lang: str = "en", k1: float = 1.2, b: float = 0.75, **kwargs: Any) -> None:
        super().__init__(lang, k1, b, **kwargs)
        self._model: Any = None

    def _build(self, doc_tokens: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        if not any(doc_tokens):
            raise RetrieverError(f"{self.name}: every document is empty after tokenization")
        self._model = BM25Okapi(doc_tokens, k1=self.k1, b=self.b, epsilon=0.0)

    def _score_all(self, query_tokens: list[str]) -> np.ndarray:
        self._require_index()
        return np.asarray(self._model.get_scores(query_tokens), dtype=np.float64)

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        self._require_index()
        if k < 1:
            raise RetrieverError(f"{self.name}: k must be >= 1 (got {k})")
        qids = list(queries)
        tokens = self.tokenize_texts([queries[q] for q in qids], show_progress=show_progress, what="queries")
        return {qid: self.top_k(self.doc_ids, self._score_all(toks), k)
                for qid, toks in track(zip(qids, tokens), total=len(qids), description="searching (rank-bm25)",
                                       enabled=show_progress)}

    def params(self) -> dict[str, Any]:
        return {**super().params(), "backend": "rank_bm25.BM25Okapi", "epsilon": 0.0}
