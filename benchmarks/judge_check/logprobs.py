"""Verdicts from token log-probabilities: what a small local judge knows even when its sampled verdict is
always a tie or always "A" (issue 24, item 4).

Each pairwise request of a bundle is asked again, in both orders, with the prompt's verdict grammar and
`logprobs` + `top_logprobs` (OpenAI-compatible servers; llama.cpp's reports them from the model's raw
logits, before the grammar). At the verdict token (the first letter after `[[`), the log-probabilities of
"A" and "B" are kept; a letter missing from the top-k gets the smallest listed log-probability (an upper
bound). Requests go through the judge cache like every judge call, keyed apart by `top_logprobs`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from core import DataError
from engines.llm import ChatBackend
from engines.llm.cache import JsonlCache, cache_key
from benchmarks.judging.answers import model_id
from benchmarks.judging.bundle import read_bundle
from benchmarks.judging.calls import GrammarSampling, Request, run_requests
from benchmarks.judging.judge import ORDERS, pair_prompt, render_pair

_AT_LETTER = re.compile(r"\[\[\s*[ABC]$")


@dataclass
class LogprobSampling(GrammarSampling):
    """Grammar sampling plus the OpenAI `logprobs` / `top_logprobs` request fields."""

    logprobs: bool = True
    top_logprobs: int = 20


def verdict_logprobs(content: Sequence[dict[str, Any]]) -> dict[str, float] | None:
    """{"A": logp, "B": logp} at the first letter after `[[` in a chat `logprobs.content` list (None: no such token)."""
    text = ""
    for tok in content:
        piece = str(tok.get("token", ""))
        letter = piece.strip().lstrip("[").strip()
        if letter in ("A", "B", "C") and _AT_LETTER.search((text + piece).rstrip()):
            tops = {}
            for alt in tok.get("top_logprobs") or []:
                name = str(alt.get("token", "")).strip().lstrip("[").strip()
                lp = float(alt.get("logprob"))
                if name in ("A", "B", "C"):
                    tops[name] = max(lp, tops.get(name, float("-inf")))
            floor = min((float(a.get("logprob")) for a in tok.get("top_logprobs") or []), default=float(tok["logprob"]))
            tops.setdefault(letter, float(tok["logprob"]))
            return {x: tops.get(x, floor) for x in ("A", "B")}
        text += piece
    return None


def collect(bundles: Sequence[Path], judge: ChatBackend, cache: JsonlCache, *, top_logprobs: int = 20,
            max_tokens: int = 12) -> dict[tuple[str, str, str, str], dict[str, float]]:
    """(question_id, model, baseline, order) -> {"A", "B"} log-probabilities for every pair of `bundles`."""
    reqs, keys = [], []
    for path in bundles:
        b = read_bundle(Path(path))
        if not b.pairs:
            continue
        model, base = str(b.meta["model"]["model"]), str(b.meta["baseline"]["model"])
        wrote = (b.meta.get("judge") or {}).get("model")
        if wrote != judge.model:
            raise DataError(f"{path}: judged by {wrote!r}, but the log-probabilities would come from {judge.model!r} "
                            f"(give --judge-model {wrote})")
        for q in b.questions:
            if q.id not in b.pairs:
                continue
            prompt = pair_prompt(q)
            if not prompt.grammar:
                raise DataError(f"judge prompt {prompt.name} has no grammar: the verdict token cannot be located")
            sampling = LogprobSampling(temperature=0.0, max_tokens=max_tokens, seed=0, grammar=prompt.grammar,
                                       top_logprobs=top_logprobs)
            for order in ORDERS:
                first, second = ((b.answers["model"][q.id], b.answers["baseline"][q.id]) if order == "AB"
                                 else (b.answers["baseline"][q.id], b.answers["model"][q.id]))
                messages = render_pair(q, first, second, prompt)
                key = cache_key({"kind": "judgment-logprobs", "judge": model_id(judge), "sampling": sampling.to_dict(),
                                 "prompt_sha256": prompt.sha256, "messages": messages})
                reqs.append(Request(key, messages, sampling, {"kind": "judgment-logprobs", "question_id": q.id,
                                                              "order": order}))
                keys.append((q.id, model, base, order))
    done = run_requests(judge, reqs, cache)
    out = {}
    for k, req in zip(keys, reqs):
        lp = verdict_logprobs(((done[req.key].get("logprobs") or {}).get("content")) or [])
        if lp is None:
            raise DataError(f"question {k[0]} order {k[3]}: the judge's reply {done[req.key].get('text')!r} has no "
                            f"verdict token with log-probabilities (does the server return logprobs?)")
        out[k] = lp
    return out
