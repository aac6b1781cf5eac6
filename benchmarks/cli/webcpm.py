"""WebCPM commands: `bench build webcpm` (traces over a corpus with a policy),
`bench build webcpm-tasks` (traces -> four module datasets), `bench validate webcpm FILE`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from benchmarks.cli.app import build_app, console, stats_app, validate_app
from builders.webcpm.errors import WebCPMError


def _dureader_file(corpus: Optional[Path]) -> Path:
    if corpus is not None:
        if not corpus.exists():
            raise WebCPMError(f"--corpus {corpus}: file not found")
        return corpus
    from benchmarks.data.registry import dataset_dir  # noqa: PLC0415

    return dataset_dir("dureader_demo") / "devset" / "search.dev.json"


@build_app.command("webcpm")
def build_webcpm(
    out: Path = typer.Argument(..., help="Trace file to write (JSONL, one WebCPM record per line)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="DuReader-format JSONL (default: dureader_demo dev)."),
    policy: str = typer.Option("oracle", "--policy", help="oracle | replay | llm"),
    replay: Optional[Path] = typer.Option(None, "--replay", help="Trace file to replay (policy replay)."),
    llm_backend: str = typer.Option("transformers", "--llm-backend", help="builders.llm backend: openai | transformers | vllm."),
    llm_model: Optional[str] = typer.Option(None, "--llm-model", help="Model name or path for --policy llm."),
    llm_option: list[str] = typer.Option([], "--llm-option", help="Backend option KEY=VALUE (e.g. base_url=..., device=cpu)."),
    llm_max_tokens: int = typer.Option(128, "--llm-max-tokens", help="Tokens per LLM reply."),
    llm_answer: bool = typer.Option(False, "--llm-answer", help="Also write the answer with the LLM (default: extractive)."),
    retriever: str = typer.Option("bm25", "--retriever", "-r", help="Search engine: any retrieval registry name."),
    seed: int = typer.Option(0, "--seed", help="Seeds trace ids and the clock."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N questions."),
    resume: bool = typer.Option(True, "--resume/--no-resume", help="Skip questions already in OUT.part."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Build WebCPM-format search traces over a local corpus (question -> browse -> facts -> cited answer)."""
    from builders.webcpm.build import build_traces  # noqa: PLC0415
    from builders.webcpm.web import LocalWeb, dureader_pages  # noqa: PLC0415
    from retrieval.registry import create  # noqa: PLC0415

    pages, questions = dureader_pages(_dureader_file(corpus))
    questions = questions[:limit] if limit else questions
    if policy == "oracle":
        from builders.webcpm.policies.oracle import OraclePolicy  # noqa: PLC0415

        pol = OraclePolicy()
    elif policy == "replay":
        from builders.webcpm.policies.replay import ReplayPolicy  # noqa: PLC0415

        if replay is None:
            raise WebCPMError("--policy replay needs --replay TRACES")
        from builders.webcpm.convert import read_traces  # noqa: PLC0415

        traces = {str(r.get("_id")): r for r in read_traces(replay)}
        traces.update({r.get("question", ""): r for r in list(traces.values())})
        pol = ReplayPolicy(traces=traces)
    elif policy == "llm":
        pol, answer = _llm_policy(llm_backend, llm_model, llm_option, llm_max_tokens, seed, llm_answer)
    else:
        raise WebCPMError(f"--policy {policy!r}: oracle | replay | llm")
    web = LocalWeb(pages, create(retriever, lang="zh"), show_progress=not quiet)
    summary = build_traces(questions, web, pol, out, seed=seed, resume=resume, show_progress=not quiet,
                           meta={"corpus": str(_dureader_file(corpus))},
                           answer=answer if policy == "llm" else None)
    console.print(f"traces: {summary['out']} ({summary['written']} written, {summary['skipped']} resumed)")


