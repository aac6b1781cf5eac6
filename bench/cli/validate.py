"""`bench validate NAME PATH [options]`: one command for every validator of annotation/registry.py.

The options a dataset's entry declares (e.g. MUSER's `--schema`) are added to this command's signature
from the registry, so a new validator needs no CLI code. Exit 0 when there is no error (warnings are
fine), 2 when there is one; every issue is printed with file, line/record and field.
"""
from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape

from annotation.registry import VALIDATORS, available, validate as run_validator
from bench.cli.app import app, console, err_console


def validate_cmd(name: str, path: Path, warnings: bool, as_json: bool, limit: int, **options: Any) -> None:
    from benchmarks.data.registry import where

    result = run_validator(name, path, options, locate=where)
    shown = [i for i in result.issues if warnings or i.severity == "error"]
    printed = shown[:limit] if limit > 0 else shown
    for issue in printed:
        if as_json:
            typer.echo(json.dumps({k: getattr(issue, k) for k in ("severity", "file", "line", "record", "field",
                                                                  "message")}, ensure_ascii=False))
        else:
            color = "red" if issue.severity == "error" else "yellow"
            console.print(f"[{color}]{issue.severity}[/] {escape(str(issue))}", highlight=False, soft_wrap=True)
    more = f" ({len(shown) - len(printed)} more not shown, see --limit)" if len(printed) < len(shown) else ""
    (err_console if as_json else console).print(
        f"[{'red' if result.errors else 'green'}]{result.errors} error(s)[/], {result.warnings} warning(s) "
        f"in {escape(result.path)}{more}", highlight=False, soft_wrap=True)
    for note in result.notes:
        console.print(escape(note), highlight=False, soft_wrap=True)
    raise typer.Exit(2 if result.errors else 0)


def _signature() -> inspect.Signature:
    """validate_cmd's parameters as typer reads them: the common ones plus every option the registry declares."""
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("name", kw, annotation=str, default=typer.Argument(
            ..., help=f"Dataset: {', '.join(available())}.", show_default=False)),
        inspect.Parameter("path", kw, annotation=Path, default=typer.Argument(..., help="File or folder to check.")),
        inspect.Parameter("warnings", kw, annotation=bool, default=typer.Option(
            True, "--warnings/--no-warnings", help="Also list warnings (known quirks of released data).")),
        inspect.Parameter("as_json", kw, annotation=bool, default=typer.Option(
            False, "--json", help="Print issues as JSON lines (severity, file, line, record, field, message).")),
        inspect.Parameter("limit", kw, annotation=int, default=typer.Option(
            0, "--limit", "--max", help="Print at most N issues (0: all); the counts cover all.")),
    ]
    seen = {p.name for p in params}
    for name, entry in VALIDATORS.items():
        for opt in entry.options:
            if opt.keyword not in seen:
                seen.add(opt.keyword)
                params.append(inspect.Parameter(opt.keyword, kw, annotation=Optional[opt.type],
                                                default=typer.Option(None, opt.flag, help=f"({name}) {opt.help}")))
    return inspect.Signature(params)


validate_cmd.__signature__ = _signature()  # type: ignore[attr-defined]
validate_cmd.__annotations__ = {p.name: p.annotation for p in validate_cmd.__signature__.parameters.values()}
validate_cmd.__doc__ = ("Check a dataset's records; prints every issue with file, line/record and field; exit 2 "
                        "on any error.\n\n" + "\n\n".join(f"{n}: PATH is {e.help}." for n, e in VALIDATORS.items()))
app.command("validate")(validate_cmd)
