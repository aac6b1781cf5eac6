"""Statistics of a QASnowball build folder: per round, what each stage produced and what the filter cut."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from annotation.squad import QADataError
from builders.common.squad_io import read_jsonl

__all__ = ["build_stats"]


def build_stats(folder: str | Path) -> dict[str, Any]:
    folder = Path(folder)
    logs = sorted(folder.glob("round_*/log.json"), key=lambda p: int(p.parent.name.split("_")[1]))
    if not logs:
        raise QADataError(f"{folder}: no round_N/log.json here (not a `bench build qasnowball` output folder)")
    rounds = []
    for path in logs:
        log = json.loads(path.read_text(encoding="utf-8"))
        recs = read_jsonl(path.parent / "generated.jsonl")
        lang = recs[0]["meta"]["lang"] if recs else "en"
        qlen = [len(r["question"]) if lang == "zh" else len(r["question"].split()) for r in recs]
        alen = [len(r["answers"]["text"][0]) if lang == "zh" else len(r["answers"]["text"][0].split()) for r in recs]
        rounds.append({
            "round": log["round"], "seed_size": log["seed_size"], "s0_in_seed": log["s0_in_seed"],
            "s0_size": log["s0_size"], "docs": log["docs"], "candidates": log["candidates"],
            "questions": log["questions"], "kept": log["kept"], "rejected": log["filter"]["rejected"],
            "answer_types": dict(Counter(r["meta"].get("answer_type", "?") for r in recs).most_common()),
            "mean_question_len": sum(qlen) / len(qlen) if qlen else 0.0,
            "mean_answer_len": sum(alen) / len(alen) if alen else 0.0,
            "len_unit": "chars" if lang == "zh" else "words", "time_s": log["time_s"]["total"]})
    return {"folder": str(folder), "rounds": rounds, "records": sum(r["kept"] for r in rounds)}
