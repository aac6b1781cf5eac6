"""The `llm` backend's modules: question generation (and optional answer extraction) by prompting a
ChatBackend (engines.llm.base) - an OpenAI-compatible server, vLLM or a local transformers model.

Replies are parsed leniently (numbered or bulleted lines); answers the model proposes are kept only
where they occur verbatim in the context, so every record still satisfies context[s:s+len(a)] == a.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Sequence

from engines.llm.base import ChatBackend, Sampling
from engines.readers.base import Candidate

__all__ = ["LLMQuestionGenerator", "LLMAnswerExtractor", "parse_lines"]

_PROMPTS = {
    "en": ("You write reading-comprehension questions. Given a passage and an answer span, write {n} different "
           "questions, one per line, each answerable by exactly that span from the passage. Do not include the "
           "answer in the question.\n\nPassage: {context}\n\nAnswer: {answer}\n\nQuestions:"),
    "zh": ("你是阅读理解出题人。根据下面的文章和答案片段，写出{n}个不同的问题，每行一个，每个问题都能用该片段从文章中回答，"
           "问题中不要包含答案。\n\n文章：{context}\n\n答案：{answer}\n\n问题："),
}
_AE_PROMPTS = {
    "en": ("List up to {k} short phrases copied exactly from the passage that would make good answers to factual "
           "questions (names, dates, numbers, places, key noun phrases), one per line.\n\nPassage: {context}\n\nPhrases:"),
    "zh": ("从下面文章中原样摘出最多{k}个适合作为事实性问题答案的短语（人名、时间、数字、地点、关键名词短语），每行一个。\n\n"
           "文章：{context}\n\n短语："),
}
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)、:：]|\(\d+\)|Q\d*[:：])\s*")


def parse_lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip().strip('"“”')
        if line:
            out.append(line)
    return out


class _Counted:
    """A lock for the counters, left out of pickles (a Ray worker gets its own)."""

    _lock: threading.Lock

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


class LLMQuestionGenerator(_Counted):
    name = "llm-qg"

    def __init__(self, chat: ChatBackend, lang: str, *, seed: int = 0, temperature: float = 0.7,
                 max_tokens: int = 256):
        self.chat, self.lang = chat, lang
        self.sampling = Sampling(temperature=temperature, max_tokens=max_tokens, seed=seed)
        self.calls = 0
        self._lock = threading.Lock()         # documents run on several threads (the backend's concurrency)

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        """Prompted, not trained: nothing to fit (few-shot examples would go here)."""

    def generate(self, context: str, answers: Sequence[Candidate], n: int) -> list[list[tuple[str, float]]]:
        if not answers:
            return []
        convs = [[{"role": "user", "content": _PROMPTS[self.lang].format(n=n, context=context, answer=a.text)}]
                 for a in answers]
        replies = self.chat.chat_batch(convs, self.sampling)
        with self._lock:
            self.calls += len(convs)
        return [[(q, -float(i)) for i, q in enumerate(parse_lines(r.text)[:n])] for r in replies]

    def params(self) -> dict[str, Any]:
        return {"generator": self.name, "backend": getattr(self.chat, "name", "?"),
                "model": getattr(self.chat, "model", "?"), "sampling": self.sampling.to_dict(), "calls": self.calls}


class LLMAnswerExtractor(_Counted):
    name = "llm-extractor"

    def __init__(self, chat: ChatBackend, lang: str, *, max_tokens: int = 256):
        self.chat, self.lang = chat, lang
        self.sampling = Sampling(temperature=0.0, max_tokens=max_tokens)
        self.dropped_not_in_context = 0
        self._lock = threading.Lock()

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        """Prompted, not trained."""

    def extract(self, context: str, k: int) -> list[Candidate]:
        reply = self.chat.chat([{"role": "user", "content": _AE_PROMPTS[self.lang].format(k=k, context=context)}],
                               self.sampling)
        out: list[Candidate] = []
        for i, phrase in enumerate(parse_lines(reply.text)):
            start = context.find(phrase)
            if start < 0:
                with self._lock:
                    self.dropped_not_in_context += 1
                continue
            if any(start < c.end and c.start < start + len(phrase) for c in out):
                continue
            out.append(Candidate(start, start + len(phrase), phrase, "LLM", 1.0 / (1 + i)))
            if len(out) == k:
                break
        return out

    def params(self) -> dict[str, Any]:
        return {"extractor": self.name, "model": getattr(self.chat, "model", "?"),
                "dropped_not_in_context": self.dropped_not_in_context}
