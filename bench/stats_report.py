"""What `bench stats NAME PATH` shows: the builders' statistics as rich tables, next to the papers' figures.

Each function reads the user's path (one-line errors for a missing one), computes the statistics with the
builder's own module and returns the renderables in print order, so the CLI only parses options and prints.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from core import DataError, atomic_write_json, require_file


def fmt_num(v: Any) -> str:
    """1234 -> '1,234'; 0.25000 -> '0.25'; None -> '-'."""
    if v is None:
        return "-"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.4f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"


def versus_table(title: str, rows: Iterable[tuple[str, Any, Any]], columns: tuple[str, str, str]) -> Table:
    """A (statistic, this data, reference) table; numbers right-aligned; a missing reference is left blank."""
    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    for label, value, ref in rows:
        table.add_row(label, fmt_num(value), "" if ref is None else fmt_num(ref))
    return table


WEBCPM_LABELS = {"copy_baseline_char_rouge_l": "copy ROUGE-L (chars)", "query_is_question_rate": "query = question rate",
                 "traces_without_facts": "traces w/o facts"}


def webcpm_stats(file: Path) -> list[RenderableType]:
    """Lengths (chars, as the paper's Table 1), actions and facts per trace, browsing behaviour (searches, distinct
    queries, scrolls, step time), the copy-the-facts baseline on the synthesis targets, and the count of each action;
    next to the paper's figures and the 4 real traces recovered from the released test_output.json."""
    from benchmarks.metrics.rouge import rouge_l
    from builders.webcpm.traces import read_traces
    from builders.webcpm.errors import WebCPMError
    from builders.webcpm.stats import HUMAN, PAPER, synthesis_pairs, trace_stats

    path = require_file(file, "trace file", error=WebCPMError)
    stats = trace_stats(path)
    pairs = synthesis_pairs(read_traces(path))
    for protocol in ("standard", "paper"):       # the synthesis task's own scorer (jieba tokens)
        stats[f"copy ROUGE-L ({protocol})"] = (
            sum(rouge_l(facts, target, protocol=protocol) for facts, target in pairs) / len(pairs) if pairs else None)
    table = Table(title=f"WebCPM traces: {file}")
    for i, col in enumerate(("statistic", "this file", "WebCPM paper", "real traces (4, recovered)")):
        table.add_column(col, justify="left" if i == 0 else "right")
    for key, value in stats.items():
        if key not in ("actions", "answers"):
            table.add_row(WEBCPM_LABELS.get(key, key), fmt_num(value), fmt_num(PAPER[key]) if key in PAPER else "",
                          fmt_num(HUMAN[key]) if key in HUMAN else "")
    for name, count in stats["actions"].items():
        table.add_row(f"  {name}", fmt_num(count), "", "")
    kinds = stats["answers"]
    note = (f"answers: {kinds or 'none'}; " + ("synthesis targets are EXTRACTIVE (copies of the facts): the copy "
            "baseline above is what a model gets for copying, not synthesis quality"
            if any(not k.startswith("llm:") for k in kinds) else "synthesis targets written by a model"))
    return [table, note]


def qasnowball_stats(folder: Path) -> tuple[dict[str, Any], list[RenderableType]]:
    """Per round: |S|, S0 kept, stage counts, filter rejections by rule, lengths; then the quality of the
    kept pairs: duplicate-span rate, wh/type agreement, copy rate, answer-class distribution."""
    from builders.qasnowball.stats import build_stats

    st = build_stats(folder)
    table = Table(title=f"qasnowball · {folder}", title_justify="left")
    for col in ("round", "|S|", "S0 in S", "questions", "kept", "rejected by rule", "q / a len"):
        table.add_column(col)
    signals = Table(title="uncertain_type rejections by gate signal (builders/qasnowball/gate.py GATES)",
                    title_justify="left")
    for col in ("round", "rejected", "signals, most first"):
        signals.add_column(col)
    quality = Table(title="quality of the kept pairs (builders/qasnowball/quality.py)", title_justify="left")
    for col in ("round", "kept", "dup-span rate", "wh/type agreement", "copy rate (≥0.9)", "answer classes"):
        quality.add_column(col)
    for r in st["rounds"]:
        rejected = ", ".join(f"{k} {v}" for k, v in r["rejected"].items() if v)
        if r.get("type_deferred"):
            rejected += (f"; type cap: {r['type_deferred']} deferred, {r['type_admitted_at_end']} admitted at the "
                         "round's end")
        table.add_row(str(r["round"]), str(r["seed_size"]), f"{r['s0_in_seed']}/{r['s0_size']}", str(r["questions"]),
                      str(r["kept"]), rejected,
                      f"{r['mean_question_len']:.1f} / {r['mean_answer_len']:.1f} {r['len_unit']}")
        q = r["quality"]
        n = max(r["kept"], 1)
        classes = ", ".join(f"{k} {v / n:.0%}" for k, v in q["answer_classes"].items())
        quality.add_row(str(r["round"]), str(r["kept"]), f"{q['duplicate_span_rate']:.1%}",
                        f"{q['wh_type_agreement']:.1%}", f"{q['copy_rate']:.2f} ({q['copy_over_0.9']:.0%})", classes)
        sig = r.get("uncertain_type_signals") or {}
        if sig:
            signals.add_row(str(r["round"]), str(sum(sig.values())), ", ".join(f"{k} {v}" for k, v in sig.items()))
    return st, [table, quality] + ([signals] if signals.row_count else [])


