"""WebCPM commands: `bench build webcpm` (traces over a corpus with a policy),
`bench build webcpm-tasks` (traces -> four module datasets), `bench stats webcpm FILE`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import build_app, console, stats_app
from builders.webcpm.errors import WebCPMError


def _dureader_file(corpus: Optional[Path]) -> Path:
    """--corpus, else the dureader_demo dev file through the data registry (builders never import it)."""
    if corpus is not None:
        return corpus
    from benchmarks.data.registry import dataset_dir

    return dataset_dir("dureader_demo") / "devset" / "search.dev.json"


@build_app.command("webcpm")
def build_webcpm(
    out: Path = typer.Argument(..., help="Trace file to write (JSONL, one WebCPM record per line)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="DuReader-format JSONL (default: dureader_demo dev)."),
    policy: str = typer.Option("oracle", "--policy", help="A builders.webcpm.policies name: oracle | replay | llm."),
    replay: Optional[Path] = typer.Option(None, "--replay", help="Trace file to replay (policy replay)."),
    llm_backend: str = typer.Option("transformers", "--llm-backend", help="engines.llm backend: openai | transformers | vllm."),
    llm_model: Optional[str] = typer.Option(None, "--llm-model",
        help="Model name or path: browses for --policy llm; writes the answers for oracle/heuristic."),
    llm_option: list[str] = typer.Option([], "--llm-option", help="Backend option KEY=VALUE (e.g. base_url=..., device=cpu)."),
    llm_max_tokens: int = typer.Option(128, "--llm-max-tokens", help="Tokens per LLM reply."),
    llm_answer: bool = typer.Option(False, "--llm-answer", help="Also write the answer with the LLM (default: extractive)."),
    retriever: str = typer.Option("bm25", "--retriever", "-r", help="Search engine: any retrieval registry name."),
    seed: int = typer.Option(0, "--seed", help="Seeds trace ids and the clock."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N questions."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted build of OUT (same config)."),
    executor: str = typer.Option("local", "--executor", help="Where questions run: local | ray (output is identical)."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (e.g. auto, or HOST:6379); default: a local Ray."),
    num_workers: Optional[int] = typer.Option(None, "--num-workers", help="Ray worker processes (default: the cluster's CPUs)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Build WebCPM-format search traces over a local corpus (question -> browse -> facts -> cited answer)."""
    from engines.executors import ExecutorSpec
    from engines.llm.spec import BackendSpec, parse_options
    from builders.webcpm.build import WebCPMBuildConfig, build_webcpm as run_build
    from builders.webcpm.policies import PolicyOptions

    spec = None
    if policy == "llm" and not llm_model:
        raise WebCPMError("--policy llm needs --llm-model NAME_OR_PATH")
    if llm_model:        # --policy llm browses with it; oracle/heuristic use it to write abstractive answers
        spec = BackendSpec.from_cli(llm_backend, llm_model, explicit=parse_options(llm_option), what="--llm-model")
    report = run_build(WebCPMBuildConfig(
        out=out, corpus=_dureader_file(corpus), policy=policy, retriever=retriever, seed=seed, limit=limit,
        resume=resume, show_progress=not quiet, executor=ExecutorSpec(executor, address, num_workers),
        policy_options=PolicyOptions(replay=replay, llm=spec, llm_max_tokens=llm_max_tokens, llm_answer=llm_answer)))
    console.print(report.summary(), highlight=False, soft_wrap=True)


@build_app.command("webcpm-recover")
def build_webcpm_recover(
    prompts: Path = typer.Argument(..., help="Released action-prediction output (inference/output/test_output.json)."),
    out: Path = typer.Argument(..., help="Trace file to write (JSONL)."),
) -> None:
    """Read the released prompts back into trace records (hrefs and spaces are not recoverable)."""
    from core import atomic_write_jsonl
    from builders.webcpm.recover import recover_traces

    if not prompts.exists():
        raise WebCPMError(f"{prompts}: file not found")
    try:
        traces = recover_traces(prompts)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise WebCPMError(f"{prompts}: not a WebCPM action-prediction output ({exc})") from None
    atomic_write_jsonl(out, traces)
    console.print(f"{out}: {len(traces)} traces ({sum(len(t['actions']) for t in traces)} actions)")


@build_app.command("webcpm-tasks")
def build_webcpm_tasks(
    traces: Path = typer.Argument(..., help="Trace file (JSONL / {'data': [...]} JSON)."),
    out: Path = typer.Argument(..., help="Output folder: splits.json, <task>/<split>.jsonl, hf/."),
    seed: int = typer.Option(0, "--seed", help="Seed of the id-level split."),
    ratios: str = typer.Option("4700,400,400", "--ratios", help="train,dev,test proportions."),
    vocab: Optional[Path] = typer.Option(None, "--vocab", help="CPM vocabulary file for exact quote abbreviation."),
    fact_mode: str = typer.Option("full", "--fact-mode", help="full | start-end (起始字符/结束字符 targets)."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
        help="Leave out traces `bench validate webcpm` rejects (counted) instead of refusing the file."),
) -> None:
    """Convert traces to the four module datasets (action, query, fact, synthesis)."""
    from builders.webcpm.convert import convert
    from rich.markup import escape

    from builders.webcpm.prompts import VocabTokenizer

    if not traces.exists():
        raise WebCPMError(f"{traces}: file not found")
    try:
        parts = tuple(float(x) for x in ratios.split(","))
        assert len(parts) == 3 and all(p >= 0 for p in parts) and sum(parts) > 0
    except (ValueError, AssertionError):
        raise WebCPMError(f"--ratios {ratios!r}: expected three non-negative numbers like 4700,400,400") from None
    summary = convert(traces, out, seed=seed, ratios=parts, tok=VocabTokenizer(vocab) if vocab else None,
                      fact_mode=fact_mode, skip_invalid=skip_invalid)
    if summary["skipped_invalid"]:
        console.print(f"[yellow]skipped {summary['skipped_invalid']} invalid trace(s)[/] of "
                      f"{summary['records'] + summary['skipped_invalid']} (first: {escape(summary['first_invalid'])})",
                      highlight=False, soft_wrap=True)
    from rich.table import Table

    table = Table(title=f"WebCPM module datasets ({summary['records']} traces)")
    for col in ("task", "train", "dev", "test"):
        table.add_column(col)
    for task, counts in summary["instances"].items():
        table.add_row(task, *(str(counts[s]) for s in ("train", "dev", "test")))
    console.print(table)
    console.print(f"written: {summary['out']} (HF folder: {summary['out']}/hf)")


@stats_app.command("webcpm")
def stats_webcpm(file: Path = typer.Argument(..., help="Trace file (JSONL / JSON).")) -> None:
    """Lengths (chars, as the paper's Table 1), actions and facts per trace, action counts."""
    from bench.stats_report import webcpm_stats

    for item in webcpm_stats(file):
        console.print(item)
