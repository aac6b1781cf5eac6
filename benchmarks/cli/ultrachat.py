"""`bench build ultrachat`, `bench merge`, `bench stats ultrachat`, `bench validate ultrachat`.

Thin: parse options, call builders.ultrachat.pipeline / stats / annotation.ultrachat, print with rich.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from benchmarks.cli.app import app, build_app, console, stats_app, validate_app


def _backend(kind: str, model: str, *, base_url: str | None, api_key_env: str, concurrency: int,
             price_prompt: float, price_completion: float, gguf_file: str | None, device: str | None,
             max_retries: int = 6, backoff_base: float = 1.0) -> Any:
    from builders.llm import create_backend

    if kind in ("openai", "openai-compat", "http"):
        return create_backend(kind, model, base_url=base_url, api_key_env=api_key_env, concurrency=concurrency,
                              price_prompt_per_mtok=price_prompt, price_completion_per_mtok=price_completion,
                              max_retries=max_retries, backoff_base=backoff_base)
    if kind in ("transformers", "hf"):
        return create_backend(kind, model, gguf_file=gguf_file, device=device)
    return create_backend(kind, model)


def _load_cfg(config: Optional[Path]) -> Any:
    from builders.common.jobs import JobError
    from builders.ultrachat.config import load_config

    try:
        return load_config(config)
    except ValueError as exc:
        raise JobError(str(exc)) from None


@build_app.command("ultrachat")
def build_ultrachat(
    out: Path = typer.Argument(..., help="Output folder (manifest, seeds, dialogues, filtered set, exports)."),
    model: str = typer.Option(..., "--model", "-m", help="Assistant model (API name, HF name or path)."),
    backend: str = typer.Option("openai", "--backend", help="openai | transformers | vllm."),
    user_model: Optional[str] = typer.Option(None, "--user-model", help="User-simulator model (default: --model)."),
    user_backend: Optional[str] = typer.Option(None, "--user-backend", help="Backend of the user model."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible base URL (or OPENAI_BASE_URL)."),
    user_base_url: Optional[str] = typer.Option(None, "--user-base-url", help="Base URL of the user model."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env", help="Environment variable holding the key."),
    concurrency: int = typer.Option(4, "--concurrency", help="HTTP requests in flight per backend."),
    max_retries: int = typer.Option(6, "--max-retries", help="Retries per request on 429/5xx/timeouts/bad JSON."),
    backoff_base: float = typer.Option(1.0, "--backoff-base", help="Seconds; retry k waits up to base*2^k (jittered)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Dialogues generated in parallel (default: concurrency)."),
    price_prompt: float = typer.Option(0.0, "--price-prompt", help="USD per 1M prompt tokens (cost accounting)."),
    price_completion: float = typer.Option(0.0, "--price-completion", help="USD per 1M completion tokens."),
    gguf_file: Optional[str] = typer.Option(None, "--gguf-file", help="transformers: GGUF file inside --model."),
    device: Optional[str] = typer.Option(None, "--device", help="transformers: cuda / mps / cpu."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="JSON config (counts, sampling, filters)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Override config seed."),
    sectors: Optional[str] = typer.Option(None, "--sectors", help="Comma list, e.g. 1,2,3."),
    materials: Optional[Path] = typer.Option(None, "--materials", help="Sector 3 text pieces (JSONL with 'text')."),
    entities: Optional[Path] = typer.Option(None, "--entities", help="Sector 1 entity list (one per line)."),
    eval_set: list[Path] = typer.Option([], "--eval-set", help="Extra eval set to decontaminate against (repeatable)."),
    num_shards: int = typer.Option(1, "--num-shards", help="Split the opening lines into N shards."),
    shard_index: int = typer.Option(0, "--shard-index", help="Which shard this run generates (0-based)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run in OUT."),
    stage: str = typer.Option("all", "--stage", help="all | seeds (stop after the seed trees)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Generate UltraChat-style dialogues (three sectors) with an assistant and a user-simulator model."""
    from builders.ultrachat.pipeline import build

    cfg = _load_cfg(config)
    if seed is not None:
        cfg.seed = seed
    if sectors:
        from builders.common.jobs import JobError

        try:
            cfg.sectors = [int(s) for s in sectors.split(",") if s.strip()]
        except ValueError:
            raise JobError(f"--sectors {sectors!r}: expected a comma list of 1, 2, 3") from None
    if materials:
        cfg.sector3.materials = str(materials)
    if entities:
        from annotation.floor import require_file

        text = require_file(entities, "--entities file").read_text(encoding="utf-8")
        cfg.sector1.entities = [e.strip() for e in text.splitlines() if e.strip()]
    cfg.filters.eval_sets += [str(p) for p in eval_set]
    common = dict(api_key_env=api_key_env, concurrency=concurrency, price_prompt=price_prompt,
                  price_completion=price_completion, gguf_file=gguf_file, device=device,
                  max_retries=max_retries, backoff_base=backoff_base)
    assistant = _backend(backend, model, base_url=base_url, **common)
    user = assistant
    if user_model or user_backend or user_base_url:
        user = _backend(user_backend or backend, user_model or model, base_url=user_base_url or base_url, **common)
    manifest = build(out, cfg, assistant, user, resume=resume, num_shards=num_shards, shard_index=shard_index,
                     workers=workers or concurrency, stage=stage, show_progress=not quiet)
    counts = manifest.get("counts", {})
    table = Table(title=f"ultrachat build: {manifest['status']}")
    table.add_column("item")
    table.add_column("value", justify="right")
    for k, v in counts.items():
        table.add_row(k, str(v))
    for stage_name, removed in (manifest.get("filter_summary") or {}).items():
        for rule, n in removed.items():
            table.add_row(f"removed ({stage_name}): {rule}", str(n))
    for role, usage in (manifest.get("usage") or {}).items():
        if isinstance(usage, dict):
            table.add_row(f"{role}: requests / retries", f"{usage['requests']} / {usage['retries']}")
            table.add_row(f"{role}: tokens (prompt+completion)", f"{usage['prompt_tokens'] + usage['completion_tokens']}")
            table.add_row(f"{role}: cost USD", f"{usage['cost_usd']:.4f}")
    total = manifest.get("dialogue_usage_all_runs")
    if total:
        table.add_row("dialogue calls, all runs (incl. resumed)", str(total["calls"]))
        table.add_row("dialogue tokens, all runs", str(total["prompt_tokens"] + total["completion_tokens"]))
        table.add_row("dialogue cost USD, all runs", f"{total['cost_usd']:.4f}")
    console.print(table)
    console.print(f"output: {out}")


