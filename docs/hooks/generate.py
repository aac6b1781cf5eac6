"""MkDocs hook: what the site takes from the code at build time, so that it cannot drift from it.

Pages written here (they are not files under docs/):
- `reference/cli.md`: every `bench` command with its arguments and options, generated from the Typer app itself by
  typer's own Markdown generator (`typer.cli.get_docs_for_click`, what `typer ... utils docs` runs);
- `reference/performance-results.md`: `benchmarks/perf/RESULTS.md` as committed (the perf scripts' figures);
- `datasets/<name>.md`: the data cards `data_cards/<name>/README.md` (their YAML front matter left out);
- `changelog.md`: `CHANGELOG.md`;
- `assets/leaderboard.png`: the leaderboard screenshot (`benchmarks/leaderboard/screenshot.png`).

In the hand-written pages:
- `<!-- conventions: MODULE -->` is replaced by the `CONVENTIONS` dict of that module (the texts every result
  carries in its `conventions` field);
- the field table of `reference/results.md` is compared with `benchmarks.results.Result`: a field missing from the
  page, a field the code does not have, or another schema version is a warning, which fails `mkdocs build --strict`.

The CLI app is `bench.cli.app` (importing `bench.cli` registers every verb).
"""
from __future__ import annotations

import dataclasses
import importlib
import logging
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "perf" / "RESULTS.md"
SCREENSHOT = ROOT / "benchmarks" / "leaderboard" / "screenshot.png"
CARDS = ROOT / "data_cards"
CHANGELOG = ROOT / "CHANGELOG.md"
log = logging.getLogger("mkdocs.plugins.databench")


def _import(name: str):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))          # document this checkout, not another install
    return importlib.import_module(name)


def bench_app():
    """The Typer app with every verb registered (importing `bench.cli` registers them)."""
    return _import("bench.cli").app


def cli_reference() -> str:
    import typer
    from typer.cli import MARKUP_MODE_KEY, get_docs_for_click

    app = bench_app()
    command = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="bench")
    ctx.ensure_object(dict)
    ctx.obj[MARKUP_MODE_KEY] = getattr(app, "rich_markup_mode", None)
    body = get_docs_for_click(obj=command, ctx=ctx, name="bench", title="CLI reference")
    title, rest = body.split("\n", 1)
    intro = ("Every `bench` command, its arguments and options. This page is generated from the CLI itself (the "
             "Typer app in `bench/cli/`) each time the site is built, so it always matches the code; add `--help` "
             "to a command to see the same in a terminal. The other pages show the commands in use.")
    return f"{title}\n\n{intro}\n{rest.rstrip()}\n"


def included(path: Path, note: str) -> str:
    """A Markdown file as a page: its own title, then a line saying where it comes from."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):                      # a data card's YAML front matter (Hub metadata)
        text = text.split("\n---\n", 1)[1]
    title, rest = text.lstrip().split("\n", 1)
    return f"{title}\n\n*{note}*\n\n{rest.lstrip()}"


def on_files(files: Files, config) -> Files:
    files.append(File.generated(config, "reference/cli.md", content=cli_reference()))
    files.append(File.generated(config, "reference/performance-results.md", content=included(
        RESULTS, "This page is `benchmarks/perf/RESULTS.md`, included as committed; the commands that produce it "
                 "are on [Performance](performance.md).")))
    for card in sorted(CARDS.glob("*/README.md")):
        name = card.parent.name
        files.append(File.generated(config, f"datasets/{name}.md", content=included(
            card, f"The data card `data_cards/{name}/README.md`, included as committed; its statistics block is "
                  f"written by `bench card {name}` from the data.")))
    if CHANGELOG.is_file():
        files.append(File.generated(config, "changelog.md", content=included(
            CHANGELOG, "`CHANGELOG.md` of the repository: how the builders and benchmarks got to what the other "
                       "pages describe.")))
    files.append(File.generated(config, "assets/leaderboard.png", abs_src_path=str(SCREENSHOT)))
    return files


def conventions(module: str) -> str:
    table = getattr(_import(module), "CONVENTIONS")
    return "\n".join(f"- `{key}`: {value}" for key, value in table.items()) + "\n"


def check_results_page(markdown: str) -> None:
    results = _import("benchmarks.results")
    in_code = {f.name for f in dataclasses.fields(results.Result)}
    on_page = set(re.findall(r"^\| `(\w+)` \|", markdown, re.M))
    for name in sorted(in_code - on_page):
        log.warning(f"reference/results.md: Result field {name!r} is not described")
    for name in sorted(on_page - in_code):
        log.warning(f"reference/results.md: describes {name!r}, which Result does not have")
    stated = re.search(r"schema version \*\*(\d+)\*\*", markdown)
    if not stated or int(stated.group(1)) != results.SCHEMA_VERSION:
        log.warning(f"reference/results.md: the code writes schema version {results.SCHEMA_VERSION}")


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri == "reference/results.md":
        check_results_page(markdown)
    return re.sub(r"<!-- conventions: ([\w.]+) -->", lambda m: conventions(m.group(1)), markdown)
