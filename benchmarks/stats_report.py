"""What `bench stats NAME PATH` shows: the builders' statistics as rich tables, next to the papers' figures.

Each function reads the user's path (one-line errors for a missing one), computes the statistics with the
builder's own module and returns the renderables in print order, so the CLI only parses options and prints.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from rich.console import RenderableType
from rich.table import Table

from annotation.floor import DataError, atomic_write_json, require_file


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


def webcpm_stats(file: Path) -> list[RenderableType]:
    """Lengths (chars, as the paper's Table 1), actions and facts per trace, and the count of each action."""
    from builders.webcpm.errors import WebCPMError  # noqa: PLC0415
    from builders.webcpm.stats import PAPER, trace_stats  # noqa: PLC0415

    stats = trace_stats(require_file(file, "trace file", error=WebCPMError))
    rows = [(k, v, PAPER.get(k)) for k, v in stats.items() if k != "actions"]
    rows += [(f"  {name}", count, None) for name, count in stats["actions"].items()]
    return [versus_table(f"WebCPM traces: {file}", rows, ("statistic", "this file", "WebCPM paper"))]


def qasnowball_stats(folder: Path) -> tuple[dict[str, Any], list[RenderableType]]:
    """Per round: |S|, S0 kept, stage counts, filter rejections by rule, lengths; then the quality of the
    kept pairs: duplicate-span rate, wh/type agreement, copy rate, answer-class distribution."""
    from builders.qasnowball.stats import build_stats  # noqa: PLC0415

    st = build_stats(folder)
    table = Table(title=f"qasnowball · {folder}", title_justify="left")
    for col in ("round", "|S|", "S0 in S", "questions", "kept", "rejected by rule", "q / a len"):
        table.add_column(col)
    quality = Table(title="quality of the kept pairs (builders/qasnowball/quality.py)", title_justify="left")
    for col in ("round", "kept", "dup-span rate", "wh/type agreement", "copy rate (≥0.9)", "answer classes"):
        quality.add_column(col)
    for r in st["rounds"]:
        rejected = ", ".join(f"{k} {v}" for k, v in r["rejected"].items() if v)
        table.add_row(str(r["round"]), str(r["seed_size"]), f"{r['s0_in_seed']}/{r['s0_size']}", str(r["questions"]),
                      str(r["kept"]), rejected,
                      f"{r['mean_question_len']:.1f} / {r['mean_answer_len']:.1f} {r['len_unit']}")
        q = r["quality"]
        n = max(r["kept"], 1)
        classes = ", ".join(f"{k} {v / n:.0%}" for k, v in q["answer_classes"].items())
        quality.add_row(str(r["round"]), str(r["kept"]), f"{q['duplicate_span_rate']:.1%}",
                        f"{q['wh_type_agreement']:.1%}", f"{q['copy_rate']:.2f} ({q['copy_over_0.9']:.0%})", classes)
    return st, [table, quality]


ULTRACHAT_ROWS = (("dialogues", "dialogues"), ("mean turns (pairs)", "turns_mean"),
                  ("mean dialogue length", "dialogue_length_mean"), ("mean utterance length", "utterance_length_mean"),
                  ("  user utterances", "user_utterance_length_mean"),
                  ("  assistant utterances", "assistant_utterance_length_mean"), ("MTLD", "mtld"),
                  ("topic diversity (lower = more diverse)", "topic_diversity"), ("coherence (1-10)", "coherence"))


def ultrachat_stats(path: Path, options: Any, *, fmt: str = "auto", splits: list[str] | None = None,
                    json_out: Path | None = None) -> list[RenderableType]:
    """Dialogues, turns, lengths, MTLD, topic diversity, coherence (`options`: builders.ultrachat.stats.StatsOptions);
    also writes the statistics as JSON to `json_out` when given."""
    from builders.ultrachat.formats import load_dialogues  # noqa: PLC0415
    from builders.ultrachat.stats import compute_stats  # noqa: PLC0415

    dialogues = load_dialogues(path, fmt=fmt, splits=splits or None)
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
    if json_out:
        atomic_write_json(json_out, stats)
        out.append(f"json: {json_out}")
    return out
