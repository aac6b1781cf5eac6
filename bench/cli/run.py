"""`bench run TASK`: evaluate a retriever/model (or score a given run/prediction file) on a task."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import app, console
from core.options import parse_key_values
from benchmarks.tasks.base import RunOptions, TaskError


def _parse_params(values: list[str]) -> dict[str, object]:
    """`--param k1=1.2 --param stem=false` -> {"k1": 1.2, "stem": False} (JSON scalars, else str)."""
    return parse_key_values(values, flag="--param", error=TaskError)


P_FILE = "Score a file instead of running a model"
P_OWN = "Your own data (no TASK)"
P_JUDGED = "Judged chat tasks (ultrachat-eval)"


@app.command()
def run(
    task: Optional[str] = typer.Argument(None, help="Task name (see `bench list`); omit it with --dataset FOLDER."),
    retriever: Optional[str] = typer.Option(None, "--retriever", "-r", help="Retriever name; a+b fuses runs."),
    k: int = typer.Option(100, "--k", help="Depth of the run (documents per query)."),
    output: Path = typer.Option(Path("runs"), "--output", "-o", help="Folder for the run file and results JSON."),
    run_file: Optional[Path] = typer.Option(None, "--run", help="Score an existing run file instead of retrieving.",
        rich_help_panel=P_FILE),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Score an existing predictions file.",
        rich_help_panel=P_FILE),
    allow_partial: bool = typer.Option(False, "--allow-partial", help="Score a --run/--predictions file even when "
        "no task query retrieved a known document or most of its query ids are unknown to the task.",
        rich_help_panel=P_FILE),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="HF model name or local path."),
    split: Optional[str] = typer.Option(None, "--split", help="Query split (task default if omitted)."),
    mode: Optional[str] = typer.Option(None, "--mode", help="Metric protocol variant, e.g. paper / strict."),
    device: Optional[str] = typer.Option(None, "--device", help="cuda / mps / cpu (default: auto)."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size"),
    param: list[str] = typer.Option([], "--param", "-p", help="Retriever/model parameter KEY=VALUE (repeatable)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Use this dataset folder instead of the registry's."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    model_backend: Optional[str] = typer.Option(None, "--model-backend",
        help="Chat backend of --model: openai | vllm | transformers (judged tasks).",
        rich_help_panel=P_JUDGED),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint of --model (key: $OPENAI_API_KEY).",
        rich_help_panel=P_JUDGED),
    judge_backend: Optional[str] = typer.Option(None, "--judge-backend", help="Chat backend of the judge (default: --model-backend).",
        rich_help_panel=P_JUDGED),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Judge model (judged tasks).",
        rich_help_panel=P_JUDGED),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="OpenAI-compatible endpoint of the judge.",
        rich_help_panel=P_JUDGED),
    baseline: Optional[Path] = typer.Option(None, "--baseline",
        help="Pairwise baseline: a result JSON, judgments bundle or answers JSONL.",
        rich_help_panel=P_JUDGED),
    dataset: Optional[Path] = typer.Option(None, "--dataset", help="Without TASK: your own dataset folder (BEIR, HF/MTEB, "
                                           "TREC, SQuAD/CMRC) or its databench.yaml. With a judged TASK: MT-Bench-style question JSONL.",
        rich_help_panel=P_OWN),
    dataset_format: Optional[str] = typer.Option(None, "--dataset-format",
        help="beir | hf | trec | squad | muser | webcpm (default: detected).",
        rich_help_panel=P_OWN),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of --dataset (en, zh, ...; default: databench.yaml or the card).",
        rich_help_panel=P_OWN),
) -> None:
    """Run TASK and write a TREC run + results JSON under --output."""
    from benchmarks.report import print_result
    from benchmarks.runner import run_task

    options = RunOptions(retriever=retriever, k=k, output=output, run_file=run_file, predictions=predictions,
                         model=model, split=split, mode=mode, device=device, batch_size=batch_size,
                         params=_parse_params(param), data_dir=data_dir, show_progress=not quiet,
                         allow_partial=allow_partial)
    flags = {"model_backend": model_backend, "base_url": base_url, "judge_backend": judge_backend,
             "judge_model": judge_model, "judge_base_url": judge_base_url, "baseline": baseline, "dataset": dataset}
    if task is not None and (dataset_format or lang):
        raise TaskError("--dataset-format and --lang describe --dataset without a TASK; a task knows its own data")
    if task is None:                 # --- a user's own dataset folder (benchmarks.datasets_local) ---
        if dataset is None:
            raise TaskError("bench run: give a TASK (see `bench list`) or --dataset FOLDER")
        from benchmarks.datasets_local import run_local

        result, path, described = run_local(dataset, options, fmt=dataset_format, lang=lang)
        print_result(result, console=console)
        console.print(f"results: {path}")
        if described:
            console.print(f"description: {described}  (repeat with `bench run --dataset {described}`)")
        return
    options.params.update({k: str(v) for k, v in flags.items() if v is not None})   # judged tasks read params
    result, path = run_task(task, options)
    print_result(result, console=console)
    console.print(f"results: {path}")
