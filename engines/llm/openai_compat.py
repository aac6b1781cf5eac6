"""Any OpenAI-compatible `/v1/chat/completions` endpoint (OpenAI, vLLM serve, llama.cpp server, TGI...).

Why its own module: API runs of millions of calls need a concurrency cap, retries with exponential
backoff + full jitter on 429 / 5xx / timeouts / malformed JSON (honouring Retry-After), and usage and
cost accounting per response. The key is read from the environment only and never stored in params,
manifests or logs.
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from engines.llm.aimd import OVERLOAD_STATUS, AdaptiveLimit
from engines.llm.base import BackendError, ChatResponse, Message, Pricing, Sampling, UsageMeter

DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class OpenAICompatBackend:
    """Chat completions over HTTP with bounded concurrency, retries and cost accounting."""

    name = "openai"

    def __init__(self, model: str, *, base_url: str | None = None, base_url_env: str = "OPENAI_BASE_URL",
                 api_key_env: str = "OPENAI_API_KEY", concurrency: int = 4, max_retries: int = 6,
                 timeout: float = 120.0, backoff_base: float = 1.0, backoff_max: float = 60.0,
                 price_prompt_per_mtok: float = 0.0, price_completion_per_mtok: float = 0.0,
                 extra_body: dict[str, Any] | None = None, jitter_seed: int | None = None,
                 adaptive: bool = True) -> None:
        if concurrency < 1:
            raise BackendError(f"openai backend: concurrency must be >= 1, got {concurrency}")
        self.model = model
        self.base_url = (base_url or os.environ.get(base_url_env) or DEFAULT_BASE_URL).rstrip("/")
        self._kwargs = {"model": model, "base_url": self.base_url, "api_key_env": api_key_env,
                        "concurrency": concurrency, "max_retries": max_retries, "timeout": timeout,
                        "backoff_base": backoff_base, "backoff_max": backoff_max,
                        "price_prompt_per_mtok": price_prompt_per_mtok,
                        "price_completion_per_mtok": price_completion_per_mtok, "extra_body": extra_body,
                        "jitter_seed": jitter_seed, "adaptive": adaptive}
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.pricing = Pricing(price_prompt_per_mtok, price_completion_per_mtok)
        self.extra_body = dict(extra_body or {})
        self.meter = UsageMeter()
        self.adaptive = adaptive
        self.limiter = AdaptiveLimit(concurrency)     # `concurrency` is the ceiling; AIMD below it
        self.meter.limiter = self.limiter
        self._rng = random.Random(jitter_seed)
        self._rng_lock = threading.Lock()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.Client(timeout=timeout, headers=headers,
                                    limits=httpx.Limits(max_connections=concurrency + 2))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # a copy for another process (a Ray worker) is a new backend of the same settings: its own HTTP
        # client, a fresh meter, and the API key read from that process's environment (never pickled)
        return (_rebuild, (self._kwargs,))

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAICompatBackend(model={self.model!r}, base_url={self.base_url!r})"

    def params(self) -> dict[str, Any]:
        """Public settings for manifests (the key's variable name, never its value)."""
        return {"base_url": self.base_url, "api_key_env": self.api_key_env, "concurrency": self.concurrency,
                "adaptive": self.adaptive,
                "max_retries": self.max_retries, "timeout": self.timeout,
                "pricing_usd_per_mtok": {"prompt": self.pricing.prompt_per_mtok,
                                         "completion": self.pricing.completion_per_mtok}}

    def close(self) -> None:
        self._client.close()

    # -- one request -------------------------------------------------------------------------
    def _payload(self, messages: list[Message], sampling: Sampling) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, **sampling.to_dict()}
        body.update(self.extra_body)
        return body

    def _once(self, body: dict[str, Any]) -> ChatResponse:
        url = f"{self.base_url}/chat/completions"
        self.limiter.acquire()
        t0 = time.monotonic()
        try:
            resp = self._client.post(url, json=body)
        except httpx.TimeoutException as exc:
            if self.adaptive:
                self.limiter.on_overload("timeout")
            raise _Retryable("timeout") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection:{type(exc).__name__}") from exc
        finally:
            self.limiter.release()
        seconds = time.monotonic() - t0
        if resp.status_code in RETRY_STATUS:
            if self.adaptive and resp.status_code in OVERLOAD_STATUS:
                self.limiter.on_overload(f"http_{resp.status_code}")
            raise _Retryable(f"http_{resp.status_code}", _retry_after(resp.headers))
        if resp.status_code >= 400:
            raise BackendError(f"{url}: HTTP {resp.status_code} (not retried): {resp.text[:300]}")
        try:
            data = resp.json()
            choice = data["choices"][0]
            text = choice["message"]["content"]
            if not isinstance(text, str):
                raise TypeError("message.content is not a string")
        except (json.JSONDecodeError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise _Retryable("malformed_json") from exc
        usage = data.get("usage") or {}
        pt, ct = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        if self.adaptive:
            self.limiter.on_success(seconds, ct)
        return ChatResponse(text=text, finish_reason=choice.get("finish_reason"),
                            model=str(data.get("model") or self.model), prompt_tokens=pt,
                            completion_tokens=ct, cost_usd=self.pricing.cost(pt, ct),
                            extra={"id": data.get("id"),   # token log-probabilities when the request asked for them
                                   **({"logprobs": choice["logprobs"]} if choice.get("logprobs") else {})})

    def _sleep_for(self, attempt: int, retry_after: float | None) -> float:
        cap = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        with self._rng_lock:
            delay = self._rng.uniform(0, cap)           # "full jitter"
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_max))
        return delay

    def chat(self, messages: list[Message], sampling: Sampling | None = None) -> ChatResponse:
        """One completion; retried on transient failures, BackendError after `max_retries`."""
        body = self._payload(messages, sampling or Sampling())
        retries = 0
        while True:
            try:
                resp = self._once(body)
            except _Retryable as exc:
                if retries >= self.max_retries:
                    self.meter.add_failure()
                    raise BackendError(f"{self.base_url}: gave up after {retries} retries "
                                       f"(last: {exc.reason})") from exc
                self.meter.add_retry(exc.reason)
                time.sleep(self._sleep_for(retries, exc.retry_after))
                retries += 1
                continue
            except BackendError:
                self.meter.add_failure()
                raise
            resp.retries = retries
            self.meter.add_response(resp)
            return resp

    def chat_batch(self, conversations: list[list[Message]],
                   sampling: Sampling | None = None) -> list[ChatResponse]:
        """Many conversations, at most `concurrency` in flight; results in input order."""
        if not conversations:
            return []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(conversations))) as pool:
            return list(pool.map(lambda m: self.chat(m, sampling), conversations))


def _rebuild(kwargs: dict[str, Any]) -> OpenAICompatBackend:
    return OpenAICompatBackend(**kwargs)
