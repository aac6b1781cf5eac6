"""`bench judge-check`: set an LLM judge's verdicts against people's on the same answers (issue 24).

pairs BUNDLE OUT -> answer pairs (for `bench annotate export ultrachat-pairwise`) and the model's dialogues
(for ultrachat-ratings); score --judgments B... --human RECORDS -> a judge-check file and its Result
(`bench run judge-check --predictions FILE` re-scores it, as `bench verify` does).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import app, console

jc_app = typer.Typer(help="Does the LLM judge agree with people? Agreement, biases, Bradley-Terry separability.",
                     no_args_is_help=True)
app.add_typer(jc_app, name="judge-check")


@jc_app.command("pairs")
def pairs_cmd(
    bundle: Path = typer.Argument(..., help="An ultrachat-eval pairwise judgments bundle (the result's run file)."),
    out: Path = typer.Argument(..., help="Folder to write pairs.jsonl and dialogues.jsonl into."),
    limit: int = typer.Option(0, "--limit", help="Only the first N questions (0 = all)."),
) -> None:
    """Write what people annotate: answer pairs (ultrachat-pairwise) and dialogues (ultrachat-ratings)."""
    from core import atomic_write_jsonl, require_file
    from benchmarks.judge_check.pairs import answer_pairs, dialogues

    require_file(bundle, "judgments bundle")
    pairs = answer_pairs(bundle, limit)
    atomic_write_jsonl(out / "pairs.jsonl", pairs)
    atomic_write_jsonl(out / "dialogues.jsonl", dialogues(bundle, limit))
    console.print(f"{out}: {len(pairs)} answer pairs (pairs.jsonl), dialogues.jsonl")


def _records(path: Optional[Path]) -> list[dict]:
    from core import read_jsonl, require_file

    if path is None:
        return []
    require_file(path, "human records")
    return list(read_jsonl(path))


@jc_app.command("score")
def score_cmd(
    judgments: list[Path] = typer.Option(..., "--judgments", "-j", help="ultrachat-eval judgments bundle (repeat "
                                         "for several models judged against one baseline)."),
    human: Optional[Path] = typer.Option(None, "--human", help="records.jsonl of `bench annotate import "
                                         "ultrachat-pairwise`."),
    human_ratings: Optional[Path] = typer.Option(None, "--human-ratings", help="records.jsonl of `bench annotate "
                                                 "import ultrachat-ratings` (coherence 1-10)."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Reference ranking, best first: m1,m2,m3."),
    output: Path = typer.Option(Path("runs"), "--output", "-o"),
    mode: Optional[str] = typer.Option(None, "--mode", help="agreement | agreement-no-ties | ratings | separability."),
    verdicts: str = typer.Option("text", "--verdicts", help="text: the judge's [[A]]/[[B]]/[[C]]; logprobs: "
                                 "P(A) vs P(B) of the verdict token, summed over both orders (asks the judge)."),
    tie_margin: float = typer.Option(0.0, "--tie-margin", help="logprobs: |log-odds| at or below this is a tie."),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="OpenAI-compatible judge endpoint "
                                                 "(--verdicts logprobs)."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Judge model name (--verdicts logprobs)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Judge request cache folder (default: the shared LLM cache;"
                                                  " OUTPUT/cache when BENCH_LLM_CACHE=off)."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap resamples."),
) -> None:
    """Score the judge against people and write a judge-check Result."""
    from core import DataError, require_file
    from benchmarks.judge_check import checkfile
    from benchmarks.report import print_result
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions, TaskError

    for b in judgments:
        require_file(b, "judgments bundle")
    if verdicts not in checkfile.VERDICT_RULES:
        raise TaskError(f"--verdicts {verdicts}: expected one of {', '.join(checkfile.VERDICT_RULES)}")
    lps = None
    if verdicts == "logprobs":
        if not judge_base_url or not judge_model:
            raise TaskError("--verdicts logprobs asks the judge again: give --judge-base-url and --judge-model")
        from engines.llm import create_backend
        from benchmarks.judge_check.logprobs import collect
        from engines.llm.cache import cache_off_by_default, default_cache_dir, open_cache

        backend = create_backend("openai", judge_model, base_url=judge_base_url, concurrency=1)
        # the request cache every LLM client shares (engines.llm.cache), as ultrachat-eval's judging uses it
        folder = cache_dir or (output / "cache" if cache_off_by_default() else default_cache_dir() / "judging")
        with open_cache(Path(folder) / "judge-logprobs.jsonl") as cache:
            lps = collect(judgments, backend, cache)
    stem = "judge-check" + ("" if verdicts == "text" else f".{verdicts}")
    path = output / f"{stem}.check.jsonl"
    try:
        checkfile.build(judgments, _records(human), _records(human_ratings), path, seed=seed, n_boot=n_boot,
                        reference=[r.strip() for r in reference.split(",")] if reference else (),
                        verdicts=verdicts, tie_margin=tie_margin, logprobs=lps)
    except DataError as exc:
        raise TaskError(str(exc)) from None
    result, out = run_task("judge-check", RunOptions(predictions=path, output=output, mode=mode))
    print_result(result, console=console)
    console.print(f"check file: {path}\nresults: {out}")
