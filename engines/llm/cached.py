"""A chat backend behind the shared request cache (engines.llm.cache): asked once, answered from disk after.

Why a wrapper and not a builder feature: every client (UltraChat dialogues and seed trees, QASnowball's
`llm` generator and extractor, WebCPM's `llm` policy) already talks to a ChatBackend, so wrapping the one
it gets gives each of them the cache with no change to its loop. A reply is written (fsynced) by the
thread that received it, before that thread sends its next request, so a run killed at any point and
resumed re-sends only the requests that were in flight, and a second identical run sends none. A
cached reply is the stored ChatResponse (text, finish reason, usage, cost) field for field, so records
that carry usage come out byte-identical.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engines.llm.base import ChatBackend, ChatResponse, Message, Sampling, UsageMeter
from engines.llm.cache import JsonlCache, cache_off_by_default, default_cache_dir, open_cache, request_key

__all__ = ["CachedBackend", "with_cache", "release", "CACHE_FILE"]

CACHE_FILE = "chat.jsonl"


class CachedBackend:
    """`inner` with every `chat` / `chat_batch` request looked up in `cache` first (same protocol)."""

    def __init__(self, inner: ChatBackend, cache: JsonlCache) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.model = inner.model
        self.meter: UsageMeter = getattr(inner, "meter", None) or UsageMeter()
        self.concurrency = int(getattr(inner, "concurrency", 1))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # a copy for another process (a Ray worker) is the inner backend alone: the cache file belongs to
        # this process (one appender per file), so remote work is not cached; the driver's records are
        return (_identity, (self.inner,))

    def __repr__(self) -> str:
        return f"CachedBackend({self.inner!r}, cache={str(self.cache.path)!r})"

    def params(self) -> dict[str, Any]:
        params = getattr(self.inner, "params", None)
        return {**(params() if callable(params) else {}), "cache": str(self.cache.path)}

    def key(self, messages: list[Message], sampling: Sampling) -> str:
        extra = getattr(self.inner, "extra_body", None)
        return request_key(self.name, self.model, messages, sampling.to_dict(), extra or None)

    def _hit(self, key: str) -> ChatResponse | None:
        rec = self.cache.get(key)
        if rec is None:
            return None
        self.meter.add_cache_hit()
        return ChatResponse(text=rec["text"], finish_reason=rec.get("finish_reason"), model=rec.get("model", self.model),
                            prompt_tokens=int(rec.get("prompt_tokens", 0)),
                            completion_tokens=int(rec.get("completion_tokens", 0)),
                            cost_usd=float(rec.get("cost_usd", 0.0)), extra={"cached": True})

    def _store(self, key: str, resp: ChatResponse) -> None:
        self.cache.put({"key": key, "backend": self.name, "model": resp.model, "text": resp.text,
                        "finish_reason": resp.finish_reason, "prompt_tokens": resp.prompt_tokens,
                        "completion_tokens": resp.completion_tokens, "cost_usd": resp.cost_usd})

    def chat(self, messages: list[Message], sampling: Sampling | None = None) -> ChatResponse:
        sampling = sampling or Sampling()
        key = self.key(messages, sampling)
        hit = self._hit(key)
        if hit is not None:
            return hit
        resp = self.inner.chat(messages, sampling)
        self._store(key, resp)
        return resp

    def chat_batch(self, conversations: list[list[Message]],
                   sampling: Sampling | None = None) -> list[ChatResponse]:
        """Cached ones from disk; the rest through the inner backend: an HTTP one request by request
        (each stored as it arrives), an in-process one (vLLM) as one batch (stored when it returns)."""
        sampling = sampling or Sampling()
        keys = [self.key(m, sampling) for m in conversations]
        out: list[ChatResponse | None] = [self._hit(k) for k in keys]
        todo = [i for i, r in enumerate(out) if r is None]
        if not todo:
            return out  # type: ignore[return-value]
        if self.name == "openai":
            def one(i: int) -> ChatResponse:
                resp = self.inner.chat(conversations[i], sampling)
                self._store(keys[i], resp)
                return resp
            with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(todo)))) as pool:
                for i, resp in zip(todo, pool.map(one, todo)):
                    out[i] = resp
        else:
            for i, resp in zip(todo, self.inner.chat_batch([conversations[i] for i in todo], sampling)):
                self._store(keys[i], resp)
                out[i] = resp
        return out  # type: ignore[return-value]

    def close(self) -> None:
        """Let go of the cache file (the inner backend stays usable; its owner closes it)."""
        self.cache.close()


def _identity(backend: Any) -> Any:
    return backend


def with_cache(backend: ChatBackend, cache_dir: str | Path | None = None, *, enabled: bool | None = None) -> ChatBackend:
    """`backend` behind the shared cache in `cache_dir` (default: engines.llm.cache.default_cache_dir()),
    or `backend` itself when `enabled` is False (None: on, unless BENCH_LLM_CACHE=off and no `cache_dir`).
    Backends wrapped in one process share one open file."""
    if enabled is None:
        enabled = cache_dir is not None or not cache_off_by_default()
    if not enabled or isinstance(backend, CachedBackend):
        return backend
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return CachedBackend(backend, open_cache(folder / CACHE_FILE))


def release(*backends: object) -> None:
    """Close the cache of each CachedBackend among `backends` once (the same object twice: once)."""
    seen: set[int] = set()
    for b in backends:
        if isinstance(b, CachedBackend) and id(b) not in seen:
            seen.add(id(b))
            b.close()
