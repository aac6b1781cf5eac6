"""BM25 on bm25s: the fast backend (`--retriever bm25`).

bm25s precomputes every (term, doc) BM25 weight into a sparse matrix, so a query is a sum of a
few sparse columns. With method="atire" and idf_method="robertson" (idf floored at 0) it computes
exactly rank-bm25's BM25Okapi with epsilon=0, which is the reference backend here. We feed it our
own token ids (one vocabulary built from our tokenizer) so both backends see the same terms.
Search is exact MaxScore over bm25s's own weight matrix (retrieval/maxscore.py, a numba kernel run
without the GIL on chunks of queries, `n_threads` threads): documents that cannot reach the top k are
skipped, and the top k, ties included, equals `-p pruning=none`'s exhaustive sparse product. Indexes are
saved with bm25s's own npy + json format (never pickle); `-p index_dir=DIR` builds and searches an
on-disk, memory-mapped index instead (retrieval/bm25_disk.py: corpora larger than RAM).
"""
from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from core import atomic_write_text

from retrieval.base import RetrieverError
from retrieval.lexical import DEFAULT_B, DEFAULT_K1, TOKENIZE_CHUNK, LexicalRetriever, _as_bool
from retrieval.lucene_analysis import AnseriniEnglishTokenizer, lucene_postings
from retrieval.progress import bar
from retrieval.token_cache import cached_term_ids
from retrieval.tokenize import get_tokenizer
from retrieval.types import Corpus, Queries, Run

SEARCH_CHUNK = 256
# `-p preset=NAME`: settings that reproduce a published baseline (docs/scoring.md says which matches which)
PRESETS: dict[str, dict[str, float]] = {"anserini": {"k1": 0.9, "b": 0.4}}
# `-p pruning=`: maxscore (retrieval/maxscore.py, numba) skips documents that cannot reach the top k; none scores
# every posting with one sparse product per chunk of queries. Both return the same top k, ties included.
PRUNING = ("maxscore", "none")
META_FILE = "databench_bm25.json"
DISK_META = "databench_bm25_disk.json"   # retrieval.bm25_disk.META: an on-disk index folder