@app.command("merge")
def merge_cmd(
    out: Path = typer.Argument(..., help="Output folder for the merged set."),
    inputs: list[Path] = typer.Argument(..., help="Shard folders (dialogues*.jsonl inside) or JSONL files."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Config whose filter settings to use."),
    eval_set: list[Path] = typer.Option([], "--eval-set", help="Extra eval set for decontamination (repeatable)."),
    no_filter: bool = typer.Option(False, "--no-filter", help="Only join and drop repeated ids."),
) -> None:
    """Join the shards of an UltraChat run: drop repeated ids, re-run dedup/near-dup/decontamination, export."""
    from builders.ultrachat.pipeline import merge

    cfg = _load_cfg(config)
    cfg.filters.eval_sets += [str(p) for p in eval_set]
    report = merge(inputs, out, cfg, filter_=not no_filter)
    console.print(f"read {report['read']} dialogues, {report['repeated_ids']} repeated ids "
                  f"({report['conflicting_repeats']} conflicting), kept {report['final']}")
    if "dialogues" in report:
        for rule, n in report["dialogues"]["removed"].items():
            console.print(f"  removed {rule}: {n}")
    console.print(f"output: {out}")


def _fmt_num(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:,.4f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)


@stats_app.command("ultrachat")
def stats_ultrachat(
    path: Path = typer.Argument(..., help="Dialogue set: JSONL/parquet file, HF folder, or a build output folder."),
    fmt: str = typer.Option("auto", "--format", help="auto | canonical | raw | h4."),
    split: list[str] = typer.Option([], "--split", help="Only these parquet splits, e.g. train_sft (repeatable)."),
    sample: int = typer.Option(10000, "--sample", help="Records sampled for topic diversity / coherence."),
    seed: int = typer.Option(0, "--seed"),
    tokenizer: Optional[str] = typer.Option(None, "--tokenizer", help="HF tokenizer for lengths (default: regex words)."),
    embedder: Optional[str] = typer.Option(None, "--embedder", help="sentence-transformers model; 'none' to skip."),
    coherence_backend: Optional[str] = typer.Option(None, "--coherence-backend", help="openai | transformers | vllm."),
    coherence_model: Optional[str] = typer.Option(None, "--coherence-model", help="Judge model for coherence 1-10."),
    coherence_base_url: Optional[str] = typer.Option(None, "--coherence-base-url"),
    coherence_sample: int = typer.Option(100, "--coherence-sample", help="Dialogues rated by the judge."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the statistics as JSON here."),
) -> None:
    """Dialogues, mean turns, lengths, MTLD, topic diversity and (optionally) judged coherence."""
    from annotation.floor import atomic_write_json
    from builders.ultrachat.formats import load_dialogues
    from builders.ultrachat.stats import StatsOptions, compute_stats

    dialogues = load_dialogues(path, fmt=fmt, splits=split or None)
    judge = None
    if coherence_model:
        judge = _backend(coherence_backend or "openai", coherence_model, base_url=coherence_base_url,
                         api_key_env=api_key_env, concurrency=4, price_prompt=0.0, price_completion=0.0,
                         gguf_file=None, device=None)
    try:
        stats = compute_stats(dialogues, StatsOptions(sample=sample, seed=seed, tokenizer=tokenizer,
                                                      embedder=embedder, coherence_backend=judge,
                                                      coherence_sample=coherence_sample))
    except ValueError as exc:
        from builders.common.jobs import JobError

        raise JobError(f"{path}: {exc}") from None
    paper = stats["paper_ultrachat"]
    table = Table(title=f"ultrachat stats: {path}")
    for col in ("statistic", "value", "paper (UltraChat)"):
        table.add_column(col, justify="left" if col == "statistic" else "right")
    rows = [("dialogues", "dialogues"), ("mean turns (pairs)", "turns_mean"),
            ("mean dialogue length", "dialogue_length_mean"), ("mean utterance length", "utterance_length_mean"),
            ("  user utterances", "user_utterance_length_mean"),
            ("  assistant utterances", "assistant_utterance_length_mean"),
            ("MTLD", "mtld"), ("topic diversity (lower = more diverse)", "topic_diversity"), ("coherence (1-10)", "coherence")]
    for label, key in rows:
        table.add_row(label, _fmt_num(stats.get(key)), _fmt_num(paper.get(key)))
    console.print(table)
    console.print(f"tokenizer: {stats['tokenizer']}; embedding model: {stats['embedding_model'] or '-'}; "
                  f"sample {stats['sample_size']} (seed {stats['seed']}); by sector: {stats['by_sector']}")
    if stats.get("coherence_judge"):
        console.print(f"coherence judge: {stats['coherence_judge']} ({stats['coherence_judged']} judged, "
                      f"{stats['coherence_unparsed']} unparsed)")
    if json_out:
        atomic_write_json(json_out, stats)
        console.print(f"json: {json_out}")


@validate_app.command("ultrachat")
def validate_ultrachat(path: Path = typer.Argument(..., help="JSONL/parquet file or folder of dialogues.")) -> None:
    """Check dialogues (canonical, raw or ultrachat_200k format); prints every issue, exit 1 if any."""
    from annotation.ultrachat import validate_path

    issues = validate_path(path)
    for issue in issues[:200]:
        console.print(str(issue), highlight=False, soft_wrap=True)
    if len(issues) > 200:
        console.print(f"... and {len(issues) - 200} more")
    if issues:
        console.print(f"[red]{len(issues)} issue(s)[/]")
        raise typer.Exit(1)
    console.print("[green]ok[/]: no issues")