ULTRACHAT_ROWS = (("dialogues", "dialogues"), ("mean turns (pairs)", "turns_mean"),
                  ("mean dialogue length", "dialogue_length_mean"), ("mean utterance length", "utterance_length_mean"),
                  ("  user utterances", "user_utterance_length_mean"),
                  ("  assistant utterances", "assistant_utterance_length_mean"), ("MTLD", "mtld"),
                  ("topic diversity (lower = more diverse)", "topic_diversity"), ("coherence (1-10)", "coherence"))


def ultrachat_stats(path: Path, options: Any, *, fmt: str = "auto", splits: list[str] | None = None,
                    json_out: Path | None = None, skip_invalid: bool = False) -> list[RenderableType]:
    """Dialogues, turns, lengths, MTLD, topic diversity, coherence (`options`: builders.ultrachat.stats.StatsOptions);
    also writes the statistics as JSON to `json_out` when given. Dialogues the validator rejects are refused,
    or with `skip_invalid` left out, counted in the output and in the JSON (`skipped_invalid`)."""
    from builders.ultrachat.formats import read_dialogue_set
    from builders.ultrachat.stats import build_quality, compute_stats

    dialogues, rejected = read_dialogue_set(path, fmt=fmt, splits=splits or None, skip_invalid=skip_invalid,
                                            hint="run `bench validate ultrachat` for every issue, or pass "
                                                 "--skip-invalid to describe the others")
    try:
        stats = compute_stats(dialogues, options)
    except ValueError as exc:      # e.g. no dialogues to describe
        raise DataError(f"{path}: {exc}") from None
    paper = stats["paper_ultrachat"]
    out: list[RenderableType] = [
        versus_table(f"ultrachat stats: {path}", ((label, stats.get(k), paper.get(k)) for label, k in ULTRACHAT_ROWS),
                     ("statistic", "value", "paper (UltraChat)")),
        f"tokenizer: {stats['tokenizer']}; embedding model: {stats['embedding_model'] or '-'}; "
        f"sample {stats['sample_size']} (seed {stats['seed']}); by sector: {stats['by_sector']}"]
    if stats.get("coherence_judge"):
        out.append(f"coherence judge: {stats['coherence_judge']} ({stats['coherence_judged']} judged, "
                   f"{stats['coherence_unparsed']} unparsed)")
    if rejected:
        stats["skipped_invalid"] = len(rejected)
        out.insert(1, f"[yellow]skipped {len(rejected)} invalid dialogue(s)[/] of {len(rejected) + len(dialogues)} "
                      f"(first: {escape(str(rejected[0]))})")
    quality = build_quality(path)
    if quality is not None:
        stats["build_quality"] = quality
        out.append(ultrachat_quality_table(path, quality))
    if json_out:
        atomic_write_json(json_out, stats)
        out.append(f"json: {json_out}")
    return out


def ultrachat_quality_table(path: Path, quality: dict[str, Any]) -> Table:
    """Per stage: input, kept, removed by rule (placeholder and role_confusion included); then the user
    simulator's re-asks by reason against the simulated user turns it kept."""
    table = Table(title=f"ultrachat filters and re-asks: {path}", title_justify="left")
    for col in ("stage", "input", "kept", "removed by rule"):
        table.add_column(col, justify="left" if col in ("stage", "removed by rule") else "right")
    for stage, st in quality["stages"].items():
        removed = ", ".join(f"{k} {v}" for k, v in sorted(st["removed"].items())) or "-"
        table.add_row(stage, fmt_num(st["input"]), fmt_num(st["kept"]), removed)
    reasks = ", ".join(f"{k} {v}" for k, v in quality["user_reasks"].items()) or "-"
    table.add_row("user simulator re-asks", "", fmt_num(quality["simulated_user_turns_kept"]), reasks)
    return table
