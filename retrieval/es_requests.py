"""The request bodies the Elasticsearch backend sends, as plain data (unit-tested without a server).

Why separate: no Elasticsearch server can run on the build machines, so everything the backend would
send (index name, settings + mapping, bulk actions, msearch bodies, client options) is built here by pure
functions and checked as data; elasticsearch_backend.py only ships them.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

from retrieval.pretokenize import as_text
from retrieval.tokenize import Tokenizer
from retrieval.types import Corpus, Queries

SIMILARITY = "databench_bm25"
WS_ANALYZER = "databench_whitespace"
ID_FIELD, BODY_FIELD = "doc_id", "body"
ENV_URL, ENV_API_KEY, ENV_USER, ENV_PASSWORD, ENV_CA = (
    "BENCH_ES_URL", "BENCH_ES_API_KEY", "BENCH_ES_USER", "BENCH_ES_PASSWORD", "BENCH_ES_CA_CERTS")


def index_name(corpus_sha: str, settings: Mapping[str, Any], prefix: str = "databench") -> str:
    """`databench-<corpus sha 12>-<settings sha 8>`: the same corpus and settings reuse one index."""
    settings_sha = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    name = f"{prefix}-{corpus_sha[:12]}-{settings_sha}".lower()
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name).lstrip("-_.+")


def index_body(k1: float, b: float, analyzer: str | None = None) -> dict[str, Any]:
    """Settings + mapping: one shard (global BM25 statistics, as in the in-process backends), BM25 with our
    k1/b, and either a whitespace analyzer over our pre-tokenised text (analyzer=None) or an ES analyzer."""
    body_field: dict[str, Any] = {"type": "text", "similarity": SIMILARITY,
                                  "analyzer": analyzer or WS_ANALYZER, "index_options": "freqs", "norms": True}
    return {
        "settings": {"index": {
            "number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1",
            "similarity": {SIMILARITY: {"type": "BM25", "k1": float(k1), "b": float(b)}},
            "analysis": {"analyzer": {WS_ANALYZER: {"type": "custom", "tokenizer": "whitespace"}}},
        }},
        "mappings": {"dynamic": "strict", "_meta": {"databench_complete": False},
                     "properties": {ID_FIELD: {"type": "keyword"}, BODY_FIELD: body_field}},
    }


def doc_text(text: str, tokenizer: Tokenizer | None) -> str:
    """Pre-tokenised (jieba / our English analyzer) when the field uses the whitespace analyzer."""
    return as_text(tokenizer(text)) if tokenizer is not None else text


def bulk_actions(index: str, corpus: Corpus, tokenizer: Tokenizer | None) -> Iterator[dict[str, Any]]:
    """One `index` action per document for helpers.streaming_bulk; `_id` = doc id (re-runs overwrite)."""
    for doc_id, doc in corpus.items():
        yield {"_op_type": "index", "_index": index, "_id": doc_id,
               "_source": {ID_FIELD: doc_id, BODY_FIELD: doc_text(doc.full_text, tokenizer)}}


def search_body(query_text: str, k: int) -> dict[str, Any]:
    """OR of the query terms, BM25-scored; no _source (the hit _id is the doc id)."""
    return {"query": {"match": {BODY_FIELD: {"query": query_text, "operator": "or"}}}, "size": int(k),
            "_source": False, "track_total_hits": False}


def msearch_body(index: str, queries: Queries, k: int, tokenizer: Tokenizer | None) -> tuple[list[str], list[dict]]:
    """(qids sent, header/body pairs). Queries with no terms left after analysis are not sent."""
    sent: list[str] = []
    body: list[dict[str, Any]] = []
    for qid, text in queries.items():
        q = doc_text(text, tokenizer)
        if not q.strip():
            continue
        sent.append(qid)
        body.extend([{"index": index}, search_body(q, k)])
    return sent, body


def client_options(url: str | None = None, env: Mapping[str, str] | None = None, *,
                   request_timeout: float = 60, verify_certs: bool = True) -> dict[str, Any]:
    """Keyword arguments for `Elasticsearch(...)`. Credentials come from the environment only
    (BENCH_ES_API_KEY, or BENCH_ES_USER + BENCH_ES_PASSWORD; BENCH_ES_CA_CERTS), never from params or files."""
    env = os.environ if env is None else env
    url = url or env.get(ENV_URL)
    opts: dict[str, Any] = {"hosts": [url], "request_timeout": float(request_timeout),
                            "verify_certs": bool(verify_certs), "retry_on_timeout": True, "max_retries": 3}
    if env.get(ENV_API_KEY):
        opts["api_key"] = env[ENV_API_KEY]
    elif env.get(ENV_USER):
        opts["basic_auth"] = (env[ENV_USER], env.get(ENV_PASSWORD, ""))
    if env.get(ENV_CA):
        opts["ca_certs"] = env[ENV_CA]
    return opts


def redact_url(url: str) -> str:
    """A URL safe to write into results: user:password@ removed."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
