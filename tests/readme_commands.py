"""Every command of README.md and of the documentation pages (docs/**/*.md), extracted so they can be checked.

Why: the README and the pages are the contract with a user. `extract()` lists each command of their ```bash
blocks (continuation lines joined, comments stripped; a heredoc or a quoted string that spans lines stays one
command); `bench_argvs()` gives the `bench` argument lists that tests/test_readme_commands.py dry-parses, so the
pages cannot drift from the CLI. Pages are read in the order of mkdocs.yml's `nav` (README.md first), which is also
the order a reader follows: a page may use what an earlier page built. `<!-- section: NAME -->` marks a section
(default: the page's path under docs/, or `intro` for the README).

Run them for real in a fresh venv (made with README command 1 only):

    python3 -m venv /tmp/freshvenv && /tmp/freshvenv/bin/pip install -r requirements.txt
    python3 tests/readme_commands.py --run --venv /tmp/freshvenv --scratch /tmp/readme_run

Each command runs in page order in one scratch folder (`../shared/data`, `tests/`, `examples/` and the docs link to
the real ones), with HF_HUB_OFFLINE=1 and BENCH_DATA_MIRROR=../shared/data, as one shell session would: a variable a
command exports is set for the commands after it. A server a page starts in the background (`... & echo $! >
NAME.pid`) is stopped when the run ends. Each command is classified `ok`, `user-error` (exit 2, one `error:` line),
`traceback` or `fail`. Placeholders (MODEL, your own file...) and commands that need a server, a GPU or many CPU
minutes are replaced by the runnable variant in `readme_overrides.py`, which also says which ones are expected to
stop with a one-line error. A command that needs an override only because the page got it wrong is a docs bug:
fix the page.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
MKDOCS = REPO / "mkdocs.yml"
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Command:
    """One command of a ```bash block: its page, line, section and text (comments stripped)."""

    line: int
    section: str
    text: str
    comment: str = ""
    runs: list[str] = field(default_factory=list)
    page: str = "README.md"

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    """README.md, then the docs pages in mkdocs.yml nav order, then any page the nav does not list."""
    in_nav: list[Path] = []
    if MKDOCS.is_file():
        text = MKDOCS.read_text(encoding="utf-8")
        nav = text[text.index("\nnav:"):] if "\nnav:" in text else ""
        for name in re.findall(r"^\s*-\s+(?:[^:\n]+:\s+)?(\S+\.md)\s*$", nav, re.M):
            path = DOCS / name
            if path.is_file() and path not in in_nav:
                in_nav.append(path)
    rest = sorted(p for p in DOCS.rglob("*.md") if p not in in_nav and "hooks" not in p.relative_to(DOCS).parts) \
        if DOCS.is_dir() else []
    return [README, *in_nav, *rest]


def page_name(path: Path) -> str:
    return path.resolve().relative_to(REPO).as_posix()


def _scan(line: str, stack: list[str]) -> tuple[list[str], int | None]:
    """Walk one line of shell, updating `stack` (open `'`, `"` and `(` / `$(`); return the heredoc
    terminators it opens and where a comment starts (None: no comment)."""
    heredocs: list[str] = []
    i = 0
    while i < len(line):
        ch, top = line[i], (stack[-1] if stack else "")
        if top == "'":
            if ch == "'":
                stack.pop()
        elif top == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                stack.pop()
            elif line.startswith("$(", i):
                stack.append("(")
                i += 1
        elif ch == "\\":
            i += 1
        elif ch in "'\"":
            stack.append(ch)
        elif line.startswith("$(", i):
            stack.append("(")
            i += 1
        elif ch == "(":
            stack.append("(")
        elif ch == ")" and top == "(":
            stack.pop()
        elif ch == "#" and not stack and (i == 0 or line[i - 1].isspace()):
            return heredocs, i
        elif line.startswith("<<", i) and not line.startswith("<<<", i):
            m = re.match(r"<<-?\s*(['\"]?)([A-Za-z_]\w*)\1", line[i:])
            if m:
                heredocs.append(m.group(2))
                i += m.end() - 1
        i += 1
    return heredocs, None


def extract(readme: Path | None = None) -> list[Command]:
    """Commands of every ```bash block, page by page (`\\` continuations joined; a heredoc, or a quote or `$(`
    left open, continues the command on the next lines, which then keep their line breaks)."""
    commands: list[Command] = []
    for path in ([readme] if readme is not None else pages()):
        commands += _extract_page(path)
    return commands


def _extract_page(path: Path) -> list[Command]:
    page = page_name(path)
    default = "intro" if path == README else path.resolve().relative_to(DOCS).with_suffix("").as_posix()
    commands: list[Command] = []
    section, in_bash, start = default, False, 0
    parts: list[str] = []              # the command so far, one entry per source line
    comments: list[str] = []
    stack: list[str] = []
    heredocs: list[str] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"<!-- section: (\S+) -->", raw)
        if m:
            section = m.group(1)
        if raw.startswith("```") and not parts:
            in_bash = raw.strip() == "```bash" and not in_bash
            continue
        if not in_bash:
            continue
        if not parts:
            start = lineno
        if heredocs:                   # a heredoc body: kept as it is, up to its terminator
            parts.append(raw)
            if raw.strip() == heredocs[0]:
                heredocs.pop(0)
        else:
            opened, comment_at = _scan(raw, stack)
            heredocs += opened
            code = raw if comment_at is None else raw[:comment_at]
            if comment_at is not None:
                comments.append(raw[comment_at + 1:].strip())
            code = code.rstrip()
            if code.endswith("\\") and not stack and not heredocs:
                parts.append(code[:-1] + " ")   # a continuation: joined into one line
                continue
            parts.append(code)
        if heredocs or stack:
            continue
        multiline = len(parts) > 1 and not all(p.endswith(" ") for p in parts[:-1])
        text = "\n".join(p.rstrip() for p in parts).strip() if multiline else " ".join("".join(parts).split())
        if text:
            commands.append(Command(start, section, text, " ".join(c for c in comments if c), page=page))
        parts, comments = [], []
    return commands


def _strip_comment(line: str) -> tuple[str, str]:
    """(command, comment): a `#` outside quotes that starts a word begins the comment."""
    _, at = _scan(line, [])
    return (line.strip(), "") if at is None else (line[:at].strip(), line[at + 1:].strip())


def _shell_only(text: str) -> str:
    """The command's shell on one line: heredoc bodies left out (they are another language), line breaks
    outside quotes made `;` (they end a command, as in the shell)."""
    out, terms, stack = [], [], []
    for line in text.split("\n"):
        if terms:
            if line.strip() == terms[0]:
                terms.pop(0)
            continue
        terms += _scan(line, stack)[0]
        out.append(line + ("\n" if stack else " ; "))
    return "".join(out)


def shell_parts(text: str) -> list[list[str]]:
    """The simple commands of a shell line (split at &&, ||, ;, |, & and line breaks), each as argv."""
    lex = shlex.shlex(_shell_only(text), posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    parts: list[list[str]] = [[]]
    for token in lex:
        if token in ("&&", "||", ";", "|", "&", ";;"):
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def bench_argvs(cmd: Command) -> list[list[str]]:
    """Arguments after `bench` for each `bench` call of the command, page notation removed:
    `[--opt x]` marks an optional part (dropped) and `...` stands for the options shown above."""
    out = []
    for argv in shell_parts(re.sub(r"\[[^\]]*\]", " ", cmd.text)):
        while argv and re.match(r"^[A-Z_]+=", argv[0]):   # VAR=value prefixes
            argv = argv[1:]
        if argv and Path(argv[0]).name == "bench":
            out.append([a for a in argv[1:] if a != "..."])
    return out


# -- running them ----------------------------------------------------------------------------------
def classify(rc: int | None, output: str, stderr: str = "") -> str:
    """ok / user-error (exit 2, one `error:` line that ends stderr, no traceback) / multi-line-error /
    traceback / timeout / fail rc=N."""
    if TRACEBACK in output:
        return "traceback"
    if rc is None:
        return "timeout"
    if rc == 0:
        return "ok"
    lines = [ln for ln in (stderr or output).splitlines() if ln.strip()]
    errors = [i for i, ln in enumerate(lines) if ln.startswith("error:")]
    if rc == 2 and len(errors) == 1:
        return "user-error" if errors[0] == len(lines) - 1 else "multi-line-error"
    return f"fail rc={rc}"


def _prepare(scratch: Path, venv: Path) -> tuple[Path, dict[str, str]]:
    work = scratch / "work"
    work.mkdir(parents=True, exist_ok=True)
    beside = next((p / "shared" / "data" for p in (REPO.parent, REPO.parent.parent) if (p / "shared" / "data").is_dir()),
                  REPO.parent / "shared" / "data")         # a clone sits beside shared/, a worktree one level deeper
    mirror = Path(os.environ.get("BENCH_DATA_MIRROR", beside)).resolve()
    labelstudio = next((p for p in (venv.resolve().parent / ".venv-labelstudio", REPO / ".venv-labelstudio")
                        if p.is_dir()), REPO / ".venv-labelstudio")   # tests/setup.sh makes it beside .venv
    links = [(scratch / "shared", mirror.parent), (work / ".venv", venv.resolve()),
             (work / ".venv-labelstudio", labelstudio)]
    links += [(work / name, REPO / name) for name in ("tests", "examples", "docs", "mkdocs.yml", "requirements.txt",
                                                       "requirements-test.txt", "requirements-docs.txt")]
    for link, target in links:
        if link.is_symlink() and Path(os.readlink(link)) != target:
            link.unlink()                  # a link of an earlier run that points elsewhere
        if not link.exists() and not link.is_symlink():
            link.symlink_to(target)
    env = dict(os.environ)
    env.update(PATH=f"{venv.resolve() / 'bin'}:{env.get('PATH', '')}", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", BENCH_DATA_MIRROR="../shared/data", BENCH_CACHE=str(scratch / "cache"),
               HF_DATASETS_CACHE=str(scratch / "hf_datasets_cache"), VIRTUAL_ENV=str(venv.resolve()))
    env.pop("PYTHONPATH", None)   # the venv's own install (README command 1), not a worktree on the path
    return work, env


SHELL_OWN = {"_", "SHLVL", "PWD", "OLDPWD"}


def _session(command: str, env_file: Path) -> str:
    """The command, then its environment written to `env_file` (what it exported carries to the next one)."""
    return f"{command}\n__rc=$?\nenv -0 > {shlex.quote(str(env_file))}\nexit $__rc\n"


def _read_env(env_file: Path, env: dict[str, str]) -> dict[str, str]:
    if not env_file.is_file():
        return env
    pairs = (item.split("=", 1) for item in env_file.read_bytes().decode(errors="replace").split("\0") if "=" in item)
    return {k: v for k, v in pairs if k not in SHELL_OWN}


def _stop_background(work: Path, since: float) -> None:
    """Stop the servers the pages started in the background (`echo $! > NAME.pid`) during this run."""
    for pid_file in sorted(work.glob("*.pid")):
        if pid_file.stat().st_mtime < since:
            continue
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            print(f"[stop] {pid_file.name}", flush=True)
        except (ValueError, ProcessLookupError, PermissionError):
            pass


def selected(cmd: Command, only: set[str] | None) -> bool:
    """`--only` entries: PAGE:LINE, a whole PAGE, or a bare LINE of README.md."""
    if not only:
        return True
    return cmd.where in only or cmd.page in only or (cmd.page == "README.md" and str(cmd.line) in only)


def run_all(venv: Path, scratch: Path, only: set[str] | None, timeout: int) -> list[dict]:
    """Run every command (or its override) in page order; return one row per command."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from readme_overrides import plan

    work, env = _prepare(scratch, venv)
    env_file = scratch / "session.env"
    started = time.time()
    rows = []
    try:
        for cmd in extract():
            if not selected(cmd, only):
                continue
            how = plan(cmd)
            row = {"page": cmd.page, "line": cmd.line, "section": cmd.section, "command": cmd.text,
                   "expect": how.expect, "ran": how.run, "note": how.note}
            if how.run is None:
                row.update(status="skipped", passed=None, seconds=0.0, last="")
                rows.append(row)
                print(f"[skip] {cmd.where}: {cmd.text[:90]} ({how.note})", flush=True)
                continue
            t0 = time.time()
            for pre in how.before:
                subprocess.run(pre, shell=True, cwd=work, env=env, executable="/bin/bash",
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
            env_file.unlink(missing_ok=True)
            try:
                proc = subprocess.run(_session(how.run, env_file), shell=True, cwd=work, env=env,
                                      executable="/bin/bash", capture_output=True, text=True, timeout=timeout)
                rc, output, stderr = proc.returncode, proc.stdout + proc.stderr, proc.stderr
            except subprocess.TimeoutExpired as exc:
                out, err = (x if isinstance(x, str) else (x or b"").decode(errors="replace")
                            for x in (exc.stdout, exc.stderr))
                rc, output, stderr = None, out + err, err
            env = _read_env(env_file, env)
            status = classify(rc, output, stderr)
            lines = [ln for ln in output.strip().splitlines() if ln.strip()]
            row.update(status=status, seconds=round(time.time() - t0, 1), last=lines[-1][:300] if lines else "",
                       passed=(status == "ok") if how.expect == "ok" else (status == "user-error"))
            if status == "traceback":
                row["traceback"] = output[output.index(TRACEBACK):][-3000:]
            rows.append(row)
            shown = (how.run if how.run != cmd.text else cmd.text).replace("\n", " | ")
            print(f"[{'PASS' if row['passed'] else 'FAIL'}] {cmd.where}: {status} {row['seconds']}s "
                  f"{shown[:110]} | {row['last'][:150]}", flush=True)
    finally:
        _stop_background(work, started)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="store_true", help="run the commands (default: only list them)")
    ap.add_argument("--venv", type=Path, default=REPO / ".venv")
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/readme_run"))
    ap.add_argument("--only", default="", help="comma-separated PAGE:LINE, PAGE (e.g. docs/judge.md) or README LINE")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per command")
    args = ap.parse_args()
    if not args.run:
        for cmd in extract():
            text = cmd.text.replace("\n", "\\n")
            print(f"{cmd.where} [{cmd.section}] {text}")
        return
    only = {x.strip() for x in args.only.split(",") if x.strip()} or None
    rows = run_all(args.venv, args.scratch, only, args.timeout)
    (args.scratch / "readme_results.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    bad = [r for r in rows if r["passed"] is False]
    print(f"{len(rows)} commands: {sum(1 for r in rows if r['passed'])} passed, {len(bad)} failed, "
          f"{sum(1 for r in rows if r['passed'] is None)} skipped; results in {args.scratch / 'readme_results.json'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
