"""Chat backends behind one protocol (engines.llm.base.ChatBackend) and a factory to pick one by name.

`create_backend("openai", "gpt-4o-mini", base_url=...)`, `create_backend("transformers", "path/or/hf-name")`,
`create_backend("vllm", "hf-name")`. Heavy libraries are imported only by the backend that needs them.
"""
from __future__ import annotations

from typing import Any

from engines.llm.base import BackendError, ChatBackend, ChatResponse, Message, Pricing, Sampling, UsageMeter
from core.registry import resolve

BACKENDS: dict[str, str] = {
    "openai": "engines.llm.openai_compat:OpenAICompatBackend",
    "transformers": "engines.llm.transformers_backend:TransformersBackend",
    "vllm": "engines.llm.vllm_backend:VLLMBackend",
}
ALIASES = {"openai-compat": "openai", "http": "openai", "hf": "transformers"}


def available() -> list[str]:
    return sorted(BACKENDS)


def create_backend(kind: str, model: str, **opts: Any) -> ChatBackend:
    """Build a chat backend by kind ("openai", "transformers", "vllm") for `model` with backend options."""
    kind = ALIASES.get(kind, kind)
    if kind not in BACKENDS:
        raise BackendError(f"unknown backend {kind!r}; known: {', '.join(available())}")
    return resolve(BACKENDS[kind])(model, **opts)


__all__ = ["BackendError", "ChatBackend", "ChatResponse", "Message", "Pricing", "Sampling", "UsageMeter",
           "available", "create_backend"]
