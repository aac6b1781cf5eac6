"""`bench card NAME [--source DIR] [--check]`: regenerate the statistics block of a data card."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import app, console


@app.command()
def card(
    name: str = typer.Argument(..., help="Dataset card name (data_cards/NAME/README.md)."),
    source: Optional[Path] = typer.Option(None, "--source", help="Built/exported folder (builder outputs)."),
    check: bool = typer.Option(False, "--check", help="Only report whether the block is out of date (exit 1)."),
) -> None:
    """Recompute the card's statistics from the data; hand-written sections are left as they are."""
    from benchmarks.cards import regenerate

    path, changed = regenerate(name, source=source, write=not check)
    if check:
        console.print(f"{path}: {'out of date' if changed else 'up to date'}")
        raise typer.Exit(1 if changed else 0)
    console.print(f"{path}: {'statistics regenerated' if changed else 'already up to date'}")
