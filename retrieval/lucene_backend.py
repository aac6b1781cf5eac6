"""Lucene through Anserini (pyserini's bundled jar): the reference engine (`--retriever lucene`).

Why: Lucene is the engine inside Elasticsearch, Solr and Anserini, and Anserini's BM25 runs are the
baselines IR papers quote; this backend lets our bm25 be checked against it on the same data.

- Indexing is in-process: Anserini's `SimpleIndexer` (what pyserini's LuceneIndexer wraps) receives the
  documents as JSON strings in batches and analyses them on `threads` Java threads into a Lucene index in
  `index_dir` (a temp folder unless given). No JsonCollection files are written: the corpus is already in
  memory, and a second copy on disk would only cost time and space. The index folder is the saved form.
- Analyzer (`analyzer=`): `anserini` is the engine's own (English: DefaultEnglishAnalyzer = Lucene's
  standard tokenizer, Lucene stopwords, Porter stemming, as every Anserini BM25 baseline; `stem=false`
  or `stem=krovetz` and `stopwords=false` map to its -stemmer/-keepStopwords); `ours` feeds our tokenizer's
  terms pre-tokenised (Anserini `-pretokenized`, a whitespace analyzer), so differences from our bm25 come
  from scoring alone. Default: `anserini` for English, `ours` for Chinese (jieba, as our bm25; Lucene's
  CJK analyzer indexes character bigrams instead: `analyzer=anserini` with lang=zh).
- Scoring: Lucene's BM25Similarity, k1=0.9 b=0.4 by default (Anserini's defaults, so `bench run -r lucene`
  reproduces an Anserini baseline; `-p k1=1.2 -p b=0.75` matches our bm25). Lucene's idf is
  log(1 + (N - n + 0.5) / (n + 0.5)), tf has no (k1 + 1) factor and document lengths are stored in one byte,
  so scores differ from our bm25s scores by more than a constant. Anserini rounds scores to 4 decimals and
  breaks ties by doc id ascending by subtracting 1e-6 steps (its ScoreTiesAdjusterReranker): trec_eval then
  keeps Anserini's order.
- Re-ranking tasks (LeCaRD, MUSER pools) use the Retriever default, as tantivy does: each pool is indexed on its
  own, so idf and average length come from the pool (our bm25 takes them from the union of the pools).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

from core import atomic_folder
from retrieval.base import Retriever, RetrieverError
from retrieval.index_folder import copy_folder, fingerprint, folder_for, holds, read_meta
from retrieval.lexical import _as_bool, _as_float
from retrieval.lucene_jvm import anserini_jar, jvm
from retrieval.pretokenize import as_text, make_tokenizer, tokenizer_from_params
from retrieval.progress import bar
from retrieval.types import Corpus, Queries, Run

META_FILE = "databench_lucene.json"
ANSERINI_K1, ANSERINI_B = 0.9, 0.4
ANALYZERS = ("default", "anserini", "ours")
BATCH = 10_000


class LuceneRetriever(Retriever):
    name: ClassVar[str] = "lucene"

    def __init__(self, lang: str = "en", k1: float = ANSERINI_K1, b: float = ANSERINI_B, *,
                 analyzer: str = "default", index_dir: str | Path | None = None, tokenizer: Any = None,
                 stem: Any = None, stopwords: Any = True, threads: int = 0) -> None:
        self.k1, self.b = _as_float(k1, "k1"), _as_float(b, "b")
        if self.k1 < 0 or not 0 <= self.b <= 1:
            raise RetrieverError(f"lucene: need k1 >= 0 and 0 <= b <= 1 (got k1={k1}, b={b})")
        if analyzer not in ANALYZERS:
            raise RetrieverError(f"lucene: analyzer={analyzer!r}; expected one of {', '.join(ANALYZERS)}")
        self.lang = str(lang).lower().split("-")[0]
        if analyzer == "default":
            analyzer = "anserini" if self.lang == "en" and tokenizer is None else "ours"
        self.analyzer = analyzer
        self.tokenizer = make_tokenizer(lang, tokenizer, stem, stopwords) if analyzer == "ours" else None
        self.stemmer, self.keep_stopwords = self._anserini_options(stem, stopwords)
        self.threads = int(threads) or os.cpu_count() or 1
        self.index_dir, _ = folder_for(self, index_dir, "databench-lucene-")
        self._searcher: Any = None

    def _anserini_options(self, stem: Any, stopwords: Any) -> tuple[str, bool]:
        """Anserini's -stemmer and -keepStopwords from our `stem`/`stopwords` parameters (its English analyzer;
        the CJK analyzer has neither)."""
        if self.analyzer != "anserini" or self.lang == "zh":
            return "", False
        if self.lang != "en":
            raise RetrieverError(f"lucene: analyzer=anserini supports lang en or zh (got {self.lang!r}); "
                                 "analyzer=ours uses our tokenizers")
        if isinstance(stem, str) and stem.lower() in {"porter", "krovetz", "none"}:
            stemmer = stem.lower()
        else:
            flag = _as_bool(stem, "stem")
            stemmer = "none" if flag is False else "porter"
        stop = _as_bool(stopwords, "stopwords") if not isinstance(stopwords, bool) else stopwords
        if stop not in (True, False):
            raise RetrieverError(f"lucene: analyzer=anserini takes stopwords=true|false (got {stopwords!r})")
        return stemmer, not stop

    # -- analysis ------------------------------------------------------------------------------------
    def _index_args(self, path: Path) -> list[str]:
        args = ["-index", str(path), "-input", "", "-collection", "JsonCollection", "-threads", str(self.threads)]
        if self.analyzer == "ours":
            return args + ["-pretokenized"]
        if self.lang == "zh":
            return args + ["-language", "zh"]
        return args + ["-stemmer", self.stemmer] + (["-keepStopwords"] if self.keep_stopwords else [])

    def _search_analyzer(self) -> Any:
        jnius = jvm()
        if self.analyzer == "ours":
            return jnius.autoclass("org.apache.lucene.analysis.core.WhitespaceAnalyzer")()
        if self.lang == "zh":
            return jnius.autoclass("io.anserini.analysis.AnalyzerMap").getLanguageSpecificAnalyzer("zh")
        return jnius.autoclass("io.anserini.analysis.DefaultEnglishAnalyzer").fromArguments(
            self.stemmer, self.keep_stopwords, None)

    def _texts(self, texts: list[str]) -> list[str]:
        """What Lucene analyses: the raw text (its analyzer) or our terms joined by spaces (whitespace analyzer)."""
        if self.tokenizer is None:
            return texts
        return [as_text(tokens) for tokens in self.tokenizer.batch(texts)]

    def _analysis_params(self) -> dict[str, Any]:
        if self.tokenizer is not None:
            return {"analyzer": "ours (pre-tokenised, Lucene WhitespaceAnalyzer)", "tokenizer": self.tokenizer.params()}
        if self.lang == "zh":
            return {"analyzer": "anserini (AnalyzerMap zh: Lucene CJKAnalyzer)"}
        return {"analyzer": "anserini (DefaultEnglishAnalyzer)", "stemmer": self.stemmer,
                "stopwords": "none" if self.keep_stopwords else "lucene"}

    def params(self) -> dict[str, Any]:
        return {"backend": f"{anserini_jar().name.removesuffix('-fatjar.jar')} (Lucene, via pyserini's jar)",
                "k1": self.k1, "b": self.b, "similarity": "Lucene BM25Similarity", **self._analysis_params(),
                "ties": "Anserini: scores rounded to 4 decimals, ties by doc id ascending (-1e-6 steps)",
                "keeps": "documents matching at least one query term"}

    # -- indexing ------------------------------------------------------------------------------------
    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        if not corpus:
            raise RetrieverError("lucene: cannot index an empty corpus")
        jnius = jvm()
        wanted = fingerprint(corpus, self._analysis_params())
        if holds(self.index_dir, META_FILE, wanted):
            self._open(self.index_dir)            # the saved index already holds this corpus
            return
        self._close()
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        ids = list(corpus)
        with atomic_folder(self.index_dir) as build:
            indexer = jnius.autoclass("io.anserini.index.SimpleIndexer")(self._index_args(Path(build)))
            added = 0
            try:
                with bar("lucene: indexing", len(ids), enabled=show_progress) as advance:
                    for start in range(0, len(ids), BATCH):
                        part = ids[start:start + BATCH]
                        texts = self._texts([corpus[d].full_text for d in part])
                        added += indexer.addRawDocuments([json.dumps({"id": d, "contents": t}, ensure_ascii=False)
                                                          for d, t in zip(part, texts)])
                        advance(len(part))
            finally:
                indexer.close()
            meta = {"format": 1, "fingerprint": wanted, "n_docs": len(ids), "n_indexed": int(added),
                    "lang": self.lang, "analyzer": self.analyzer, "stemmer": self.stemmer,
                    "keep_stopwords": self.keep_stopwords, "k1": self.k1, "b": self.b,
                    "tokenizer": self.tokenizer.params() if self.tokenizer is not None else None}
            (Path(build) / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        self._open(self.index_dir)

    def _open(self, path: Path) -> None:
        self._close()
        jnius = jvm()
        searcher = jnius.autoclass("io.anserini.search.SimpleSearcher")(str(path))
        searcher.set_analyzer(self._search_analyzer())
        searcher.set_bm25(self.k1, self.b)
        self._searcher = searcher

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    # -- searching -----------------------------------------------------------------------------------
    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        if self._searcher is None:
            raise RetrieverError("lucene: search() before index() or load()")
        if k < 1:
            raise RetrieverError(f"lucene: k must be >= 1 (got {k})")
        jnius = jvm()
        qids = list(queries)
        texts = self._texts([queries[q] for q in qids])
        run: Run = {q: {} for q in qids}
        todo = [i for i, t in enumerate(texts) if t.strip()]
        with bar("lucene: searching", len(todo), enabled=show_progress and bool(todo)) as advance:
            for start in range(0, len(todo), BATCH):
                rows = todo[start:start + BATCH]
                q_list, id_list = jnius.autoclass("java.util.ArrayList")(), jnius.autoclass("java.util.ArrayList")()
                for i in rows:
                    q_list.add(texts[i])
                    id_list.add(qids[i])
                hits = self._searcher.batch_search(q_list, id_list, int(k), self.threads)
                for i in rows:
                    run[qids[i]] = {h.docid: float(h.score) for h in hits.get(qids[i]) or []}
                advance(len(rows))
        return run

    # -- persistence: the index folder itself --------------------------------------------------------
    def save(self, path: str | Path) -> None:
        if self._searcher is None:
            raise RetrieverError("lucene: nothing to save, call index() first")
        copy_folder(self.index_dir, path)

    @classmethod
    def load(cls, path: str | Path) -> "LuceneRetriever":
        path = Path(path)
        meta = read_meta(path, META_FILE, "lucene")
        tok = tokenizer_from_params(meta["tokenizer"]) if meta.get("tokenizer") else None
        self = cls(lang=meta["lang"], k1=meta["k1"], b=meta["b"], analyzer=meta["analyzer"], index_dir=path,
                   tokenizer=tok, stem=meta["stemmer"] or None, stopwords=not meta["keep_stopwords"])
        self._open(path)
        return self
