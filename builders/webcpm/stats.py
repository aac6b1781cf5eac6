"""Statistics of a trace file, in the units of the paper's Table 1 (mean question / supporting-fact /
answer length in characters) plus actions and facts per trace, the action distribution, and how
human-like the browsing is: searches per trace, distinct query rate, scrolls in each direction,
step time, and how well copying the facts already scores on the synthesis targets.
"""
from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from annotation.webcpm import actions as A
from builders.webcpm.answer import char_rouge_l
from builders.webcpm.traces import read_traces
from builders.webcpm.prompts import CITATION, record_facts

# WebCPM paper / abstract figures, for side-by-side display (see shared/docs/webcpm.md §1)
PAPER = {"traces": 5500, "question_chars": 29.0, "fact_chars": 555.7, "answer_chars": 257.5,
         "actions_per_trace": 22.1, "facts_per_trace": 2.60}

# the 4 real human traces rebuilt from the released test_output.json (`bench build webcpm-recover`;
# checked by tests/builders/webcpm/test_webcpm_quality.py); their timestamps were not released
HUMAN = {"traces": 4, "actions_per_trace": 40.75, "facts_per_trace": 6.0, "searches_per_trace": 1.0,
         "distinct_query_rate": 1.0, "query_is_question_rate": 0.75, "scroll_down_per_trace": 16.5,
         "scroll_up_per_trace": 2.0}


def synthesis_pairs(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(facts joined, answer without citations) per record that yields a synthesis instance."""
    out = []
    for r in records:
        facts = record_facts(r)
        answer = CITATION.sub("", r["answer"]) if isinstance(r.get("answer"), str) else ""
        if facts and answer:
            out.append(("".join(facts), answer))
    return out


def copy_baseline(records: list[dict[str, Any]]) -> float | None:
    """Mean character ROUGE-L F of "copy the facts" against the synthesis targets (None: no targets).
    Near 1 means the targets are extracts of the facts, not syntheses."""
    pairs = synthesis_pairs(records)
    return sum(char_rouge_l(p, t) for p, t in pairs) / len(pairs) if pairs else None


def answer_kinds(records: list[dict[str, Any]]) -> dict[str, int]:
    """How the answers were written (`meta.answer`: extractive | llm:MODEL; `unspecified` when absent)."""
    return dict(Counter(str((r.get("meta") or {}).get("answer", "unspecified")) for r in records
                        if r.get("answer") and r.get("digests")))


def behaviour_stats(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Searches, query reformulation, scrolling and timing, averaged over traces."""
    n = len(records) or 1
    searches = distinct = verbatim = up = down = 0
    steps: list[int] = []
    for r in records:
        acts = [a for a in r.get("actions", []) if isinstance(a, dict)]
        queries = [str((a.get("details") or {}).get("keyword", "")).strip() for a in acts if a.get("action") == A.SEARCH]
        searches += len(queries)
        distinct += len(set(queries))
        verbatim += sum(qq == str(r.get("question", "")).strip() for qq in queries)
        up += sum(a.get("action") in (A.UP, A.TOP) for a in acts)
        down += sum(a.get("action") == A.DOWN for a in acts)
        times = [a.get("triggerAt") for a in acts if isinstance(a.get("triggerAt"), int)]
        steps += [b - a for a, b in zip(times, times[1:])]
    return {
        "searches_per_trace": searches / n,
        "distinct_query_rate": distinct / searches if searches else None,
        "query_is_question_rate": verbatim / searches if searches else None,
        "scroll_down_per_trace": down / n,
        "scroll_up_per_trace": up / n,
        "mean_step_ms": statistics.fmean(steps) if steps else None,
        "step_ms_stdev": statistics.pstdev(steps) if steps else None,
    }


def trace_stats(path: str | Path) -> dict[str, Any]:
    records = read_traces(path)
    facts = [record_facts(r) for r in records]
    n = len(records) or 1
    all_facts = [f for fs in facts for f in fs]
    answers = [CITATION.sub("", r.get("answer", "")) for r in records]
    return {
        "traces": len(records),
        "question_chars": sum(len(r.get("question", "")) for r in records) / n,
        "fact_chars": sum(map(len, all_facts)) / len(all_facts) if all_facts else 0.0,
        "answer_chars": sum(map(len, answers)) / n,
        "actions_per_trace": sum(len(r.get("actions", [])) for r in records) / n,
        "facts_per_trace": len(all_facts) / n,
        "traces_without_facts": sum(not fs for fs in facts),
        **behaviour_stats(records),
        "copy_baseline_char_rouge_l": copy_baseline(records),
        "answers": answer_kinds(records),
        "actions": dict(Counter(a.get("action", "?") for r in records for a in r.get("actions", [])).most_common()),
    }
