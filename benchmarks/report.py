"""Rich rendering of a Result (the table `bench run` prints) and of a Comparison (`bench compare`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from benchmarks.results import Result

if TYPE_CHECKING:
    from benchmarks.significance import Comparison


def result_table(result: Result) -> Table:
    main = result.main_score.get("metric")
    table = Table(title=f"{result.task} · {result.model.name}", title_justify="left")
    table.add_column("metric set")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for set_name, values in result.metrics.items():
        for metric, value in values.items():
            star = " *" if metric == main and set_name == result.main_score.get("set") else ""
            table.add_row(set_name, f"{metric}{star}", f"{value:.4f}")
    return table


def print_result(result: Result, console: Console | None = None) -> None:
    console = console or Console()
    console.print(result_table(result))
    extra = result.extra or {}
    facts = [f"dataset {result.dataset} ({result.dataset_sha[:12]})", f"split {result.split}"]
    if "n_queries" in extra:
        facts.append(f"{extra['n_queries']} queries, {extra.get('n_docs', '?')} docs")
    if result.wall_time_s is not None:
        facts.append(f"{result.wall_time_s:.1f} s")
    console.print("* main score · " + " · ".join(facts), highlight=False)
    coverage = extra.get("coverage")
    if isinstance(coverage, dict) and coverage.get("line"):       # a scored --run / --predictions file
        console.print(str(coverage["line"]) + (" (--allow-partial)" if coverage.get("allow_partial") else ""),
                      highlight=False)
    if result.run_file:
        console.print(f"run: {result.run_file}", highlight=False)
    for warning in extra.get("warnings") or []:        # what makes the figure doubtful, said next to it
        console.print(f"[yellow]warning:[/] {escape(str(warning))}", highlight=False)


def comparison_table(comp: Comparison) -> Table:
    """Per metric: both means, B - A, t, both p-values, and a star when both tests are significant."""
    n = comp.rows[0].n_queries if comp.rows else 0
    table = Table(title=f"{comp.task} · A = {comp.model_a} · B = {comp.model_b} · {n} queries")
    for col in ("metric", "A", "B", "B - A", "t", "p t-test", "p rand.", ""):
        table.add_column(col, justify="left" if col in ("metric", "") else "right")
    for r in comp.rows:
        table.add_row(r.metric, f"{r.mean_a:.4f}", f"{r.mean_b:.4f}", f"{r.delta:+.4f}", f"{r.t:.3f}",
                      f"{r.p_ttest:.4g}", f"{r.p_randomization:.4g}", "[bold]*[/]" if r.significant else "")
    return table


def print_comparison(comp: Comparison, console: Console | None = None) -> None:
    console = console or Console()
    console.print(comparison_table(comp))
    console.print(f"* both tests p < {comp.alpha}; randomization: {comp.n_resamples} sign flips, seed {comp.seed}; "
                  f"queries only in A: {comp.dropped_queries['only_a']}, only in B: {comp.dropped_queries['only_b']}")
