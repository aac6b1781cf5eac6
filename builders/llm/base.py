"""The protocol every chat backend (OpenAI-compatible HTTP, vLLM, transformers) implements.

Builders (UltraChat dialogues, QASnowball question generation, the WebCPM LLM policy) only
talk to this, so swapping an API for a local GPU model is a config change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


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
