"""Statistics of a trace file, in the units of the paper's Table 1 (mean question / supporting-fact /
answer length in characters) plus actions and facts per trace and the action distribution."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from builders.webcpm.convert import read_traces
from builders.webcpm.prompts import CITATION

# WebCPM paper / abstract figures, for side-by-side display (see shared/docs/webcpm.md §1)
PAPER = {"traces": 5500, "question_chars": 29.0, "fact_chars": 555.7, "answer_chars": 257.5,
         "actions_per_trace": 22.1, "facts_per_trace": 2.60}


def trace_stats(path: str | Path) -> dict[str, Any]:
    records = read_traces(path)
    facts = [["".join(d.get("desc", "") for d in dig.get("datas", [])) for dig in r.get("digests", [])]
             for r in records]
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
        "actions": dict(Counter(a.get("action", "?") for r in records for a in r.get("actions", [])).most_common()),
    }
