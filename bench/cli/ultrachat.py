"""`bench build ultrachat`, `bench merge`, `bench stats ultrachat`.

Thin: parse options, call builders.ultrachat.pipeline / stats, print with rich.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from bench.cli.app import app, build_app, console, stats_app


def _backend(kind: str, model: str, *, base_url: str | None, api_key_env: str, concurrency: int,
             price_prompt: float, price_completion: float, gguf_file: str | None, device: str | None,
             max_retries: int = 6, backoff_base: float = 1.0) -> Any:
    """A chat backend from the CLI's generic flags (engines.llm.spec keeps the ones this kind takes)."""
    return _spec(kind, model, base_url=base_url, api_key_env=api_key_env, concurrency=concurrency,
                 price_prompt=price_prompt, price_completion=price_completion, gguf_file=gguf_file, device=device,
                 max_retries=max_retries, backoff_base=backoff_base).create()


def _spec(kind: str, model: str, *, base_url: str | None, api_key_env: str, concurrency: int, price_prompt: float,
          price_completion: float, gguf_file: str | None, device: str | None, max_retries: int = 6,
          backoff_base: float = 1.0, data_parallel: int | None = None) -> Any:
    from engines.llm.spec import BackendSpec

    return BackendSpec.from_cli(kind, model, shared=dict(
        base_url=base_url, api_key_env=api_key_env, concurrency=concurrency, price_prompt_per_mtok=price_prompt,
        price_completion_per_mtok=price_completion, max_retries=max_retries, backoff_base=backoff_base,
        gguf_file=gguf_file, device=device, data_parallel_size=data_parallel))


def _load_cfg(config: Optional[Path]) -> Any:
    from builders.ultrachat.run import load_cfg

    return load_cfg(config)


def _ultra_eval(cfg: Any) -> Optional[Path]:
    """UltraChat's eval questions through the data registry (None when the config switches them off)."""
    if not cfg.filters.use_ultra_eval:
        return None
    from benchmarks.data.registry import dataset_dir

    return Path(dataset_dir("ultrachat")) / "ultra_eval.json"


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
    llm_data_parallel: Optional[int] = typer.Option(None, "--llm-data-parallel",
        help="vllm: N engine replicas, one per GPU (x tensor parallel)."),
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
    executor: str = typer.Option("local", "--executor", help="Where dialogues run: local | ray (ray: written in opening order)."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (e.g. auto, or HOST:6379); default: a local Ray."),
    num_workers: Optional[int] = typer.Option(None, "--num-workers", help="Ray worker processes (default: the cluster's CPUs)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    llm_cache: Optional[Path] = typer.Option(None, "--llm-cache", help="Request cache folder, shared by every LLM "
                                             "client (default: $BENCH_LLM_CACHE or ~/.cache/databench/llm)."),
    no_llm_cache: bool = typer.Option(False, "--no-llm-cache", help="Send every request (no request cache)."),
) -> None:
    """Generate UltraChat-style dialogues (three sectors) with an assistant and a user-simulator model."""
    from engines.executors import ExecutorSpec
    from builders.ultrachat.run import UltraChatOptions, build_from_options

    common = dict(api_key_env=api_key_env, concurrency=concurrency, price_prompt=price_prompt,
                  price_completion=price_completion, gguf_file=gguf_file, device=device,
                  max_retries=max_retries, backoff_base=backoff_base, data_parallel=llm_data_parallel)
    user = None
    if user_model or user_backend or user_base_url:
        user = _spec(user_backend or backend, user_model or model, base_url=user_base_url or base_url, **common)
    opts = UltraChatOptions(out=out, assistant=_spec(backend, model, base_url=base_url, **common), user=user,
                            config=config, seed=seed, sectors=sectors, materials=materials, entities=entities,
                            eval_sets=list(eval_set), num_shards=num_shards, shard_index=shard_index,
                            workers=workers or concurrency, resume=resume, stage=stage, show_progress=not quiet,
                            executor=ExecutorSpec(executor, address, num_workers), llm_cache=llm_cache,
                            use_cache=False if no_llm_cache else None)
    opts.ultra_eval = _ultra_eval(_load_cfg(config))
    report = build_from_options(opts)
    table = Table(title=f"ultrachat build: {report.status}")
    table.add_column("item")
    table.add_column("value", justify="right")
    for k, v in report.counts.items():
        table.add_row(k, str(v))
    for stage_name, removed in report.filter_summary.items():
        for rule, n in removed.items():
            table.add_row(f"removed ({stage_name}): {rule}", str(n))
    for role, usage in report.usage.items():
        if isinstance(usage, dict):
            table.add_row(f"{role}: requests / retries", f"{usage['requests']} / {usage['retries']}")
            table.add_row(f"{role}: tokens (prompt+completion)", f"{usage['prompt_tokens'] + usage['completion_tokens']}")
            table.add_row(f"{role}: cost USD", f"{usage['cost_usd']:.4f}")
            table.add_row(f"{role}: cache hits", str(usage.get("cache_hits", 0)))
            conc = usage.get("concurrency")
            if conc:
                table.add_row(f"{role}: in flight (limit now / max, lowest; AIMD +/-)",
                              f"{conc['limit']}/{conc['max']}, {conc['lowest']}; +{conc['increases']} "
                              f"-{sum(conc['decreases'].values())} {conc['decreases'] or ''}".rstrip())
    if report.llm:
        r = report.llm
        table.add_row("dialogues: server requests/s", f"{r['requests_per_s']:.3f}")
        table.add_row("dialogues: completion tokens/s", f"{r['completion_tokens_per_s']:.2f}")
        table.add_row("dialogues: cache hits", str(r["cache_hits"]))
    total = report.dialogue_usage_all_runs
    if total:
        table.add_row("dialogue calls, all runs (incl. resumed)", str(total["calls"]))
        table.add_row("dialogue tokens, all runs", str(total["prompt_tokens"] + total["completion_tokens"]))
        table.add_row("dialogue cost USD, all runs", f"{total['cost_usd']:.4f}")
    console.print(table)
    console.print(f"output: {out}; manifest: {report.manifest}; {report.seconds:.1f} s")


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
    report = merge(inputs, out, cfg, filter_=not no_filter, ultra_eval=_ultra_eval(cfg) if not no_filter else None)
    console.print(f"read {report['read']} dialogues, {report['repeated_ids']} repeated ids "
                  f"({report['conflicting_repeats']} conflicting), kept {report['final']}")
    if "dialogues" in report:
        for rule, n in report["dialogues"]["removed"].items():
            console.print(f"  removed {rule}: {n}")
    console.print(f"output: {out}")


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
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
        help="Leave out dialogues `bench validate ultrachat` rejects (counted) instead of refusing the set."),
) -> None:
    """Dialogues, mean turns, lengths, MTLD, topic diversity and (optionally) judged coherence."""
    from bench.stats_report import ultrachat_stats
    from builders.ultrachat.stats import StatsOptions

    judge = None
    if coherence_model:
        judge = _backend(coherence_backend or "openai", coherence_model, base_url=coherence_base_url,
                         api_key_env=api_key_env, concurrency=4, price_prompt=0.0, price_completion=0.0,
                         gguf_file=None, device=None)
    options = StatsOptions(sample=sample, seed=seed, tokenizer=tokenizer, embedder=embedder, coherence_backend=judge,
                           coherence_sample=coherence_sample)
    for item in ultrachat_stats(path, options, fmt=fmt, splits=split, json_out=json_out, skip_invalid=skip_invalid):
        console.print(item)
