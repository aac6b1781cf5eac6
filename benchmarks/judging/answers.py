"""Answer every question with a chat backend, turn by turn, through the request cache.

Turn t of a question is asked with the conversation so far (its earlier user turns and the model's own
earlier answers), so MT-Bench-style multi-turn files work the same as UltraChat's single-turn set.
A turn's cache key is the question id, turn index, backend kind + model name, sampling and the exact
messages; changing any of them asks again, and nothing else does (the base URL is not part of the key,
so the same model behind a proxy or another host reuses the cache).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engines.llm import ChatBackend, Sampling
from engines.llm.cache import JsonlCache, cache_key
from benchmarks.judging.calls import Request, run_requests
from benchmarks.judging.questions import Question


@dataclass
class Answers:
    texts: dict[str, list[str]]            # question id -> one answer per turn
    finish_reasons: dict[str, list[str]]


def model_id(backend: ChatBackend) -> str:
    """`kind:model`, e.g. `openai:gpt-4o-mini` (what the cache and the results call a backend)."""
    return f"{getattr(backend, 'name', type(backend).__name__)}:{backend.model}"


def conversation(q: Question, answers: list[str], turn: int, system: str | None) -> list[dict[str, str]]:
    """Messages for turn `turn`: system prompt, earlier user turns with the earlier answers, this user turn."""
    messages = [{"role": "system", "content": system}] if system else []
    for i in range(turn):
        messages += [{"role": "user", "content": q.turns[i]}, {"role": "assistant", "content": answers[i]}]
    return messages + [{"role": "user", "content": q.turns[turn]}]


def generate_answers(backend: ChatBackend, questions: list[Question], sampling: Sampling, cache: JsonlCache, *,
                     system: str | None = None, batch_size: int = 64,
                     on_done: Callable[[], None] | None = None) -> Answers:
    """Answers of `backend` to every turn of every question (cached ones are not asked again)."""
    texts: dict[str, list[str]] = {q.id: [] for q in questions}
    reasons: dict[str, list[str]] = {q.id: [] for q in questions}
    who = model_id(backend)
    for turn in range(max((len(q.turns) for q in questions), default=0)):
        reqs: list[Request] = []
        for q in questions:
            if turn >= len(q.turns):
                continue
            messages = conversation(q, texts[q.id], turn, system)
            key = cache_key({"kind": "answer", "question_id": q.id, "turn": turn, "model": who,
                             "sampling": sampling.to_dict(), "messages": messages})
            reqs.append(Request(key, messages, sampling, {"kind": "answer", "question_id": q.id, "turn": turn,
                                                          "model": who}))
        done = run_requests(backend, reqs, cache, batch_size=batch_size, on_done=on_done)
        for q, req in zip([q for q in questions if turn < len(q.turns)], reqs):
            texts[q.id].append(str(done[req.key].get("text", "")))
            reasons[q.id].append(str(done[req.key].get("finish_reason")))
    return Answers(texts, reasons)
