"""`bench leaderboard build SUBMISSIONS_DIR --out site/`: a static page from verified submissions."""
from __future__ import annotations

from pathlib import Path

import typer

from bench.cli.app import app, console, err_console

leaderboard_app = typer.Typer(help="Build the static leaderboard page.", no_args_is_help=True)
app.add_typer(leaderboard_app, name="leaderboard")


@leaderboard_app.command("build")
def build(
    submissions_dir: Path = typer.Argument(..., help="Folder of submission zips (from `bench submit`)."),
    out: Path = typer.Option(Path("site"), "--out", "-o", help="Folder to write index.html into."),
    rescore: bool = typer.Option(True, "--rescore/--no-rescore",
                                 help="Re-score every run (default) or only check hashes and schema."),
) -> None:
    """Verify every package, then write one sortable table per task, a score chart and the data cards."""
    from benchmarks.leaderboard import build_site, collect

    with console.status("verifying submissions..."):
        board = collect(submissions_dir, rescore=rescore)
    if not board.rows:       # nothing to show: an empty page is a mistake, not a result
        from core import DataError

        if not board.rejected:
            raise DataError(f"{submissions_dir}: no submission zips (*.zip) found")
        name, reasons = next(iter(board.rejected.items()))
        raise DataError(f"{submissions_dir}: every submission was rejected ({len(board.rejected)}); "
                        f"first: {reasons[0] if reasons[0].startswith(name) else f'{name}: {reasons[0]}'}")
    for name, reasons in board.rejected.items():
        err_console.print(f"[yellow]rejected[/] {name}: {reasons[0]}"
                          + (f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""), highlight=False)
    index = build_site(board, out)
    n = sum(len(rows) for rows in board.rows.values())
    console.print(f"{index}: {n} result(s) on {len(board.rows)} task(s); open it in a browser (file:// works)")
