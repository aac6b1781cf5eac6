"""`bench` entry point. Each verb lives in its own module; importing it registers it.

User-facing errors (every `annotation.floor.UserError`: unknown task, bad file, checksum
mismatch...) are printed as one line and exit with status 2; anything else - a FileNotFoundError
of our own code included - is a bug and keeps its traceback.
"""
from __future__ import annotations

import sys

from rich.markup import escape

from benchmarks.cli.app import app, err_console
from annotation.floor import UserError

# one import per verb module (order = help order)
from benchmarks.cli import run as _run  # noqa: E402,F401
from benchmarks.cli import list_ as _list  # noqa: E402,F401
from benchmarks.cli import data as _data  # noqa: E402,F401
from benchmarks.cli import validate as _validate  # noqa: E402,F401
from benchmarks.cli import submit as _submit  # noqa: E402,F401
from benchmarks.cli import card as _card  # noqa: E402,F401
from benchmarks.cli import leaderboard as _leaderboard  # noqa: E402,F401
from benchmarks.cli import export as _export  # noqa: E402,F401
from benchmarks.cli import muser as _muser  # noqa: E402,F401
from benchmarks.cli import qasnowball as _qasnowball  # noqa: E402,F401
from benchmarks.cli import webcpm as _webcpm  # noqa: E402,F401
from benchmarks.cli import ultrachat as _ultrachat  # noqa: E402,F401
from benchmarks.cli import compare as _compare  # noqa: E402,F401
from benchmarks.cli import annotate as _annotate  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except UserError as exc:
        # escaped: a message quoting user data ("field answers[0]", "{qid: [ids]}") is not rich markup
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)


__all__ = ["app", "main"]
