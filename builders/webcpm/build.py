"""Build trace records for many questions: policy + browser + answer step, checkpointed.

Records stream to `<out>.part` one JSON line at a time (flushed); a rerun with `resume`
skips ids already there and drops a torn last line; the finished file is renamed into place,
so `<out>` is never half-written.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable

from builders.webcpm.answer import extractive_answer
from builders.webcpm.browser import Browser
from builders.webcpm.web import LocalWeb

AnswerFn = Callable[[str, list[str]], str]


def _done_ids(part: Path) -> set[str]:
    if not part.exists():
        return set()
    good: list[str] = []
    ids: set[str] = set()
    for line in part.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            break                                   # a torn last line from a crash
        good.append(line)
        ids.add(rec["_id"])
    part.write_text("".join(g + "\n" for g in good), encoding="utf-8")
    return ids


def build_traces(questions: Iterable[dict[str, Any]], web: LocalWeb, policy: Any, out: str | Path, *,
                 seed: int = 0, resume: bool = True, answer: AnswerFn | None = None,
                 meta: dict[str, Any] | None = None, show_progress: bool = True) -> dict[str, Any]:
    """Run `policy` on every question; write one WebCPM record per line to `out` (JSONL)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    if not resume and part.exists():
        part.unlink()
    done = _done_ids(part) if resume else set()
    questions = list(questions)
    answer = answer or extractive_answer
    base_meta = {"web": web.fingerprint(), "retriever": {"name": getattr(web.retriever, "name", ""),
                                                         **web.retriever.params()}, "seed": seed, **(meta or {})}
    written = skipped = 0
    from rich.progress import Progress  # noqa: PLC0415

    with open(part, "a", encoding="utf-8") as f, Progress(disable=not show_progress, transient=True) as bar:
        task = bar.add_task(f"webcpm traces ({getattr(policy, 'name', 'policy')})", total=len(questions))
        for q in questions:
            rid = str(q.get("id"))
            if rid in done:
                skipped += 1
                bar.advance(task)
                continue
            browser = Browser(web, q["question"], record_id=rid, seed=seed)
            notes = policy.run(browser, q)
            record = browser.record(answer(q["question"], browser.facts()), meta={**base_meta, **notes})
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            written += 1
            bar.advance(task)
    os.replace(part, out)
    return {"written": written, "skipped": skipped, "out": str(out)}
