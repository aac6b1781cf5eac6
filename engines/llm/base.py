"""The protocol every chat backend (OpenAI-compatible HTTP, vLLM, transformers) implements.

Builders (UltraChat dialogues, QASnowball question generation, the WebCPM LLM policy) only
talk to this, so swapping an API for a local GPU model is a config change.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from core import UserError

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


class BackendError(UserError):
    """A user-facing backend failure (bad config, missing package, request failed after retries)."""


@dataclass
class Sampling:
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 512
    seed: int | None = None
    stop: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ChatResponse:
    text: str
    finish_reason: str | None          # "stop" | "length" | ...
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class ChatBackend(Protocol):
    name: str      # "openai" | "vllm" | "transformers"
    model: str

    def chat(self, messages: list[Message], sampling: Sampling | None = None) -> ChatResponse: ...

    def chat_batch(self, conversations: list[list[Message]],
                   sampling: Sampling | None = None) -> list[ChatResponse]: ...


@dataclass
class Pricing:
    """USD per million tokens; zero for local models. Cost = tokens x price, from each response's usage."""

    prompt_per_mtok: float = 0.0
    completion_per_mtok: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.prompt_per_mtok + completion_tokens * self.completion_per_mtok) / 1e6


class UsageMeter:
    """Thread-safe running totals a backend keeps (requests, retries by reason, tokens, cost).

    Builders read `snapshot()` for progress bars and run manifests. `requests` and tokens count what a
    server answered in this process; `cache_hits` the replies a request cache (engines.llm.cached) gave
    instead; `concurrency` what an adaptive in-flight limit (engines.llm.aimd) did, when there is one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.failures = 0
        self.retries = 0
        self.retry_reasons: Counter[str] = Counter()
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd = 0.0
        self.cache_hits = 0
        self.limiter: Any = None                 # an engines.llm.aimd.AdaptiveLimit, set by its backend

    def add_cache_hit(self) -> None:
        with self._lock:
            self.cache_hits += 1

    def add_response(self, resp: ChatResponse) -> None:
        with self._lock:
            self.requests += 1
            self.prompt_tokens += resp.prompt_tokens
            self.completion_tokens += resp.completion_tokens
            self.cost_usd += resp.cost_usd

    def add_retry(self, reason: str) -> None:
        with self._lock:
            self.retries += 1
            self.retry_reasons[reason] += 1

    def add_failure(self) -> None:
        with self._lock:
            self.failures += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out = {"requests": self.requests, "failures": self.failures, "retries": self.retries,
                   "retry_reasons": dict(sorted(self.retry_reasons.items())),
                   "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                   "cost_usd": round(self.cost_usd, 8), "cache_hits": self.cache_hits}
        if self.limiter is not None:
            out["concurrency"] = self.limiter.snapshot()
        return out



def backend_info(backend: Any) -> dict[str, Any]:
    """What a run manifest records about a backend: kind, model and its public params (never secrets)."""
    info = {"kind": getattr(backend, "name", type(backend).__name__), "model": getattr(backend, "model", "?")}
    params = getattr(backend, "params", None)
    if callable(params):
        info.update(params())
    return info
