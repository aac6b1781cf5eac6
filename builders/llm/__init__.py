"""Chat backends behind one protocol (builders.llm.base.ChatBackend) and a factory to pick one by name.

`create_backend("openai", "gpt-4o-mini", base_url=...)`, `create_backend("transformers", "path/or/hf-name")`,
`create_backend("vllm", "hf-name")`. Heavy libraries are imported only by the backend that needs them.
"""
from __future__ import annotations

from typing import Any

from builders.llm.base import BackendError, ChatBackend, ChatResponse, Message, Pricing, Sampling, UsageMeter

BACKENDS: dict[str, str] = {
    "openai": "builders.llm.openai_compat:OpenAICompatBackend",
    "transformers": "builders.llm.transformers_backend:TransformersBackend",
    "vllm": "builders.llm.vllm_backend:VLLMBackend",
}
ALIASES = {"openai-compat": "openai", "http": "openai", "hf": "transformers"}


def available() -> list[str]:
    return sorted(BACKENDS)


def create_backend(kind: str, model: str, **opts: Any) -> ChatBackend:
    """Build a chat backend by kind ("openai", "transformers", "vllm") for `model` with backend options."""
    import importlib

    kind = ALIASES.get(kind, kind)
    if kind not in BACKENDS:
        raise BackendError(f"unknown backend {kind!r}; known: {', '.join(available())}")
    module, attr = BACKENDS[kind].split(":")
    return getattr(importlib.import_module(module), attr)(model, **opts)


__all__ = ["BackendError", "ChatBackend", "ChatResponse", "Message", "Pricing", "Sampling", "UsageMeter",
           "available", "create_backend"]
