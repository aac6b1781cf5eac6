"""Every task, by name: one line each, pointing at the module-level Task object.

Imported lazily so listing tasks does not import every backend.
"""
from __future__ import annotations


from benchmarks.tasks.base import Task, TaskError
from core.registry import resolve

TASKS: dict[str, str] = {
    # --- retrieval on classic collections (issue: foundation) ---
    "cranfield": "benchmarks.tasks.cranfield:TASK",
    "vaswani": "benchmarks.tasks.vaswani:TASK",
    "lecard": "benchmarks.tasks.lecard:TASK",

    # --- MUSER (issue: MUSER) ---
    "muser": "benchmarks.tasks.muser:TASK",
    "lecard-paper": "benchmarks.tasks.lecard_paper:TASK",

    # --- QA (issue: QASnowball) ---
    "cmrc2018-dev": "benchmarks.tasks.cmrc2018:TASK",
    "xquad-en": "benchmarks.tasks.xquad:TASK_EN",
    "xquad-zh": "benchmarks.tasks.xquad:TASK_ZH",

    # --- WebCPM (issue: WebCPM) ---
    "webcpm-action": "benchmarks.tasks.webcpm_action:TASK",
    "webcpm-query": "benchmarks.tasks.webcpm_generation:QUERY",
    "webcpm-fact": "benchmarks.tasks.webcpm_generation:FACT",
    "webcpm-synthesis": "benchmarks.tasks.webcpm_generation:SYNTHESIS",

    # --- LLM-judged chat (issue 13) ---
    "ultrachat-eval": "benchmarks.tasks.ultrachat_eval:TASK",
    "judge-check": "benchmarks.tasks.judge_check:TASK",       # issue 24

    # --- others ---
}


def available() -> list[str]:
    return sorted(TASKS)


def get_task(name: str) -> Task:
    try:
        target = TASKS[name]
    except KeyError:
        raise TaskError(f"unknown task {name!r}; known: {', '.join(available())}") from None
    return resolve(target)
