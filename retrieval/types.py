"""The shared vocabulary of retrieval: Corpus, Queries, Qrels, Run.

Plain dicts on purpose: they serialise to JSON/TREC without adapters and every IR
library (pytrec_eval, ranx, ir_measures) accepts them as they are. IDs are always str.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Document", "Corpus", "Queries", "Qrels", "Run"]


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    text: str
    title: str = ""
    lang: str = ""

    @property
    def full_text(self) -> str:
        """Title and body as one string: what lexical and dense retrievers index."""
        return f"{self.title}\n{self.text}" if self.title else self.text


Corpus = dict[str, Document]
"""doc_id -> Document"""
Queries = dict[str, str]
"""query_id -> query text"""
Qrels = dict[str, dict[str, int]]
"""query_id -> {doc_id: graded relevance}"""
Run = dict[str, dict[str, float]]
"""query_id -> {doc_id: score}; higher is better"""
