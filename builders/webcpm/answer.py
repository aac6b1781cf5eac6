"""The answer step: a long-form answer citing the collected facts as 【i】 (1-based).

`extractive_answer` needs no model (one cleaned sentence run per fact, each cited);
`llm_answer` asks a chat backend with the synthesis prompt and then cites by sentence-level
LCS recall against the facts (> 0.45, the pipeline's rule).
"""
from __future__ import annotations

import re
from typing import Any

from builders.webcpm.web import split_sentences

_END = re.compile(r"(?<=[。！？!?])")


def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if ca == cb else max(prev[j], cur[-1]))
        prev = cur
    return prev[-1]


def add_citations(answer: str, facts: list[str], threshold: float = 0.45) -> str:
    """Append 【i】 to each answer sentence whose LCS recall against fact i exceeds `threshold`."""
    out = []
    for sentence in (s for s in _END.split(answer) if s):
        best, best_r = 0, threshold
        for i, fact in enumerate(facts, 1):
            r = _lcs(sentence, fact) / max(1, len(sentence))
            if r > best_r:
                best, best_r = i, r
        out.append(sentence + (f"【{best}】" if best else ""))
    return "".join(out)


def extractive_answer(question: str, facts: list[str], max_chars_per_fact: int = 160) -> str:
    """One cited passage per fact: its leading sentences up to `max_chars_per_fact`."""
    parts = []
    for i, fact in enumerate(facts, 1):
        text = ""
        for sentence in split_sentences(fact.replace("\n", "")):
            if text and len(text) + len(sentence) > max_chars_per_fact:
                break
            text += sentence
        text = text[:max_chars_per_fact].rstrip("，,；;：:")
        if text:
            if text[-1] not in "。！？!?":
                text += "。"
            parts.append(text + f"【{i}】")
    return "".join(parts) if parts else "未找到相关信息。"


def llm_answer(backend: Any, question: str, facts: list[str], sampling: Any = None) -> str:
    """Synthesis through a `builders.llm.base.ChatBackend`, then citations."""
    from builders.webcpm.prompts import synthesis_instance  # noqa: PLC0415

    rec = {"_id": "", "question": question, "answer": "",
           "digests": [{"datas": [{"desc": f}]} for f in facts], "actions": []}
    prompt = synthesis_instance(rec).source
    reply = backend.chat([{"role": "user", "content": prompt}], sampling).text.strip()
    return add_citations(reply, facts)
