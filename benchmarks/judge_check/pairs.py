"""What people annotate, written from ultrachat-eval bundles: answer pairs (KIND ultrachat-pairwise) and the
model's dialogues (KIND ultrachat-ratings, whose coherence 1-10 is set against the judge's single rating).

Both use the question id as the record id, so imported human records join the judgments again by it.
A multi-turn question is shown in MT-Bench's `### User:` / `### Assistant:` layout.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from core import DataError
from benchmarks.judging.bundle import read_bundle
from benchmarks.judging.prompts import conversation_text


def answer_pairs(path: Path, limit: int = 0) -> list[dict[str, Any]]:
    """One pair per question judged pairwise in the bundle at `path` (the first `limit` when > 0)."""
    b = read_bundle(path)
    if not b.pairs or not b.meta.get("baseline"):
        raise DataError(f"{path}: no pairwise judgments (run ultrachat-eval with --baseline first)")
    model, base = str(b.meta["model"]["model"]), str(b.meta["baseline"]["model"])
    if model == base:
        raise DataError(f"{path}: model and baseline are both named {model!r}; people could not tell them apart "
                        f"in the records (name the runs apart)")
    out = []
    for q in b.questions:
        if q.id not in b.pairs:
            continue
        m, bl = b.answers["model"][q.id], b.answers["baseline"][q.id]
        single = len(q.turns) == 1
        out.append({"id": q.id, "model": model, "baseline": base,
                    "question": q.turns[0] if single else "\n\n".join(f"Turn {i + 1}: {t}" for i, t in enumerate(q.turns)),
                    "answer_model": m[0] if single else conversation_text(list(q.turns), m),
                    "answer_baseline": bl[0] if single else conversation_text(list(q.turns), bl)})
    return out[:limit] if limit else out


def dialogues(path: Path, limit: int = 0) -> list[dict[str, Any]]:
    """The bundle's model answers as canonical UltraChat dialogues `{id, messages}` (questions with a
    single judgment only)."""
    b = read_bundle(path)
    out = []
    for q in b.questions:
        if q.id in b.single:
            msgs = [m for t, a in zip(q.turns, b.answers["model"][q.id])
                    for m in ({"role": "user", "content": t}, {"role": "assistant", "content": a})]
            out.append({"id": q.id, "messages": msgs})
    return out[:limit] if limit else out
