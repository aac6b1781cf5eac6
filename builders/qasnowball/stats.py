"""Statistics of a QASnowball build folder: per round, what each stage produced and what the filter cut."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from annotation.floor import read_json
from annotation.squad import QADataError
from builders.common.squad_io import read_jsonl

__all__ = ["build_stats"]


def build_stats(folder: str | Path) -> dict[str, Any]:
    folder = Path(folder)
    if not folder.is_dir():
        raise QADataError(f"{folder}: " + ("not a folder (give a `bench build qasnowball` output folder)"
                                           if folder.exists() else "build folder not found"))
    logs = sorted(folder.glob("round_*/log.json"), key=lambda p: int(p.parent.name.split("_")[1]))
    if not logs:
        raise QADataError(f"{folder}: no round_N/log.json here (not a `bench build qasnowball` output folder)")
    rounds = []
    for path in logs:
        log = read_json(path, what="round log", error=QADataError)
        recs = read_jsonl(path.parent / "generated.jsonl")
        try:
            rounds.append(_round_stats(log, recs))
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            raise QADataError(f"{path}: not a QASnowball round log, or {path.parent / 'generated.jsonl'} "
                              f"has a record without question/answers/meta ({type(exc).__name__}: {exc})") from None
    return {"folder": str(folder), "rounds": rounds, "records": sum(r["kept"] for r in rounds)}


def _round_stats(log: dict[str, Any], recs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of `bench stats qasnowball`: a round's log plus its generated records."""
    lang = recs[0]["meta"]["lang"] if recs else "en"
    qlen = [len(r["question"]) if lang == "zh" else len(r["question"].split()) for r in recs]
    alen = [len(r["answers"]["text"][0]) if lang == "zh" else len(r["answers"]["text"][0].split()) for r in recs]
    return {
        "round": log["round"], "seed_size": log["seed_size"], "s0_in_seed": log["s0_in_seed"],
        "s0_size": log["s0_size"], "docs": log["docs"], "candidates": log["candidates"],
        "questions": log["questions"], "kept": log["kept"], "rejected": log["filter"]["rejected"],
        "answer_types": dict(Counter(r["meta"].get("answer_type", "?") for r in recs).most_common()),
        "mean_question_len": sum(qlen) / len(qlen) if qlen else 0.0,
        "mean_answer_len": sum(alen) / len(alen) if alen else 0.0,
        "len_unit": "chars" if lang == "zh" else "words", "time_s": log["time_s"]["total"]}
