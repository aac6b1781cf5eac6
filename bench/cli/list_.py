"""`bench list`: tasks and retrievers."""
from __future__ import annotations

import typer
from rich.table import Table

from bench.cli.app import app, console


@app.command("list")
def list_(what: str = typer.Argument("all", help="tasks, retrievers, datasets or all")) -> None:
    """List the registered tasks, retrievers and datasets."""
    from benchmarks.data.registry import available as datasets, get_source
    from benchmarks.tasks.base import TaskError
    from benchmarks.tasks.registry import available as tasks, get_task
    from retrieval.registry import RETRIEVERS

    if what not in {"all", "tasks", "retrievers", "datasets"}:
        raise TaskError(f"bench list: unknown section {what!r}; use tasks, retrievers, datasets or all")
    if what in {"all", "tasks"}:
        table = Table(title="tasks", title_justify="left")
        for col in ("task", "kind", "dataset", "lang", "--mode: main score (* = default)", "description"):
            table.add_column(col)
        for name in tasks():
            try:
                t = get_task(name)
                modes = "\n".join(f"{'*' if m.name == t.default_mode else ' '}{m.name}: {m.metric_set}/{m.main_score}"
                                  for m in t.modes.values())
                table.add_row(name, t.kind, t.dataset, t.language, modes, t.description)
            except Exception as exc:  # noqa: BLE001 - a broken task module must not hide the others
                table.add_row(name, "?", "?", "?", "?", f"[red]cannot load: {type(exc).__name__}: {exc}[/]")
        console.print(table)
    if what in {"all", "retrievers"}:
        table = Table(title="retrievers", title_justify="left")
        table.add_column("retriever")
        table.add_column("implementation")
        for name, target in sorted(RETRIEVERS.items()):
            table.add_row(name, target)
        console.print(table)
    if what in {"all", "datasets"}:
        table = Table(title="datasets", title_justify="left")
        for col in ("dataset", "lang", "license", "description"):
            table.add_column(col)
        for name in datasets():
            s = get_source(name)
            table.add_row(name, s.language, s.license, s.description)
        console.print(table)
