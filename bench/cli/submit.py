"""`bench submit RESULTS_DIR --out submission.zip` and `bench verify submission.zip`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from bench.cli.app import app, console
from core.options import parse_key_values

_DATA_DIR_HELP = ("DATASET=FOLDER: re-score results of DATASET that `bench run --data-dir` scored on a local "
                  "folder against FOLDER (repeatable).")


def _data_dirs(values: list[str]) -> dict[str, Path]:
    """`--data-dir webcpm=tasks/` -> {"webcpm": Path("tasks")}; a bad value is a one-line error."""
    from benchmarks.submission import SubmissionError

    expected = "DATASET=FOLDER (e.g. webcpm=tasks/)"
    out: dict[str, Path] = {}
    for name, folder in parse_key_values(values, flag="--data-dir", error=SubmissionError, json_values=False,
                                         expected=expected).items():
        if not folder:
            raise SubmissionError(f"--data-dir {name}=: expected {expected}")
        if not Path(folder).is_dir():
            raise SubmissionError(f"--data-dir {name}={folder}: {folder} is not a folder")
        out[name] = Path(folder)
    return out


@app.command()
def submit(
    results_dir: Path = typer.Argument(..., help="Folder with result JSON files and their run files."),
    out: Path = typer.Option(Path("submission.zip"), "--out", "-o", help="Zip to write."),
    data_dir: list[str] = typer.Option([], "--data-dir", help=_DATA_DIR_HELP),
    model_name: Optional[str] = typer.Option(None, "--model-name", help="The model's name on the leaderboard."),
    model_url: Optional[str] = typer.Option(None, "--model-url", help="Where to read about the model (http(s) URL)."),
    org: Optional[str] = typer.Option(None, "--org", help="Who submits (team, lab, company)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Leave out (and list) JSON files that cannot be read "
                                  "as results, instead of refusing the whole folder."),
) -> None:
    """Check every result (schema, task, re-scored run, run sha) and pack results + runs + manifest.

    Local paths and local endpoint URLs in model params, extra and judgments bundles are scrubbed
    (benchmarks/submission/publish.py)."""
    from benchmarks.submission.package import pack
    from benchmarks.submission.publish import Submitter, unnamed

    submitter = Submitter(model_name=model_name, model_url=model_url, org=org)
    skipped: list[str] = []
    with console.status("re-scoring every run file against its task..."):
        path, entries = pack(results_dir, out, data_dirs=_data_dirs(data_dir), submitter=submitter,
                             skip_bad=skip_bad, on_skip=skipped.append)
    for reason in skipped:
        console.print(f"[yellow]skipped (--skip-bad):[/] {escape(reason)}", highlight=False, soft_wrap=True)
    table = Table(title=f"packed {len(entries)} result(s)" + (f", skipped {len(skipped)}" if skipped else ""))
    for col in ("task", "mode", "model", "main score", "run"):
        table.add_column(col)
    for e in entries:
        table.add_row(e["task"], e.get("mode") or "-", e["model"],
                      f"{e['main_score']['metric']} = {e['main_score']['value']:.4f}", e["run"])
    console.print(table)
    console.print(f"submission: {path}  (check it with `bench verify {path}`)")
    if model_name is None and any(unnamed(e["model"]) for e in entries):
        console.print("[yellow]hint[/]: a result only says it came from a file; name it with --model-name "
                      "(and --model-url, --org) so the leaderboard can show who made what")


@app.command()
def verify(
    package: Path = typer.Argument(..., help="A submission zip written by `bench submit`."),
    no_rescore: bool = typer.Option(False, "--no-rescore", help="Only check the archive, hashes and schema."),
    data_dir: list[str] = typer.Option([], "--data-dir", help=_DATA_DIR_HELP),
) -> None:
    """Re-check a received package: safe paths, sizes, hashes, schema, and re-scored values."""
    from benchmarks.submission.verify import verify_or_raise

    with console.status("verifying..."):
        report = verify_or_raise(package, rescore=not no_rescore, data_dirs=_data_dirs(data_dir))
    for acc in report.accepted:
        ms = acc.result.main_score
        console.print(f"[green]ok[/] {acc.entry['result']}: {acc.result.task} mode={acc.result.mode} / "
                      f"{acc.result.model.name} {ms['metric']} = {ms['value']!r}", soft_wrap=True)
    console.print(f"{package}: accepted ({len(report.accepted)} result(s))")
