"""`bench annotate`: the human annotation round trip through Label Studio.

export KIND SRC OUT -> label_config.xml + tasks.json (model pre-annotations); push OUT -> a project on a
running server; pull -> its JSON export; import KIND EXPORT.json OUT -> validated records,
judgments.jsonl (muser-pairs), agreement.json, adjudication.jsonl. The server token is read from the
environment variable named by --token-env and never printed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from bench.cli.app import app, console
from core.options import parse_key_values

annotate_app = typer.Typer(help="Human annotation round trip on Label Studio (export, push, pull, import).",
                           no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")

PARAM_HELP = "Kind parameter KEY=VALUE (repeatable), e.g. queries=101,104 per_query=5 limit=50 view=aqbq."


def _params(values: list[str]) -> dict[str, str]:
    from annotation.labelstudio.base import LabelStudioError

    return parse_key_values(values, flag="--param", error=LabelStudioError, json_values=False)


@annotate_app.command("kinds")
def kinds_cmd() -> None:
    """List the annotation kinds."""
    from annotation.labelstudio.registry import available, get_kind

    for name in available():
        console.print(f"{name}: {get_kind(name).description}")


@annotate_app.command("export")
def export_cmd(
    kind: str = typer.Argument(..., help="muser-pairs, muser-elements, qasnowball-qa, ultrachat-ratings or ultrachat-pairwise."),
    src: Path = typer.Argument(..., help="Source records (a built MUSER folder, a QA/dialogue JSONL...)."),
    out: Path = typer.Argument(..., help="Folder to write (replaced atomically)."),
    param: list[str] = typer.Option([], "--param", "-p", help=PARAM_HELP),
) -> None:
    """Write a Label Studio label config and tasks with model pre-annotations."""
    from annotation.labelstudio.roundtrip import export_kind

    m = export_kind(kind, src, out, _params(param))
    console.print(f"{out}: {m['tasks']} tasks ({m['predictions']} with pre-annotations), label_config.xml")


@annotate_app.command("import")
def import_cmd(
    kind: str = typer.Argument(...),
    export: Path = typer.Argument(..., help="Label Studio JSON export (or what `bench annotate pull` wrote)."),
    out: Path = typer.Argument(..., help="Folder to write (replaced atomically)."),
    param: list[str] = typer.Option([], "--param", "-p", help=PARAM_HELP),
) -> None:
    """Validate annotations and write records, agreement and the adjudication list."""
    from annotation.labelstudio.roundtrip import import_export

    s = import_export(kind, export, out, _params(param))
    for w in s["warnings"][:10]:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)
    table = Table("field", "items x2+", "Cohen (pairs)", "Fleiss", "alpha")
    for fld, a in s["agreement"].items():
        cohen = ", ".join(f"{v['kappa']:.3f}" for v in a.get("cohen_kappa", {}).values())
        fleiss = f"{a['fleiss_kappa']['kappa']:.3f}" if "fleiss_kappa" in a else "-"
        alpha = ", ".join(f"{k} {v:.3f}" for k, v in a.get("krippendorff_alpha", {}).items())
        table.add_row(fld, str(a["items_with_several"]), cohen or "-", fleiss, alpha or "-")
    console.print(table)
    console.print(f"{out}: {s['records']} records from {len(s['annotators'])} annotator(s) on {s['tasks']} tasks; "
                  f"{s['disagreements']} disagreement(s) in adjudication.jsonl")


@annotate_app.command("push")
def push_cmd(
    folder: Path = typer.Argument(..., help="A folder written by `bench annotate export`."),
    url: str = typer.Option(..., "--url", help="Label Studio server, e.g. http://127.0.0.1:8080"),
    token_env: str = typer.Option(..., "--token-env", help="Name of the environment variable holding the token."),
    title: Optional[str] = typer.Option(None, "--title"),
) -> None:
    """Create a project with the label config and import the tasks (writes FOLDER/project.json)."""
    from annotation.labelstudio.client import push, token_from_env

    info = push(folder, url, lambda: token_from_env(token_env), title)
    console.print(f"project {info['project']} at {url}: {info['tasks']} tasks, {info['predictions']} predictions")


@annotate_app.command("pull")
def pull_cmd(
    out: Path = typer.Argument(..., help="JSON file to write (the project's export)."),
    url: str = typer.Option(..., "--url"),
    token_env: str = typer.Option(..., "--token-env"),
    project: Optional[int] = typer.Option(None, "--project", help="Project id (default: FROM/project.json)."),
    source: Optional[Path] = typer.Option(None, "--from", help="The pushed folder (its project.json)."),
) -> None:
    """Fetch the project's annotations as Label Studio's JSON export, annotators named by email."""
    from annotation.labelstudio.client import project_of, pull, token_from_env

    info = pull(url, token_from_env(token_env), project_of(source or Path("."), project), out)
    console.print(json.dumps(info))
