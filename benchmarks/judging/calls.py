"""Send chat requests through a engines.llm backend, at most once each: cached, resumable, concurrent.

HTTP backends (`openai`) run `concurrency` requests at a time (fewer while its AIMD limit is lower) and write each response to the cache
from the worker that received it, before that worker sends its next request. In-process backends
(vLLM, transformers) get the uncached requests in batches through `chat_batch` (vLLM batches them),
each batch written as soon as it returns.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from engines.llm import ChatBackend, Sampling
from engines.llm.cache import JsonlCache


@dataclass
class GrammarSampling(Sampling):
    """Sampling plus llama.cpp's `grammar` request field (OpenAI-compatible body only; others ignore it)."""

    grammar: str | None = None


@dataclass
class Request:
    key: str
    messages: list[dict[str, str]]
    sampling: Sampling
    meta: dict[str, Any] = field(default_factory=dict)   # stored next to the response (ids, prompt name)


def _record(req: Request, resp: Any) -> dict[str, Any]:
    return {"key": req.key, **req.meta, "text": resp.text, "finish_reason": resp.finish_reason,
            "prompt_tokens": resp.prompt_tokens, "completion_tokens": resp.completion_tokens,
            **({"logprobs": resp.extra["logprobs"]} if resp.extra.get("logprobs") else {})}


def run_requests(backend: ChatBackend, requests: list[Request], cache: JsonlCache, *, batch_size: int = 64,
                 on_done: Callable[[], None] | None = None) -> dict[str, dict[str, Any]]:
    """key -> cached record for every request; only cache misses reach the backend (each at most once)."""
    results: dict[str, dict[str, Any]] = {}
    todo: list[Request] = []
    seen: set[str] = set()
    for req in requests:
        hit = cache.get(req.key)
        if hit is not None:
            results[req.key] = hit
        elif req.key not in seen:            # the same request twice in one list: asked once, shared
            seen.add(req.key)
            todo.append(req)
    if getattr(backend, "name", "") == "openai":
        def one(req: Request) -> dict[str, Any]:
            rec = _record(req, backend.chat(req.messages, req.sampling))
            cache.put(rec)
            if on_done:
                on_done()
            return rec
        workers = max(1, min(int(getattr(backend, "concurrency", 1)), len(todo) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for rec in pool.map(one, todo):
                results[rec["key"]] = rec
    else:
        for start in range(0, len(todo), batch_size):
            chunk = todo[start:start + batch_size]
            by_sampling: dict[str, list[Request]] = {}
            for req in chunk:                  # chat_batch takes one Sampling per call
                by_sampling.setdefault(repr(req.sampling), []).append(req)
            for group in by_sampling.values():
                responses = backend.chat_batch([r.messages for r in group], group[0].sampling)
                for req, resp in zip(group, responses):
                    rec = _record(req, resp)
                    cache.put(rec)
                    results[req.key] = rec
                    if on_done:
                        on_done()
    return results
