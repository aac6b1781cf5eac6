"""BM25 on bm25s: the fast backend (`--retriever bm25`).

bm25s precomputes every (term, doc) BM25 weight into a sparse matrix, so a query is a sum of a
few sparse columns. With method="atire" and idf_method="robertson" (idf floored at 0) it computes
exactly rank-bm25's BM25Okapi with epsilon=0, which is the reference backend here. We feed it our
own token ids (one vocabulary built from our tokenizer) so both backends see the same terms, and
use bm25s's vectorised `retrieve` (threads via `n_threads`) instead of a per-query Python loop.
Indexes are saved with bm25s's own npy + json format (never pickle).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.base import RetrieverError
from retrieval.lexical import LexicalRetriever
from retrieval.progress import bar
from retrieval.tokenize import get_tokenizer
from retrieval.types import Queries, Run

SEARCH_CHUNK = 2048
META_FILE = "databench_bm25.json"


class BM25sRetriever(LexicalRetriever):
    name = "bm25"

    def __init__(self, lang: str = "en", k1: float = 1.2, b: float = 0.75, *, n_threads: int = 0,
                 dtype: str = "float64", **kwargs: Any) -> None:
        super().__init__(lang, k1, b, **kwargs)
        self.n_threads = int(n_threads)
        self.dtype = str(dtype)
        self._model: Any = None
        self.vocab: dict[str, int] = {}

    def _new_model(self) -> Any:
        import bm25s  # noqa: PLC0415 (keeps `bench list` fast)

        return bm25s.BM25(k1=self.k1, b=self.b, method="atire", idf_method="robertson", dtype=self.dtype)

    def _build(self, doc_tokens: list[list[str]]) -> None:
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in doc_tokens]
        model = self._new_model()
        model.index((ids, vocab), show_progress=False)
        self._model, self.vocab = model, model.vocab_dict

    def _query_ids(self, tokens: list[str]) -> list[int]:
        vocab = self.vocab
        ids = [vocab[t] for t in tokens if t in vocab and t != ""]
        return ids or [vocab[""]]  # bm25s's empty token: every score 0, so the run entry is empty

    def _score_all(self, query_tokens: list[str]) -> np.ndarray:
        self._require_index()
        return self._model.get_scores_from_ids(self._query_ids(query_tokens))

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        self._require_index()
        if k < 1:
            raise RetrieverError(f"{self.name}: k must be >= 1 (got {k})")
        qids = list(queries)
        tokens = self.tokenize_texts([queries[q] for q in qids], show_progress=show_progress, what="queries")
        query_ids = [self._query_ids(t) for t in tokens]
        depth = min(k, len(self.doc_ids))
        doc_ids = self.doc_ids
        run: Run = {}
        with bar("searching (bm25s)", len(qids), enabled=show_progress and len(qids) > SEARCH_CHUNK) as advance:
            for start in range(0, len(qids), SEARCH_CHUNK):
                chunk = query_ids[start:start + SEARCH_CHUNK]
                docs, scores = self._model.retrieve(chunk, k=depth, show_progress=False, n_threads=self.n_threads)
                for qid, row_docs, row_scores in zip(qids[start:start + SEARCH_CHUNK], docs.tolist(), scores.tolist()):
                    hits = sorted(((s, doc_ids[d]) for s, d in zip(row_scores, row_docs) if s > 0), reverse=True)
                    run[qid] = {doc: score for score, doc in hits}
                advance(len(chunk))
        return run

    def params(self) -> dict[str, Any]:
        return {**super().params(), "backend": "bm25s", "method": "atire", "idf_method": "robertson",
                "dtype": self.dtype}

    # --- persistence: bm25s's npy/json files + our doc ids and settings --------------------------
    def save(self, path: str | Path) -> None:
        self._require_index()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._model.save(path, show_progress=False)
        meta = {"format": 1, "k1": self.k1, "b": self.b, "dtype": self.dtype,
                "tokenizer": self.tokenizer.params(), "doc_ids": self.doc_ids}
        tmp = path / f".{META_FILE}.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path / META_FILE)

    @classmethod
    def load(cls, path: str | Path) -> "BM25sRetriever":
        import bm25s  # noqa: PLC0415

        path = Path(path)
        meta_path = path / META_FILE
        if not meta_path.is_file():
            raise RetrieverError(f"{path}: not a saved bm25 index (missing {META_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        tok = meta["tokenizer"]
        tokenizer = get_tokenizer(tok["name"], stem=tok.get("stem") is not None if tok["name"] == "en" else None,
                                  stopwords=tok.get("stopwords", True))
        self = cls(k1=meta["k1"], b=meta["b"], dtype=meta["dtype"], tokenizer=tokenizer)
        self._model = bm25s.BM25.load(path, allow_pickle=False, show_progress=False)
        self.vocab = self._model.vocab_dict
        self.doc_ids = list(meta["doc_ids"])
        return self
