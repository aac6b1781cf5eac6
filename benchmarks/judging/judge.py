"""Judge requests: single-answer 1-10 grading and pairwise A-vs-B in both orders, through the request cache.

A judgment's cache key is the judge (kind + model), its sampling, the prompt file's sha256 and the exact
rendered messages, so a re-run (or a second model sharing the cache folder) never asks the judge the
same thing twice. Each judgment keeps the sha256 of its rendered messages, which lets `bench verify`
re-render the prompt from the stored answers and prove the judge saw those answers.
"""
from __future__ import annotations

from typing import Any, Callable

from core import sha256_json
from engines.llm import ChatBackend, Sampling
from benchmarks.judging.answers import model_id
from engines.llm.cache import JsonlCache, cache_key
from benchmarks.judging.calls import GrammarSampling, Request, run_requests
from benchmarks.judging.prompts import DEFAULT_PROMPTS, JudgePrompt, conversation_text, load_prompt
from benchmarks.judging.questions import Question

ORDERS = ("AB", "BA")          # AB: the model is assistant A; BA: the model is assistant B


def single_prompt(q: Question, prompts: dict[str, str] = DEFAULT_PROMPTS) -> JudgePrompt:
    return load_prompt(prompts["single"] if len(q.turns) == 1 else prompts["single-multi"])


def pair_prompt(q: Question, prompts: dict[str, str] = DEFAULT_PROMPTS) -> JudgePrompt:
    return load_prompt(prompts["pair"] if len(q.turns) == 1 else prompts["pair-multi"])


def render_single(q: Question, answers: list[str], prompt: JudgePrompt) -> list[dict[str, str]]:
    if len(q.turns) == 1:
        return prompt.render(question=q.turns[0], answer=answers[0])
    return prompt.render(conversation=conversation_text(list(q.turns), answers))


def render_pair(q: Question, first: list[str], second: list[str], prompt: JudgePrompt) -> list[dict[str, str]]:
    if len(q.turns) == 1:
        return prompt.render(question=q.turns[0], answer_a=first[0], answer_b=second[0])
    return prompt.render(conversation_a=conversation_text(list(q.turns), first),
                         conversation_b=conversation_text(list(q.turns), second))


def request_sha(messages: list[dict[str, str]]) -> str:
    return sha256_json({"messages": messages})


def _request(judge: ChatBackend, messages: list[dict[str, str]], prompt: JudgePrompt, sampling: Sampling,
             grammar: bool, meta: dict[str, Any]) -> Request:
    s = GrammarSampling(**sampling.__dict__, grammar=prompt.grammar) if grammar and prompt.grammar else sampling
    key = cache_key({"kind": "judgment", "judge": model_id(judge), "sampling": s.to_dict(),
                     "prompt_sha256": prompt.sha256, "messages": messages})
    return Request(key, messages, s, {"kind": "judgment", "judge": model_id(judge), "prompt": prompt.name, **meta})


def judge_single(judge: ChatBackend, questions: list[Question], answers: dict[str, list[str]], sampling: Sampling,
                 cache: JsonlCache, *, grammar: bool = False, batch_size: int = 64,
                 on_done: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """One bundle record per question: prompt name, rendered-request sha, the judge's text."""
    reqs, rows = [], []
    for q in questions:
        prompt = single_prompt(q)
        messages = render_single(q, answers[q.id], prompt)
        reqs.append(_request(judge, messages, prompt, sampling, grammar, {"question_id": q.id}))
        rows.append({"type": "single", "question_id": q.id, "prompt": prompt.name,
                     "request_sha256": request_sha(messages)})
    done = run_requests(judge, reqs, cache, batch_size=batch_size, on_done=on_done)
    for row, req in zip(rows, reqs):
        row["judgment"] = str(done[req.key].get("text", ""))
    return rows


def judge_pairs(judge: ChatBackend, questions: list[Question], model: dict[str, list[str]],
                baseline: dict[str, list[str]], sampling: Sampling, cache: JsonlCache, *, grammar: bool = False,
                batch_size: int = 64, on_done: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Two bundle records per question (orders AB and BA)."""
    reqs, rows = [], []
    for q in questions:
        prompt = pair_prompt(q)
        for order in ORDERS:
            first, second = (model[q.id], baseline[q.id]) if order == "AB" else (baseline[q.id], model[q.id])
            messages = render_pair(q, first, second, prompt)
            reqs.append(_request(judge, messages, prompt, sampling, grammar, {"question_id": q.id, "order": order}))
            rows.append({"type": "pair", "question_id": q.id, "order": order, "prompt": prompt.name,
                         "request_sha256": request_sha(messages)})
    done = run_requests(judge, reqs, cache, batch_size=batch_size, on_done=on_done)
    for row, req in zip(rows, reqs):
        row["judgment"] = str(done[req.key].get("text", ""))
    return rows
