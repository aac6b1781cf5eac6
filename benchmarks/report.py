"""Rich rendering of a Result: the table `bench run` prints."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from benchmarks.results import Result


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
    if result.run_file:
        console.print(f"run: {result.run_file}", highlight=False)