class BM25sRetriever(LexicalRetriever):
    name = "bm25"

    def __init__(self, lang: str = "en", k1: float | None = None, b: float | None = None, *, n_threads: int = 0,
                 dtype: str = "float64", token_cache: str | None = None, preset: str | None = None,
                 pruning: str = "maxscore", index_dir: str | None = None, **kwargs: Any) -> None:
        self.preset = None if preset in (None, "", "default") else str(preset)
        if self.preset is not None and self.preset not in PRESETS:
            raise RetrieverError(f"bm25: unknown preset {preset!r}; known: default, {', '.join(PRESETS)}")
        if self.preset == "anserini":
            if kwargs.get("tokenizer") is not None or str(lang).lower().split("-")[0] != "en":
                raise RetrieverError("bm25: preset=anserini is Anserini's English analyzer; drop tokenizer=/lang=")
            kwargs["tokenizer"] = AnseriniEnglishTokenizer(stem=_as_bool(kwargs.pop("stem", None), "stem"),
                                                           stopwords=_as_bool(kwargs.pop("stopwords", True), "stopwords"))
        defaults = PRESETS.get(self.preset or "", {"k1": DEFAULT_K1, "b": DEFAULT_B})
        super().__init__(lang, defaults["k1"] if k1 is None else k1, defaults["b"] if b is None else b, **kwargs)
        self.n_threads = int(n_threads)
        if pruning not in PRUNING:
            raise RetrieverError(f"bm25: pruning={pruning!r}; expected one of {', '.join(PRUNING)} (both exact)")
        self.pruning = str(pruning)
        self._term_max: Any = None
        self.token_cache = token_cache   # folder | on | off | None (auto: on for jieba), retrieval.token_cache
        self.dtype = str(dtype)
        self._model: Any = None
        self._matrix: Any = None       # scipy CSR (terms x docs) view of the bm25s weights
        self.vocab: dict[str, int] = {}
        self.index_dir = None if index_dir in (None, "") else Path(index_dir)   # on disk: retrieval/bm25_disk.py
        self._disk: Any = None

    def _new_model(self) -> Any:
        import bm25s  # keeps `bench list` fast

        return bm25s.BM25(k1=self.k1, b=self.b, method="atire", idf_method="robertson", dtype=self.dtype)

    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        """Tokenize chunk by chunk and keep only term ids: the token strings of the whole corpus are never
        held at once (about 4x less peak memory on big corpora; the same vocabulary and index as `_build`)."""
        if not corpus:
            raise RetrieverError(f"{self.name}: cannot index an empty corpus")
        if self.index_dir is not None:
            return self._index_on_disk(corpus, show_progress)
        self.doc_ids = list(corpus)
        ids, ids_of = cached_term_ids(self.tokenizer, corpus, self.token_cache,
                                      lambda: self._term_ids(corpus, show_progress))
        self._build_ids(ids, ids_of)

    def _term_ids(self, corpus: Corpus, show_progress: bool) -> tuple[list[list[int]], dict[str, int]]:
        counter = itertools.count()
        ids_of: defaultdict[str, int] = defaultdict(counter.__next__)  # new term -> next id, at C speed
        ids: list[list[int]] = []
        n = len(self.doc_ids)
        with bar(f"tokenizing documents ({self.tokenizer.name})", n, enabled=show_progress and n > TOKENIZE_CHUNK) as advance:
            for start in range(0, n, TOKENIZE_CHUNK):
                chunk = self.doc_ids[start:start + TOKENIZE_CHUNK]
                for doc in self.tokenizer.batch([corpus[d].full_text for d in chunk]):
                    ids.append(list(map(ids_of.__getitem__, doc)))
                advance(len(chunk))
        return ids, dict(ids_of)

    def _build(self, doc_tokens: list[list[str]]) -> None:
        counter = itertools.count()
        ids_of: defaultdict[str, int] = defaultdict(counter.__next__)  # new term -> next id, at C speed
        self._build_ids([list(map(ids_of.__getitem__, doc)) for doc in doc_tokens], ids_of)

    def _build_ids(self, ids: list[list[int]], ids_of: dict[str, int]) -> None:
        vocab = dict(ids_of)
        vocab.setdefault("", len(vocab))  # bm25s's "empty" term, in the matrix (no postings) so its id is valid
        model = self._new_model()
        model.index((ids, vocab), create_empty_token=False, show_progress=False)
        if self.preset == "anserini":   # Lucene's BM25 weights (one-byte lengths, float32) in bm25s's layout
            data, indices, indptr = lucene_postings(ids, len(vocab), self.k1, self.b)
            model.scores = {"data": data.astype(self.dtype), "indices": indices, "indptr": indptr,
                            "num_docs": len(ids)}
        self._model, self.vocab, self._matrix, self._term_max = model, model.vocab_dict, None, None

    def _term_doc_matrix(self) -> Any:
        """bm25s stores (term -> postings) as CSC of docs x terms, i.e. CSR of terms x docs: share its arrays."""
        if self._matrix is None:
            from scipy.sparse import csr_matrix

            sc = self._model.scores
            n_terms = len(sc["indptr"]) - 1
            self._matrix = csr_matrix((sc["data"], sc["indices"], sc["indptr"]), shape=(n_terms, sc["num_docs"]))
        return self._matrix

    def _search_chunk(self, query_ids: list[list[int]], k: int) -> list[dict[str, float]]:
        if self._disk is not None or self.pruning == "maxscore":      # the on-disk index is MaxScore only
            return self._search_chunk_maxscore(query_ids, k)
        return self._search_chunk_exhaustive(query_ids, k)

    def _ranked(self, docs: np.ndarray, vals: np.ndarray, k: int) -> dict[str, float]:
        """The k best of (doc position, score) candidates, by score then doc id (both descending)."""
        doc_ids = self.doc_ids
        hits = sorted(zip(vals.tolist(), (doc_ids[d] for d in docs.tolist())), reverse=True)[:k]
        return {doc: score for score, doc in hits}

    def _postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, indices, data, term_max) of the CSR weights: memory-mapped on disk, or bm25s's in memory."""
        if self._disk is not None:
            d = self._disk
            return d.indptr, d.indices, d.data, d.term_max
        from retrieval.maxscore import term_max  # numba: compiled (and cached) on first use

        sc = self._model.scores
        if self._term_max is None:
            self._term_max = term_max(sc["indptr"], sc["data"])
        return sc["indptr"], sc["indices"], sc["data"], self._term_max

    def _search_chunk_maxscore(self, query_ids: list[list[int]], k: int) -> list[dict[str, float]]:
        from retrieval.maxscore import search_batch  # numba: compiled (and cached) on first use

        indptr, indices, data, tmax = self._postings()
        terms, weights, bounds = [], [], [0]
        for ids in query_ids:          # a repeated query term counts once with its count as weight
            counts: dict[int, int] = {}
            for t in ids:
                counts[t] = counts.get(t, 0) + 1
            terms.extend(counts)
            weights.extend(counts.values())
            bounds.append(len(terms))
        off, docs, vals = search_batch(indptr, indices, data, tmax,
                                       np.asarray(bounds, dtype=np.int64), np.asarray(terms, dtype=np.int64),
                                       np.asarray(weights, dtype=np.float64), k)
        return [self._ranked(docs[off[q]:off[q + 1]], vals[off[q]:off[q + 1]], k) for q in range(len(query_ids))]

    def _search_chunk_exhaustive(self, query_ids: list[list[int]], k: int) -> list[dict[str, float]]:
        from scipy.sparse import csr_matrix

        matrix = self._term_doc_matrix()
        lengths = np.fromiter((len(q) for q in query_ids), dtype=np.int64, count=len(query_ids))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        cols = np.fromiter((t for q in query_ids for t in q), dtype=np.int64, count=int(indptr[-1]))
        # repeated query terms add up (counts), exactly as rank-bm25 sums over query tokens
        queries = csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(query_ids), matrix.shape[0]))
        scores = (queries @ matrix).tocsr()
        out: list[dict[str, float]] = []
        for row in range(scores.shape[0]):
            start, end = scores.indptr[row], scores.indptr[row + 1]
            docs, vals = scores.indices[start:end], scores.data[start:end]
            keep = vals > 0
            docs, vals = docs[keep], vals[keep]
            if len(vals) > k:
                # everything scoring at least the k-th best (keeps boundary ties), then exact order below
                kth = np.partition(vals, len(vals) - k)[len(vals) - k]
                keep = vals >= kth
                docs, vals = docs[keep], vals[keep]
            out.append(self._ranked(docs, vals, k))
        return out

    def _query_ids(self, tokens: list[str]) -> list[int]:
        vocab = self.vocab
        return [vocab[t] for t in tokens if t and t in vocab]

    def _score_all(self, query_tokens: list[str]) -> np.ndarray:
        self._require_index()
        ids = self._query_ids(query_tokens)
        if self._disk is not None:
            return self._disk.score_all(ids)
        return self._model.get_scores_from_ids(ids) if ids else np.zeros(len(self.doc_ids))

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        self._require_index()
        if k < 1:
            raise RetrieverError(f"{self.name}: k must be >= 1 (got {k})")
        qids = list(queries)
        tokens = self.tokenize_texts([queries[q] for q in qids], show_progress=show_progress, what="queries")
        query_ids = [self._query_ids(t) for t in tokens]
        run: Run = {q: {} for q in qids}  # queries with no indexed term keep an empty entry
        todo = [i for i, ids in enumerate(query_ids) if ids]
        # threads: about 4 even chunks each (one nogil kernel call per chunk), so no thread waits on a long tail
        size = SEARCH_CHUNK if self.n_threads <= 1 else max(1, -(-len(todo) // (4 * self.n_threads)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]

        def work(rows: list[int]) -> list[dict[str, float]]:
            return self._search_chunk([query_ids[i] for i in rows], k)

        with bar("searching (bm25s)", len(todo), enabled=show_progress and bool(todo)) as advance:
            if self.n_threads > 1 and len(chunks) > 1:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(self.n_threads) as pool:
                    results = pool.map(work, chunks)
                    for rows, hits in zip(chunks, results):
                        run.update(zip((qids[i] for i in rows), hits))
                        advance(len(rows))
            else:
                for rows in chunks:
                    run.update(zip((qids[i] for i in rows), work(rows)))
                    advance(len(rows))
        return run

    # --- `-p index_dir=DIR`: the index on disk, memory-mapped (retrieval/bm25_disk.py) ----------------
    def _index_on_disk(self, corpus: Corpus, show_progress: bool) -> None:
        """Build (or reuse, when DIR holds this corpus under these settings) the on-disk index and open it."""
        from retrieval import bm25_disk
        from retrieval.embedding_cache import corpus_sha

        if self.preset is not None or self.pruning != "maxscore":
            raise RetrieverError("bm25: index_dir= (the on-disk index) supports the default BM25 with MaxScore "
                                 "only; drop preset=/pruning=")
        ids = list(corpus)
        key = bm25_disk.index_key({"sha256": corpus_sha(ids, (corpus[d].full_text for d in ids)), "n_docs": len(ids)},
                                  self.tokenizer, self.k1, self.b, self.dtype)
        index, _ = bm25_disk.ensure(self.index_dir, key, lambda: ((d, corpus[d].full_text) for d in ids),
                                    tokenizer=self.tokenizer, k1=self.k1, b=self.b, dtype=self.dtype,
                                    n_docs=len(ids), show_progress=show_progress)
        self.open_disk(index)

    def open_disk(self, index: Any) -> None:
        """Search `index` (a bm25_disk.DiskIndex): its vocabulary and doc ids become this retriever's."""
        self._disk, self.vocab, self.doc_ids = index, index.vocab, index.doc_ids
        self._model = self._matrix = self._term_max = None

    def params(self) -> dict[str, Any]:
        if self.preset == "anserini":
            scoring = {"preset": "anserini", "variant": "Lucene 8+ BM25Similarity (idf ln(1 + (N - df + 0.5) / "
                       "(df + 0.5)), no (k1 + 1), one-byte SmallFloat lengths, float32 weights)",
                       "keeps": "documents matching at least one query term"}
        else:
            scoring = {"method": "atire", "idf_method": "robertson"}
        if self._disk is not None:
            scoring["index"] = "on disk, memory-mapped (retrieval/bm25_disk.py)"
        return {**super().params(), "backend": "bm25s", **scoring,
                "dtype": self.dtype, "search": "exact MaxScore top-k (numba)" if self.pruning == "maxscore"
                else "sparse (queries x terms) @ (terms x docs)"}

    # --- persistence: bm25s's npy/json files + our doc ids and settings --------------------------
    def save(self, path: str | Path) -> None:
        self._require_index()
        if self._disk is not None:     # the index folder is the saved form: copy it
            from retrieval.index_folder import copy_folder

            return copy_folder(self._disk.folder, path)
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._model.save(path, show_progress=False)
        meta = {"format": 1, "k1": self.k1, "b": self.b, "dtype": self.dtype, "preset": self.preset,
                "tokenizer": self.tokenizer.params(), "doc_ids": self.doc_ids}
        atomic_write_text(path / META_FILE, json.dumps(meta, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> "BM25sRetriever":
        path = Path(path)
        meta_path = path / META_FILE
        if not meta_path.is_file() and (path / DISK_META).is_file():
            return cls._load_disk(path)
        import bm25s

        if not meta_path.is_file():
            raise RetrieverError(f"{path}: not a saved bm25 index (missing {META_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        tok = meta["tokenizer"]
        if meta.get("preset") == "anserini":
            self = cls(k1=meta["k1"], b=meta["b"], dtype=meta["dtype"], preset="anserini",
                       stem=tok.get("stem") is not None, stopwords=tok.get("stopwords") != "none")
        else:
            tokenizer = get_tokenizer(tok["name"], stem=tok.get("stem") is not None if tok["name"] == "en" else None,
                                      stopwords=tok.get("stopwords", True))
            self = cls(k1=meta["k1"], b=meta["b"], dtype=meta["dtype"], tokenizer=tokenizer)
        self._model = bm25s.BM25.load(path, allow_pickle=False, show_progress=False)
        self._matrix = self._term_max = None
        self.vocab = self._model.vocab_dict
        self.doc_ids = list(meta["doc_ids"])
        return self

    @classmethod
    def _load_disk(cls, path: Path) -> "BM25sRetriever":
        from retrieval import bm25_disk
        from retrieval.pretokenize import tokenizer_from_params

        index = bm25_disk.DiskIndex(path)
        key = index.meta["key"]
        self = cls(k1=key["k1"], b=key["b"], dtype=key["dtype"], tokenizer=tokenizer_from_params(key["tokenizer"]),
                   index_dir=str(path))
        self.open_disk(index)
        return self
