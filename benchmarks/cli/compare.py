"""`bench compare RESULT_A RESULT_B`: per-metric means, delta and paired significance tests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from benchmarks.cli.app import app, console
from annotation.floor import DataError, require_file


def _load(path: Path):
    from benchmarks.results import load_result

    require_file(path, "result file")
    try:
        return load_result(path)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{path}: not a databench result ({exc})") from None


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
    from benchmarks.significance import attach, compare as run_compare

    a, b = _load(result_a), _load(result_b)
    kwargs = dict(metrics=metric or None, metric_set=metric_set, alpha=alpha, n_resamples=resamples, seed=seed,
                  allow_different_data=allow_different_data)
    comp = run_compare(a, b, **kwargs)
    table = Table(title=f"{comp.task} · A = {comp.model_a} · B = {comp.model_b} · {comp.rows[0].n_queries} queries")
    for col in ("metric", "A", "B", "B - A", "t", "p t-test", "p rand.", ""):
        table.add_column(col, justify="left" if col in ("metric", "") else "right")
    for r in comp.rows:
        table.add_row(r.metric, f"{r.mean_a:.4f}", f"{r.mean_b:.4f}", f"{r.delta:+.4f}", f"{r.t:.3f}",
                      f"{r.p_ttest:.4g}", f"{r.p_randomization:.4g}", "[bold]*[/]" if r.significant else "")
    console.print(table)
    console.print(f"* both tests p < {alpha}; randomization: {resamples} sign flips, seed {seed}; "
                  f"queries only in A: {comp.dropped_queries['only_a']}, only in B: {comp.dropped_queries['only_b']}")
    if output is not None:
        from annotation.floor import atomic_write_json

        atomic_write_json(output, comp.to_dict())
        console.print(f"comparison: {output}")
    if annotate:
        attach(b, a, **kwargs).save(result_b)
        console.print(f"added extra.comparison to {result_b}")