def _llm_policy(kind: str, model: Optional[str], options: list[str], max_tokens: int, seed: int, llm_answer: bool):
    """LLMPolicy over a builders.llm backend (secrets such as API keys come from the environment only)."""
    import json  # noqa: PLC0415

    from builders.llm import Sampling, create_backend  # noqa: PLC0415
    from builders.webcpm.answer import extractive_answer, llm_answer as write_answer  # noqa: PLC0415
    from builders.webcpm.policies.llm import LLMPolicy  # noqa: PLC0415

    if not model:
        raise WebCPMError("--policy llm needs --llm-model NAME_OR_PATH")
    opts: dict[str, object] = {}
    for item in options:
        key, sep, raw = item.partition("=")
        if not sep:
            raise WebCPMError(f"--llm-option {item!r}: expected KEY=VALUE")
        try:
            opts[key] = json.loads(raw)
        except json.JSONDecodeError:
            opts[key] = raw
    backend = create_backend(kind, model, **opts)
    sampling = Sampling(temperature=0.0, max_tokens=max_tokens, seed=seed)
    policy = LLMPolicy(backend, sampling=sampling)

    def answer(question: str, facts: list[str]) -> str:
        if llm_answer and facts:
            return write_answer(backend, question, facts, Sampling(temperature=0.0, max_tokens=512, seed=seed))
        return extractive_answer(question, facts)

    return policy, answer


@build_app.command("webcpm-recover")
def build_webcpm_recover(
    prompts: Path = typer.Argument(..., help="Released action-prediction output (inference/output/test_output.json)."),
    out: Path = typer.Argument(..., help="Trace file to write (JSONL)."),
) -> None:
    """Read the released prompts back into trace records (hrefs and spaces are not recoverable)."""
    from annotation.floor import atomic_write_jsonl  # noqa: PLC0415
    from builders.webcpm.recover import recover_traces  # noqa: PLC0415

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
) -> None:
    """Convert traces to the four module datasets (action, query, fact, synthesis)."""
    from builders.webcpm.convert import convert  # noqa: PLC0415
    from builders.webcpm.prompts import VocabTokenizer  # noqa: PLC0415

    if not traces.exists():
        raise WebCPMError(f"{traces}: file not found")
    try:
        parts = tuple(float(x) for x in ratios.split(","))
        assert len(parts) == 3 and all(p >= 0 for p in parts) and sum(parts) > 0
    except (ValueError, AssertionError):
        raise WebCPMError(f"--ratios {ratios!r}: expected three non-negative numbers like 4700,400,400") from None
    summary = convert(traces, out, seed=seed, ratios=parts, tok=VocabTokenizer(vocab) if vocab else None,
                      fact_mode="full" if fact_mode == "full" else "start-end")
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=f"WebCPM module datasets ({summary['records']} traces)")
    for col in ("task", "train", "dev", "test"):
        table.add_column(col)
    for task, counts in summary["instances"].items():
        table.add_row(task, *(str(counts[s]) for s in ("train", "dev", "test")))
    console.print(table)
    console.print(f"written: {summary['out']} (HF folder: {summary['out']}/hf)")


@validate_app.command("webcpm")
def validate_webcpm(
    file: Path = typer.Argument(..., help="Trace file: JSONL, JSON list or {'data': [...]}."),
    limit: int = typer.Option(200, "--limit", help="Print at most N issues."),
) -> None:
    """List every violation with record id, step and field; exit 1 when there is any."""
    from annotation.webcpm.validate import validate_path  # noqa: PLC0415

    if not file.exists():
        raise WebCPMError(f"{file}: file not found")
    issues = validate_path(file)
    for issue in issues[:limit]:
        console.print(str(issue), highlight=False, soft_wrap=True)
    if len(issues) > limit:
        console.print(f"... and {len(issues) - limit} more")
    if issues:
        console.print(f"[red]{len(issues)} issue(s)[/]")
        raise typer.Exit(1)
    console.print("[green]ok[/]: no issues")


@stats_app.command("webcpm")
def stats_webcpm(file: Path = typer.Argument(..., help="Trace file (JSONL / JSON).")) -> None:
    """Lengths (chars, as the paper's Table 1), actions and facts per trace, action counts."""
    from rich.table import Table  # noqa: PLC0415

    from builders.webcpm.stats import PAPER, trace_stats  # noqa: PLC0415

    if not file.exists():
        raise WebCPMError(f"{file}: file not found")
    stats = trace_stats(file)
    table = Table(title=f"WebCPM traces: {file}")
    for col in ("statistic", "this file", "WebCPM paper"):
        table.add_column(col)
    for key, value in stats.items():
        if key == "actions":
            continue
        paper = PAPER.get(key)
        fmt = (lambda v: f"{v:.2f}" if isinstance(v, float) else str(v))
        table.add_row(key, fmt(value), "" if paper is None else fmt(paper))
    for name, count in stats["actions"].items():
        table.add_row(f"  {name}", str(count), "")
    console.print(table)
