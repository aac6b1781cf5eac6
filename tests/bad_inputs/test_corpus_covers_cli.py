"""Every `bench` command that reads a user file has a slot in the bad-input corpus.

The command tree comes from the real Typer app (what `bench --help` and each sub-app's --help list),
so a new verb without bad-input cases fails here instead of going untested.
"""
from __future__ import annotations

from pathlib import Path

import typer.main

from tests.bad_inputs.slots import SLOTS, Ctx

# commands that take no user file: only names and options
NO_USER_FILE = {"list", "data where", "annotate kinds",
                "annotate pull"}    # pull reads the server; its --from FOLDER is push's folder (covered there)


def _is_group(cmd: object) -> bool:
    return isinstance(getattr(cmd, "commands", None), dict)


def _leaves(cmd: object, prefix: tuple[str, ...] = ()) -> set[str]:
    if _is_group(cmd):
        return {leaf for name, sub in cmd.commands.items() for leaf in _leaves(sub, prefix + (name,))}
    return {" ".join(prefix)}


def _command_of(argv: list[str], root: object) -> str:
    path, cmd = [], root
    for token in argv:
        if not _is_group(cmd) or token not in cmd.commands:  # type: ignore[attr-defined]
            break
        path.append(token)
        cmd = cmd.commands[token]  # type: ignore[attr-defined]
    return " ".join(path)


def test_every_verb_that_reads_a_file_has_bad_input_cases() -> None:
    from bench.cli import app

    root = typer.main.get_command(app)
    assert _is_group(root)
    verbs = _leaves(root)
    assert {"run", "compare", "submit", "verify", "export", "card", "merge"} <= verbs
    dummy = Ctx(tmp=Path("t"), bad=Path("b"), out=Path("o"), data=Path("d"), repo=Path("r"))
    covered = {_command_of(slot.argv(dummy), root) for slot in SLOTS}
    missing = sorted(verbs - covered - NO_USER_FILE)
    assert not missing, f"verbs without bad-input cases in tests/bad_inputs/slots.py: {missing}"
    assert len({(s.verb, c) for s in SLOTS for c in s.cases}) >= 60
