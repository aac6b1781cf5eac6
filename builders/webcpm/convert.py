"""Traces -> the four module datasets (action, query, fact, synthesis).

Prompt/target JSONL per task and split plus an HF-loadable folder (parquet + card), split by
record id with a fixed seed (the original split script shuffled without one), so every
instance of a trace lands in the same split and a rebuild gives the same files.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa

from builders.common.hf_folder import write_hf_folder
from core import atomic_folder
from builders.webcpm.errors import WebCPMError
from builders.webcpm.traces import check_traces, load_traces
from builders.webcpm.stats import answer_kinds, copy_baseline
from builders.webcpm.prompts import Tokenizer, search_instances, synthesis_instance

TASKS = ("action", "query", "fact", "synthesis")
FACT_MODES = ("full", "start-end")
SPLITS = ("train", "dev", "test")
ORIGINAL_RATIOS = (4700, 400, 400)       # data/interactive_data/split.py
ROW_SCHEMA = pa.schema([("id", pa.string()), ("record_id", pa.string()), ("index", pa.int64()),
                        ("task", pa.string()), ("source", pa.string()), ("target", pa.string())])


def split_ids(ids: Iterable[str], *, seed: int = 0,
              ratios: tuple[float, float, float] = ORIGINAL_RATIOS) -> dict[str, list[str]]:
    """Shuffle sorted ids with `seed`, cut by `ratios`; dev and test get >= 1 id when there are >= 3."""
    ordered = sorted(set(ids))
    random.Random(seed).shuffle(ordered)
    n, total = len(ordered), float(sum(ratios))
    n_dev = round(n * ratios[1] / total)
    n_test = round(n * ratios[2] / total)
    if n >= 3:
        n_dev, n_test = max(1, n_dev), max(1, n_test)
    n_train = n - n_dev - n_test
    return {"train": sorted(ordered[:n_train]), "dev": sorted(ordered[n_train:n_train + n_dev]),
            "test": sorted(ordered[n_train + n_dev:])}


def module_rows(records: list[dict[str, Any]], tok: Tokenizer | None = None,
                fact_mode: str = "full") -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TASKS}
    for rec in records:
        for inst in search_instances(rec, tok, fact_mode):
            rows[inst.task].append(inst.row())
        if rec.get("answer") and rec.get("digests"):
            rows["synthesis"].append(synthesis_instance(rec).row())
    return rows


def convert(traces: str | Path | list[dict[str, Any]], out_dir: str | Path, *, seed: int = 0,
            ratios: tuple[float, float, float] = ORIGINAL_RATIOS, tok: Tokenizer | None = None,
            fact_mode: str = "full", skip_invalid: bool = False) -> dict[str, Any]:
    """Write `out_dir/{splits.json, synthesis_meta.json, <task>/<split>.jsonl, hf/}`; returns instance counts.

    The traces go through the WebCPM validator first (what `bench validate webcpm` checks): one it rejects
    is an error naming file, line, record and field, or with `skip_invalid` it is left out and counted
    (`skipped_invalid`, `first_invalid`). Nothing is written when no trace or no instance is left."""
    if fact_mode not in FACT_MODES:
        raise WebCPMError(f"--fact-mode {fact_mode!r}: expected one of {', '.join(FACT_MODES)}")
    hint = "fix them, or pass --skip-invalid to convert the others"
    if isinstance(traces, (str, Path)):
        records, rejected = load_traces(traces, skip_invalid=skip_invalid, hint=hint)
    else:
        if not traces:
            raise WebCPMError(f"{traces}: no trace records")
        records, rejected = check_traces([(None, r) for r in traces], "<records>", skip_invalid=skip_invalid, hint=hint)
    source = traces if isinstance(traces, (str, Path)) else "<records>"
    if not records:
        raise WebCPMError(f"{source}: all {len(rejected)} traces fail the WebCPM validator (first: {rejected[0]}); "
                          "nothing to convert")
    splits = split_ids((str(r["_id"]) for r in records), seed=seed, ratios=ratios)
    where = {rid: s for s, ids in splits.items() for rid in ids}
    rows = module_rows(records, tok, fact_mode)
    if not any(rows.values()):
        raise WebCPMError(f"{source}: {len(records)} valid traces give no action, query, fact or synthesis "
                          "instance; nothing to convert")
    by_split = {t: {s: [r for r in rows[t] if where[r["record_id"]] == s] for s in SPLITS} for t in TASKS}
    out_dir = Path(out_dir)
    synthesis = synthesis_meta(records)
    with atomic_folder(out_dir) as tmp:
        (tmp / "splits.json").write_text(json.dumps({"seed": seed, "ratios": list(ratios), **splits},
                                                    ensure_ascii=False, indent=1), encoding="utf-8")
        (tmp / "synthesis_meta.json").write_text(json.dumps(synthesis, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
        for t in TASKS:
            (tmp / t).mkdir()
            for s in SPLITS:
                with open(tmp / t / f"{s}.jsonl", "w", encoding="utf-8") as f:
                    for r in by_split[t][s]:
                        f.write(json.dumps(r, ensure_ascii=False) + "\n")
        write_hf_folder(tmp / "hf", {t: {s: by_split[t][s] for s in SPLITS} for t in TASKS},
                        schemas={t: ROW_SCHEMA for t in TASKS}, default_config="action",
                        card_yaml=f"language:\n- zh\nlicense: apache-2.0\nsynthesis_targets: {synthesis['targets']}",
                        card_body=_card(by_split, seed, ratios, synthesis))
    return {"records": len(records), "splits": {s: len(v) for s, v in splits.items()}, "synthesis": synthesis,
            "instances": {t: {s: len(by_split[t][s]) for s in SPLITS} for t in TASKS}, "out": str(out_dir),
            "skipped_invalid": len(rejected), "first_invalid": str(rejected[0]) if rejected else None}


def synthesis_meta(records: list[dict[str, Any]]) -> dict[str, Any]:
    """How the synthesis targets were written and how far copying the facts gets on them.

    `targets`: `extractive` when every answer was made by the extractive step (sentences of the facts),
    `abstractive` when every answer came from a model, `mixed` otherwise, `none` without answers;
    records without `meta.answer` (e.g. recovered traces) count as extractive, the conservative side."""
    kinds = answer_kinds(records)
    llm = sum(v for k, v in kinds.items() if k.startswith("llm:"))
    total = sum(kinds.values())
    targets = "none" if not total else "abstractive" if llm == total else "extractive" if not llm else "mixed"
    baseline = copy_baseline(records)
    return {"targets": targets, "answer_kinds": kinds,
            "copy_baseline_char_rouge_l": None if baseline is None else round(baseline, 4)}


def _card(by_split: dict[str, dict[str, list[Any]]], seed: int, ratios: tuple[float, float, float],
          synthesis: dict[str, Any]) -> str:
    lines = ["# WebCPM module datasets", "",
             "Built from WebCPM-format search traces by `bench build webcpm-tasks`: action prediction, "
             "query generation, supporting-fact extraction and synthesis, with the original prompt templates "
             f"(`<` escaped as `<<`). Splits are by trace id, seed {seed}, ratios {list(ratios)}.", "",
             "| task | train | dev | test |", "|---|---|---|---|"]
    lines += [f"| {t} | " + " | ".join(str(len(by_split[t][s])) for s in SPLITS) + " |" for t in TASKS]
    if synthesis["targets"] in ("extractive", "mixed"):
        lines += ["", f"**Synthesis targets are {synthesis['targets']}** ({synthesis['answer_kinds']}): extractive "
                  "answers are sentences copied from the facts, so copying the facts already scores character "
                  f"ROUGE-L {synthesis['copy_baseline_char_rouge_l']} against them (`synthesis_meta.json`). "
                  "Do not report synthesis ROUGE-L on them as synthesis quality; build the traces with an LLM "
                  "answer backend for abstractive targets."]
    return "\n".join(lines)
