"""`bench compare RESULT_A RESULT_B`: per-metric means, delta and paired significance tests."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import app, console


@app.command()
def compare(
    result_a: Path = typer.Argument(..., help="Baseline results JSON (from `bench run`)."),
    result_b: Path = typer.Argument(..., help="Results JSON to compare against the baseline."),
    metric: list[str] = typer.Option([], "--metric", "-m", help="Metric(s) to test (default: all per-query ones)."),
    metric_set: Optional[str] = typer.Option(None, "--set", help="Metric set (default: the main score's)."),
    alpha: float = typer.Option(0.05, "--alpha"),
    resamples: int = typer.Option(10_000, "--resamples", help="Randomization test resamples."),
    seed: int = typer.Option(42, "--seed"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the comparison as JSON here."),
    annotate: bool = typer.Option(False, "--annotate", help="Store the comparison in RESULT_B's extra.comparison."),
    allow_different_data: bool = typer.Option(False, "--allow-different-data"),
) -> None:
    """Paired t-test and randomization test between two results of the same task."""
    from benchmarks.report import print_comparison
    from benchmarks.significance import compare_files

    comp = compare_files(result_a, result_b, output=output, annotate=annotate, metrics=metric or None,
                         metric_set=metric_set, alpha=alpha, n_resamples=resamples, seed=seed,
                         allow_different_data=allow_different_data)
    print_comparison(comp, console)
    if output is not None:
        console.print(f"comparison: {output}")
    if annotate:
        console.print(f"added extra.comparison to {result_b}")
