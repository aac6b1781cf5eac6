"""`bench` entry point. Each verb lives in its own module; importing it registers it.

User-facing errors (every `core.UserError`: unknown task, bad file, checksum
mismatch...) are printed as one line and exit with status 2; anything else - a FileNotFoundError
of our own code included - is a bug and keeps its traceback.
"""
from __future__ import annotations

import sys

from rich.markup import escape

from bench.cli.app import app, err_console
from core import UserError

# one import per verb module (order = help order)
from bench.cli import run as _run  # noqa: F401 - importing a verb module registers it
from bench.cli import list_ as _list  # noqa: F401 - importing a verb module registers it
from bench.cli import data as _data  # noqa: F401 - importing a verb module registers it
from bench.cli import validate as _validate  # noqa: F401 - importing a verb module registers it
from bench.cli import submit as _submit  # noqa: F401 - importing a verb module registers it
from bench.cli import card as _card  # noqa: F401 - importing a verb module registers it
from bench.cli import leaderboard as _leaderboard  # noqa: F401 - importing a verb module registers it
from bench.cli import export as _export  # noqa: F401 - importing a verb module registers it
from bench.cli import muser as _muser  # noqa: F401 - importing a verb module registers it
from bench.cli import qasnowball as _qasnowball  # noqa: F401 - importing a verb module registers it
from bench.cli import webcpm as _webcpm  # noqa: F401 - importing a verb module registers it
from bench.cli import ultrachat as _ultrachat  # noqa: F401 - importing a verb module registers it
from bench.cli import compare as _compare  # noqa: F401 - importing a verb module registers it
from bench.cli import annotate as _annotate  # noqa: F401 - importing a verb module registers it
from bench.cli import judge_check as _judge_check  # noqa: F401 - importing a verb module registers it


def main() -> None:
    try:
        app()
    except UserError as exc:
        # escaped: a message quoting user data ("field answers[0]", "{qid: [ids]}") is not rich markup
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)


__all__ = ["app", "main"]
