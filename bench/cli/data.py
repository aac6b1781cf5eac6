"""`bench data fetch|verify|where NAME`: the data registry from the command line."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import app, console

data_app = typer.Typer(help="Fetch, verify and locate datasets (sha256-checked).", no_args_is_help=True)
app.add_typer(data_app, name="data")

_MIRROR = typer.Option(None, "--mirror", help="Local mirror folder (default: $BENCH_DATA_MIRROR).")


@data_app.command("fetch")
def fetch(name: str = typer.Argument(..., help="Dataset name (see `bench list datasets`)."),
          mirror: Optional[Path] = _MIRROR,
          origin: Optional[str] = typer.Option(None, "--origin", help="Base URL serving <folder>/<file>."),
          quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Download NAME into the cache (or copy it from --mirror) and verify every file's sha256."""
    from benchmarks.data.registry import fetch as do_fetch, files

    folder = do_fetch(name, mirror=mirror, origin=origin, show_progress=not quiet)
    console.print(f"{name}: {len(files(name))} files verified in {folder}", highlight=False)


@data_app.command("verify")
def verify(name: str = typer.Argument(...), mirror: Optional[Path] = _MIRROR) -> None:
    """Re-hash every file of NAME where tasks read it (mirror, else cache)."""
    from benchmarks.data.registry import files, verify as do_verify

    folder = do_verify(name, mirror=mirror)
    console.print(f"{name}: {len(files(name))} files OK (sha256) in {folder}", highlight=False)


@data_app.command("where")
def where(name: str = typer.Argument(...), mirror: Optional[Path] = _MIRROR) -> None:
    """Print the folder tasks read NAME from."""
    from benchmarks.data.registry import where as do_where

    console.print(str(do_where(name, mirror=mirror)), highlight=False, soft_wrap=True)
