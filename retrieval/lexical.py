"""What both BM25 backends share: parameters, tokenization, pool re-ranking, run building.

Sharing this is what makes the backends comparable: same k1/b, the same token lists, the same
rule for which documents enter a run (score > 0, i.e. at least one matching query term with a
positive idf) and the same order (score desc, then doc id desc, as trec_eval sorts).
"""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np

from retrieval.base import Retriever, RetrieverError
from retrieval.progress import bar, track
from retrieval.tokenize import Tokenizer, get_tokenizer
from retrieval.types import Corpus, Queries, Run

DEFAULT_K1 = 1.2
DEFAULT_B = 0.75
TOKENIZE_CHUNK = 256


def _as_bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "yes", "false", "0", "no"}:
        return value.lower() in {"true", "1", "yes"}
    raise RetrieverError(f"parameter {name}={value!r}: expected true or false")


def _as_float(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RetrieverError(f"parameter {name}={value!r}: expected a number") from None


class LexicalRetriever(Retriever):
    """Base of the BM25 backends. `lang` picks the tokenizer; `tokenizer=` overrides it."""

    def __init__(self, lang: str = "en", k1: float = DEFAULT_K1, b: float = DEFAULT_B, *,
                 tokenizer: str | Tokenizer | None = None, stem: bool | str | None = None,
                 stopwords: bool | str = True) -> None:
        self.k1 = _as_float(k1, "k1")
        self.b = _as_float(b, "b")
        if self.k1 < 0 or not 0 <= self.b <= 1:
            raise RetrieverError(f"{self.name}: need k1 >= 0 and 0 <= b <= 1 (got k1={k1}, b={b})")
        stop: bool | str = stopwords if isinstance(stopwords, str) and stopwords.lower() not in {
            "true", "false", "1", "0", "yes", "no"} else bool(_as_bool(stopwords, "stopwords"))
        self.tokenizer = tokenizer if isinstance(tokenizer, Tokenizer) else get_tokenizer(
            tokenizer or lang, stem=_as_bool(stem, "stem"), stopwords=stop)
        self.doc_ids: list[str] = []

    # --- what a backend implements -------------------------------------------------------------
    @abstractmethod
    def _build(self, doc_tokens: list[list[str]]) -> None:
        """Index the tokenized documents (positions = self.doc_ids)."""

    @abstractmethod
    def _score_all(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of one query against every indexed document (float array, len = #docs)."""

    # --- shared --------------------------------------------------------------------------------
    def tokenize_texts(self, texts: list[str], *, show_progress: bool, what: str) -> list[list[str]]:
        out: list[list[str]] = []
        with bar(f"tokenizing {what} ({self.tokenizer.name})", len(texts),
                 enabled=show_progress and len(texts) > TOKENIZE_CHUNK) as advance:
            for start in range(0, len(texts), TOKENIZE_CHUNK):
                out.extend(self.tokenizer.batch(texts[start:start + TOKENIZE_CHUNK]))
                advance(min(TOKENIZE_CHUNK, len(texts) - start))
        return out

    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        if not corpus:
            raise RetrieverError(f"{self.name}: cannot index an empty corpus")
        self.doc_ids = list(corpus)
        texts = [doc.full_text for doc in corpus.values()]
        self._build(self.tokenize_texts(texts, show_progress=show_progress, what="documents"))

    def _require_index(self) -> None:
        if not self.doc_ids:
            raise RetrieverError(f"{self.name}: search before index(); index a corpus or load() an index first")

    @staticmethod
    def top_k(doc_ids: list[str], scores: np.ndarray, k: int) -> dict[str, float]:
        """The k best positive-scored docs, ordered by score desc then doc id desc (trec_eval order)."""
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return {}
        if positive.size > k:
            # a safe superset: everything scoring at least the k-th best score (keeps boundary ties)
            kth = np.partition(scores[positive], positive.size - k)[positive.size - k]
            positive = positive[scores[positive] >= kth]
        ranked = sorted(((float(scores[i]), doc_ids[i]) for i in positive), reverse=True)[:k]
        return {doc: score for score, doc in ranked}

    def rerank(self, corpus: Corpus, queries: Queries, pools: dict[str, list[str]], k: int = 100,
               *, show_progress: bool = True) -> Run:
        """Score each query against its own pool. Statistics (idf, avgdl) come from `corpus`, indexed once
        (pass the union of the pools to get the usual re-ranking setup)."""
        if self.doc_ids != list(corpus):
            self.index(corpus, show_progress=show_progress)
        position = {d: i for i, d in enumerate(self.doc_ids)}
        run: Run = {}
        qids = list(pools)
        q_tokens = self.tokenize_texts([queries[q] for q in qids], show_progress=show_progress, what="queries")
        for qid, tokens in track(zip(qids, q_tokens), total=len(qids), description=f"re-ranking ({self.name})",
                                 enabled=show_progress):
            pool = [d for d in pools[qid] if d in position]
            scores = self._score_all(tokens)
            idx = np.array([position[d] for d in pool], dtype=np.int64)
            run[qid] = self.top_k(pool, scores[idx] if idx.size else np.zeros(0), k)
        return run

    def params(self) -> dict[str, Any]:
        return {"k1": self.k1, "b": self.b, "variant": "BM25Okapi (ATIRE tf, Robertson idf floored at 0)",
                "tokenizer": self.tokenizer.params(), "keeps": "documents with score > 0"}
