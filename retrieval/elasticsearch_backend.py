"""Elasticsearch as a retriever (`--retriever elasticsearch --param es_url=...` or BENCH_ES_URL).

For labs whose corpora already live in Elasticsearch. The request bodies are built in es_requests.py;
this module ships them with the official client: explicit mapping (BM25 k1/b from our params; Chinese
pre-segmented by jieba into a whitespace-analysed field, or any ES analyzer via `analyzer=`), bulk
indexing with helpers.streaming_bulk (chunked, retried on 429, progress bar), refresh, msearch.
An index is named after the corpus sha and the settings and is reused only once it was marked complete
(`_meta.databench_complete`), so an interrupted bulk load is rebuilt, never searched half-full.
Credentials come from the environment only and are never written to results or saved files.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

from core import atomic_write_json
from core.optional import require
from retrieval import es_requests as req
from retrieval.base import Retriever, RetrieverError
from retrieval.embedding_cache import corpus_sha
from retrieval.lexical import _as_bool
from retrieval.pretokenize import make_tokenizer, tokenizer_from_params
from retrieval.progress import bar
from retrieval.types import Corpus, Queries, Run

SAVE_FILE = "elasticsearch.json"
ES_PIP = "elasticsearch>=8,<10"


class ElasticsearchRetriever(Retriever):
    name: ClassVar[str] = "elasticsearch"

    def __init__(self, lang: str = "en", k1: float = 1.2, b: float = 0.75, *, es_url: str | None = None,
                 index_name: str | None = None, index_prefix: str = "databench", analyzer: str | None = None,
                 tokenizer: Any = None, stem: Any = None, stopwords: Any = True, chunk_size: int = 500,
                 max_retries: int = 3, msearch_batch: int = 64, request_timeout: float = 60,
                 verify_certs: Any = True, recreate: Any = False):
        self.k1, self.b = float(k1), float(b)
        if self.k1 < 0 or not 0 <= self.b <= 1:
            raise RetrieverError(f"elasticsearch: need k1 >= 0 and 0 <= b <= 1 (got k1={k1}, b={b})")
        self.url = es_url or os.environ.get(req.ENV_URL)
        self.analyzer = analyzer or None
        # our analyzer unless an ES analyzer was named (then ES analyses raw text)
        self.tokenizer = None if self.analyzer else make_tokenizer(lang, tokenizer, stem, stopwords)
        self.lang = lang
        self.index_name, self.index_prefix = index_name, index_prefix
        self.chunk_size, self.max_retries = int(chunk_size), int(max_retries)
        self.msearch_batch, self.request_timeout = int(msearch_batch), float(request_timeout)
        self.verify_certs, self.recreate = bool(_as_bool(verify_certs, "verify_certs")), bool(_as_bool(recreate, "recreate"))
        self._es: Any = None
        self._index: str | None = None

    # -- connection ----------------------------------------------------------------------------------
    def client(self) -> Any:
        if self._es is not None:
            return self._es
        if not self.url:
            raise RetrieverError(f"elasticsearch: no server URL; pass --param es_url=http://127.0.0.1:9200 or set "
                                 f"{req.ENV_URL} (credentials: {req.ENV_API_KEY} or {req.ENV_USER}/{req.ENV_PASSWORD})")
        elasticsearch = require("elasticsearch", ES_PIP, "--retriever elasticsearch", error=RetrieverError)
        Elasticsearch, es_exc = elasticsearch.Elasticsearch, elasticsearch.exceptions

        es = Elasticsearch(**req.client_options(self.url, request_timeout=self.request_timeout,
                                                verify_certs=self.verify_certs))
        try:
            info = es.info()
        except (es_exc.ConnectionError, es_exc.TransportError, es_exc.ApiError) as exc:
            raise RetrieverError(f"elasticsearch: cannot use {req.redact_url(self.url)}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0][:200]}") from None
        self.server_version = info.get("version", {}).get("number", "?")
        self._es = es
        return es

    def settings(self) -> dict[str, Any]:
        """What decides the index content (goes into the index name)."""
        return {"k1": self.k1, "b": self.b, "analyzer": self.analyzer or "whitespace (pre-tokenised)",
                "tokenizer": self.tokenizer.params() if self.tokenizer else None}

    def params(self) -> dict[str, Any]:
        return {**self.settings(), "backend": "elasticsearch", "index": self._index,
                "url": req.redact_url(self.url) if self.url else None,
                "server_version": getattr(self, "server_version", None)}

    # -- indexing ------------------------------------------------------------------------------------
    def _complete(self, es: Any, name: str) -> bool:
        if not es.indices.exists(index=name):
            return False
        meta = es.indices.get_mapping(index=name)[name]["mappings"].get("_meta", {})
        return bool(meta.get("databench_complete"))

    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        helpers = require("elasticsearch.helpers", ES_PIP, "--retriever elasticsearch", error=RetrieverError)

        if not corpus:
            raise RetrieverError("elasticsearch: cannot index an empty corpus")
        es = self.client()
        ids = list(corpus)
        sha = corpus_sha(ids, [corpus[d].full_text for d in ids])
        name = self.index_name or req.index_name(sha, self.settings(), self.index_prefix)
        if not self.recreate and self._complete(es, name):
            count = es.count(index=name)["count"]
            if count == len(ids) or self.index_name:   # a named index holds the user's own corpus
                self._index = name
                return
        if es.indices.exists(index=name):
            es.indices.delete(index=name)
        es.indices.create(index=name, **req.index_body(self.k1, self.b, self.analyzer))
        errors: list[dict[str, Any]] = []
        with bar("elasticsearch: bulk indexing", len(ids), enabled=show_progress) as advance:
            for ok, item in helpers.streaming_bulk(es, req.bulk_actions(name, corpus, self.tokenizer),
                                                   chunk_size=self.chunk_size, max_retries=self.max_retries,
                                                   raise_on_error=False, raise_on_exception=True):
                if not ok:
                    errors.append(item)
                advance(1)
        if errors:
            first = next(iter(errors[0].values()))
            raise RetrieverError(f"elasticsearch: {len(errors)} documents failed to index into {name}; first: "
                                 f"id {first.get('_id')}: {json.dumps(first.get('error'))[:200]}")
        es.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
        es.indices.refresh(index=name)
        count = es.count(index=name)["count"]
        if count != len(ids):
            raise RetrieverError(f"elasticsearch: {name} holds {count} documents after indexing {len(ids)}")
        es.indices.put_mapping(index=name, meta={"databench_complete": True, "corpus_sha": sha})
        self._index = name

    # -- searching -----------------------------------------------------------------------------------
    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        if self._index is None:
            raise RetrieverError("elasticsearch: search() before index() or load()")
        if k < 1:
            raise RetrieverError(f"elasticsearch: k must be >= 1 (got {k})")
        es = self.client()
        qids = list(queries)
        run: Run = {q: {} for q in qids}
        with bar("elasticsearch: msearch", len(qids), enabled=show_progress) as advance:
            for start in range(0, len(qids), self.msearch_batch):
                batch = {q: queries[q] for q in qids[start:start + self.msearch_batch]}
                sent, body = req.msearch_body(self._index, batch, k, self.tokenizer)
                if sent:
                    responses = es.msearch(searches=body)["responses"]
                    for qid, resp in zip(sent, responses):
                        if "error" in resp:
                            raise RetrieverError(f"elasticsearch: query {qid!r} failed: "
                                                 f"{json.dumps(resp['error'])[:200]}")
                        hits = [(float(h["_score"]), h["_id"]) for h in resp["hits"]["hits"]]
                        run[qid] = {d: s for s, d in sorted(hits, reverse=True)}   # score desc, doc id desc
                advance(len(batch))
        return run

    # -- persistence: the index lives on the server; save records where --------------------------------
    def save(self, path: str | Path) -> None:
        if self._index is None:
            raise RetrieverError("elasticsearch: nothing to save, call index() first")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = {"url": req.redact_url(self.url) if self.url else None, "index": self._index, "k1": self.k1,
                 "b": self.b, "analyzer": self.analyzer, "lang": self.lang,
                 "tokenizer": self.tokenizer.params() if self.tokenizer else None}
        atomic_write_json(path / SAVE_FILE, state)

    @classmethod
    def load(cls, path: str | Path, es_url: str | None = None) -> "ElasticsearchRetriever":
        """Reconnect to the saved index (URL: argument, else BENCH_ES_URL, else the saved one)."""
        path = Path(path)
        if not (path / SAVE_FILE).is_file():
            raise RetrieverError(f"elasticsearch: {path / SAVE_FILE} not found (not a saved elasticsearch index)")
        state = json.loads((path / SAVE_FILE).read_text(encoding="utf-8"))
        tok = tokenizer_from_params(state["tokenizer"]) if state.get("tokenizer") else None
        self = cls(lang=state.get("lang", "en"), k1=state["k1"], b=state["b"], analyzer=state.get("analyzer"),
                   tokenizer=tok, es_url=es_url or os.environ.get(req.ENV_URL) or state.get("url"),
                   index_name=state["index"])
        es = self.client()
        if not self._complete(es, state["index"]):
            raise RetrieverError(f"elasticsearch: index {state['index']} is missing or incomplete on the server")
        self._index = state["index"]
        return self
