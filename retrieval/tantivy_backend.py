"""tantivy: an embedded, persistent, Lucene-like inverted index (`--retriever tantivy`).

For users who want a real on-disk index without running a server. Text is analysed by our tokenizers
(jieba for Chinese, the BM25 backends' English analyzer) and stored pre-tokenised in a `whitespace` field,
so tantivy segments exactly like the bm25s backend. Scoring is tantivy's BM25 (k1=1.2, b=0.75 fixed by
the engine; document lengths quantised to one byte as in Lucene), so scores are close to, not equal to, bm25s.
The index directory is the saved form: `save(dir)` copies it, `load(dir)` opens it; `index()` reuses an
index_dir that already holds the same corpus with the same analyzer.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from core import atomic_folder
from core.optional import require
from retrieval.base import Retriever, RetrieverError
from retrieval.index_folder import copy_folder, fingerprint, folder_for, holds, read_meta
from retrieval.pretokenize import as_text, make_tokenizer, tokenizer_from_params
from retrieval.progress import bar
from retrieval.types import Corpus, Queries, Run

META_FILE = "databench_tantivy.json"
ENGINE_K1, ENGINE_B = 1.2, 0.75
ID_FIELD, BODY_FIELD = "doc_id", "body"


def _tantivy() -> Any:
    """The tantivy module, or a one-line RetrieverError naming the pip command."""
    return require("tantivy", "tantivy==0.27.0", "--retriever tantivy", error=RetrieverError)


def _schema() -> Any:
    tantivy = _tantivy()

    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID_FIELD, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(BODY_FIELD, stored=False, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


class TantivyRetriever(Retriever):
    name: ClassVar[str] = "tantivy"

    def __init__(self, lang: str = "en", k1: float = ENGINE_K1, b: float = ENGINE_B, *,
                 index_dir: str | Path | None = None, tokenizer: Any = None, stem: Any = None, stopwords: Any = True,
                 heap_mb: int = 128):
        if float(k1) != ENGINE_K1 or float(b) != ENGINE_B:
            raise RetrieverError(f"tantivy: the engine's BM25 is fixed at k1={ENGINE_K1}, b={ENGINE_B} "
                                 f"(got k1={k1}, b={b}); use --retriever bm25 or elasticsearch to change them")
        self.tokenizer = make_tokenizer(lang, tokenizer, stem, stopwords)
        self.heap_mb = int(heap_mb)
        self.index_dir, self._owns_dir = folder_for(self, index_dir, "databench-tantivy-")
        self._index: Any = None
        self._schema: Any = None

    def params(self) -> dict[str, Any]:
        tantivy = _tantivy()

        return {"backend": f"tantivy {getattr(tantivy, '__version__', '?')}", "k1": ENGINE_K1, "b": ENGINE_B,
                "tokenizer": self.tokenizer.params(), "field_tokenizer": "whitespace (pre-tokenised)",
                "keeps": "documents matching at least one query term"}

    def _fingerprint(self, corpus: Corpus) -> str:
        return fingerprint(corpus, self.tokenizer.params())

    # -- indexing ------------------------------------------------------------------------------------
    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        tantivy = _tantivy()

        if not corpus:
            raise RetrieverError("tantivy: cannot index an empty corpus")
        wanted = self._fingerprint(corpus)
        if holds(self.index_dir, META_FILE, wanted):
            self._open(self.index_dir)        # the persistent index already holds this corpus
            return
        # build in a sibling folder and swap it in: a crash never leaves a half-built index in index_dir
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        with atomic_folder(self.index_dir) as build:
            schema = _schema()
            index = tantivy.Index(schema, path=str(build))
            writer = index.writer(heap_size=self.heap_mb * 1_000_000, num_threads=1)
            ids = list(corpus)
            with bar("tantivy: indexing", len(ids), enabled=show_progress) as advance:
                for start in range(0, len(ids), 512):
                    part = ids[start:start + 512]
                    for doc_id, tokens in zip(part, self.tokenizer.batch([corpus[d].full_text for d in part])):
                        writer.add_document(tantivy.Document(**{ID_FIELD: doc_id, BODY_FIELD: as_text(tokens)}))
                    advance(len(part))
            writer.commit()
            writer.wait_merging_threads()
            meta = {"format": 1, "fingerprint": wanted, "n_docs": len(ids), "tokenizer": self.tokenizer.params()}
            (build / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        self._open(self.index_dir)

    def _open(self, path: Path) -> None:
        tantivy = _tantivy()

        self._index = tantivy.Index.open(str(path))
        self._index.reload()
        self._schema = self._index.schema

    # -- searching -----------------------------------------------------------------------------------
    def _query(self, tokens: list[str]) -> Any:
        tantivy = _tantivy()

        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, BODY_FIELD, t, index_option="freq"))
                   for t in as_text(tokens).split()]
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        if self._index is None:
            raise RetrieverError("tantivy: search() before index() or load()")
        if k < 1:
            raise RetrieverError(f"tantivy: k must be >= 1 (got {k})")
        searcher = self._index.searcher()
        qids = list(queries)
        run: Run = {}
        with bar("tantivy: searching", len(qids), enabled=show_progress) as advance:
            for qid, tokens in zip(qids, self.tokenizer.batch([queries[q] for q in qids])):
                query = self._query(tokens)
                hits = searcher.search(query, limit=k, count=False).hits if query is not None else []
                docs = [(float(score), searcher.doc(addr)[ID_FIELD][0]) for score, addr in hits]
                run[qid] = {d: s for s, d in sorted(docs, reverse=True)}   # score desc, doc id desc
                advance(1)
        return run

    # -- persistence: the index directory itself ------------------------------------------------------
    def save(self, path: str | Path) -> None:
        if self._index is None:
            raise RetrieverError("tantivy: nothing to save, call index() first")
        copy_folder(self.index_dir, path)

    @classmethod
    def load(cls, path: str | Path) -> "TantivyRetriever":
        path = Path(path)
        meta = read_meta(path, META_FILE, "tantivy")
        self = cls(index_dir=path, tokenizer=tokenizer_from_params(meta["tokenizer"]))
        self._open(path)
        return self
