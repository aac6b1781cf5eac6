"""The Typer app and its command groups. Verb modules attach commands to these objects.

The CLI is thin: each command parses options, calls one package function, prints with rich.
"""
from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(name="bench", help="databench: build datasets, run benchmarks, submit results.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
build_app = typer.Typer(help="Build a dataset with one of the builders.", no_args_is_help=True)
stats_app = typer.Typer(help="Statistics of a built dataset.", no_args_is_help=True)
app.add_typer(build_app, name="build")
app.add_typer(stats_app, name="stats")

console = Console(emoji=False)            # `:word:` in data (model ids, file names) is text, not an emoji code
err_console = Console(stderr=True, emoji=False)
