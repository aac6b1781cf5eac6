"""Statistics of a QASnowball build folder: per round, what each stage produced and what the filter cut."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from core import read_json
from annotation.squad import QADataError
from annotation.squad_io import read_jsonl
from builders.qasnowball.quality import answer_class, copy_rate, jaccard, source_sentence, wh_fits
from engines.readers.text import normalize

__all__ = ["build_stats", "quality_stats"]


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


def quality_stats(recs: list[dict[str, Any]], *, dup_jaccard: float = 0.5, copy_cap: float = 0.9) -> dict[str, Any]:
    """Duplicate-span rate, wh/type agreement, copy rate and answer-class shares of generated records.

    A record is a duplicate span when an earlier record has the same context and normalised answer and a
    question with token Jaccard >= `dup_jaccard` (`same_span_repeats` counts repeats of the span whatever
    the question); wh/type agreement is `quality.wh_fits` (automatic)."""
    groups: dict[tuple[str, str], list[str]] = {}
    dups = fits = same = 0
    copies: list[float] = []
    classes: Counter[str] = Counter()
    for r in recs:
        lang, ctx, q = r["meta"]["lang"], r["context"], r["question"]
        text, start = r["answers"]["text"][0], r["answers"]["answer_start"][0]
        prev = groups.setdefault((ctx, normalize(text, lang)), [])
        dups += any(jaccard(q, p, lang) >= dup_jaccard for p in prev)
        same += bool(prev)
        prev.append(q)
        sent = source_sentence(ctx, start, lang)
        cls = answer_class(r["meta"].get("answer_type", "OTHER"), text, ctx, start, lang)
        classes[cls] += 1
        fits += wh_fits(q, sent, cls, lang, text)
        copies.append(copy_rate(q, sent, lang))
    n = len(recs) or 1
    return {"duplicate_span_rate": dups / n, "duplicate_spans": dups, "same_span_repeats": same,
            "wh_type_agreement": fits / n,
            "copy_rate": sum(copies) / n, f"copy_over_{copy_cap}": sum(c >= copy_cap for c in copies) / n,
            "answer_classes": dict(classes.most_common()),
            "top_class_share": (classes.most_common(1)[0][1] / n) if classes else 0.0}


def _round_stats(log: dict[str, Any], recs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of `bench stats qasnowball`: a round's log plus its generated records."""
    lang = recs[0]["meta"]["lang"] if recs else "en"
    qlen = [len(r["question"]) if lang == "zh" else len(r["question"].split()) for r in recs]
    alen = [len(r["answers"]["text"][0]) if lang == "zh" else len(r["answers"]["text"][0].split()) for r in recs]
    return {
        "round": log["round"], "seed_size": log["seed_size"], "s0_in_seed": log["s0_in_seed"],
        "s0_size": log["s0_size"], "docs": log["docs"], "candidates": log["candidates"],
        "questions": log["questions"], "kept": log["kept"], "rejected": log["filter"]["rejected"],
        "uncertain_type_signals": log["filter"].get("uncertain_type_signals", {}),
        "type_deferred": log["filter"].get("type_deferred", 0),             # absent in logs before the fix
        "type_admitted_at_end": log["filter"].get("type_admitted_at_end", 0),
        "answer_types": dict(Counter(r["meta"].get("answer_type", "?") for r in recs).most_common()),
        "mean_question_len": sum(qlen) / len(qlen) if qlen else 0.0,
        "mean_answer_len": sum(alen) / len(alen) if alen else 0.0,
        "len_unit": "chars" if lang == "zh" else "words", "time_s": log["time_s"]["total"],
        "quality": quality_stats(recs)}
