"""Candidate pools: the union of the top-`depth` of several rankers, interleaved round-robin.

Round-robin keeps each source's best candidates first, so the pool order (which decides ties in
`sim_scores.json`, and therefore the top-30 cut) does not favour one retriever. A query is never
its own candidate; `size` caps the pool (MUSER uses 100).
"""
from __future__ import annotations

from typing import Sequence


def pool(rankings: Sequence[Sequence[str]], *, depth: int, query_id: str | None = None,
         size: int | None = None) -> list[str]:
    out: list[str] = []
    seen: set[str] = {query_id} if query_id is not None else set()
    heads = [[d for d in r if d != query_id][:depth] for r in rankings]
    for i in range(max((len(h) for h in heads), default=0)):
        for h in heads:
            if i < len(h) and h[i] not in seen:
                seen.add(h[i])
                out.append(h[i])
                if size is not None and len(out) >= size:
                    return out
    return out
