"""`bench submit RESULTS_DIR --out submission.zip` and `bench verify submission.zip`."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from benchmarks.cli.app import app, console


@app.command()
def submit(
    results_dir: Path = typer.Argument(..., help="Folder with result JSON files and their run files."),
    out: Path = typer.Option(Path("submission.zip"), "--out", "-o", help="Zip to write."),
) -> None:
    """Check every result (schema, task, re-scored run, run sha) and pack results + runs + manifest."""
    from benchmarks.submission.package import pack

    with console.status("re-scoring every run file against its task..."):
        path, entries = pack(results_dir, out)
    table = Table(title=f"packed {len(entries)} result(s)")
    for col in ("task", "model", "main score", "run"):
        table.add_column(col)
    for e in entries:
        table.add_row(e["task"], e["model"], f"{e['main_score']['metric']} = {e['main_score']['value']:.4f}", e["run"])
    console.print(table)
    console.print(f"submission: {path}  (check it with `bench verify {path}`)")


@app.command()
def verify(
    package: Path = typer.Argument(..., help="A submission zip written by `bench submit`."),
    no_rescore: bool = typer.Option(False, "--no-rescore", help="Only check the archive, hashes and schema."),
) -> None:
    """Re-check a received package: safe paths, sizes, hashes, schema, and re-scored values."""
    from benchmarks.submission.verify import verify_or_raise

    with console.status("verifying..."):
        report = verify_or_raise(package, rescore=not no_rescore)
    for acc in report.accepted:
        ms = acc.result.main_score
        console.print(f"[green]ok[/] {acc.entry['result']}: {acc.result.task} / {acc.result.model.name} "
                      f"{ms['metric']} = {ms['value']:.4f}")
    console.print(f"{package}: accepted ({len(report.accepted)} result(s))")
