"""Every command of README.md, extracted so the "README command 1 is enough" check can be re-run.

Why: the README is the contract with a new user (issue 11, part 5). `extract()` lists each command of
its ```bash blocks (continuation lines joined, comments stripped); `bench_argvs()` gives the `bench`
argument lists that tests/test_readme_commands.py dry-parses, so the README cannot drift from the CLI.

Run them for real in a fresh venv (made with README command 1 only):

    python3 -m venv /tmp/freshvenv && /tmp/freshvenv/bin/pip install -r requirements.txt
    python3 tests/readme_commands.py --run --venv /tmp/freshvenv --scratch /tmp/readme_run

Each command runs in README order in one scratch folder (`../shared/data` and `tests/` link to the
real ones), with HF_HUB_OFFLINE=1 and BENCH_DATA_MIRROR=../shared/data, and is classified: `ok`,
`user-error` (exit 2, one `error:` line), `traceback` or `fail`. README placeholders (MODEL, MY_DATASET...)
and commands that need a server or many CPU minutes are replaced by the runnable variant in
`readme_overrides.py`, which also says which ones are expected to stop with a one-line error.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Command:
    """One command of a ```bash block: its README line, section and text (comments stripped)."""

    line: int
    section: str
    text: str
    comment: str = ""
    runs: list[str] = field(default_factory=list)


def extract(readme: Path = README) -> list[Command]:
    """Commands of every ```bash block, in README order (`\\` continuations joined)."""
    commands: list[Command] = []
    section, in_bash, pending, start = "intro", False, "", 0
    for lineno, raw in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"<!-- section: (\S+) -->", raw)
        if m:
            section = m.group(1)
        if raw.startswith("```"):
            in_bash = raw.strip() == "```bash" and not in_bash
            continue
        if not in_bash:
            continue
        if not pending:
            start = lineno
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full, pending = pending + line, ""
        text, comment = _strip_comment(full)
        if text:
            commands.append(Command(start, section, " ".join(text.split()), comment))
    return commands


def _strip_comment(line: str) -> tuple[str, str]:
    """(command, comment): a `#` outside quotes that starts a word begins the comment."""
    quote, prev = "", " "
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and prev.isspace():
            return line[:i].strip(), line[i + 1:].strip()
        prev = ch
    return line.strip(), ""


def shell_parts(text: str) -> list[list[str]]:
    """The simple commands of a shell line (split at &&, ||, ;, |), each as argv."""
    lex = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    parts: list[list[str]] = [[]]
    for token in lex:
        if token in ("&&", "||", ";", "|", "&"):
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def bench_argvs(cmd: Command) -> list[list[str]]:
    """Arguments after `bench` for each `bench` call of the command, README notation removed:
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
    for link, target in ((scratch / "shared", mirror.parent), (work / "tests", REPO / "tests"),
                         (work / ".venv", venv.resolve()), (work / "requirements.txt", REPO / "requirements.txt")):
        if not link.exists() and not link.is_symlink():
            link.symlink_to(target)
    env = dict(os.environ)
    env.update(PATH=f"{venv.resolve() / 'bin'}:{env.get('PATH', '')}", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", BENCH_DATA_MIRROR="../shared/data", BENCH_CACHE=str(scratch / "cache"),
               HF_DATASETS_CACHE=str(scratch / "hf_datasets_cache"), VIRTUAL_ENV=str(venv.resolve()))
    env.pop("PYTHONPATH", None)   # the venv's own install (README command 1), not a worktree on the path
    return work, env


def run_all(venv: Path, scratch: Path, only: set[int] | None, timeout: int) -> list[dict]:
    """Run every README command (or its override) in README order; return one row per command."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from readme_overrides import plan

    work, env = _prepare(scratch, venv)
    rows = []
    for cmd in extract():
        if only and cmd.line not in only:
            continue
        how = plan(cmd)
        row = {"line": cmd.line, "section": cmd.section, "command": cmd.text, "expect": how.expect,
               "ran": how.run, "note": how.note}
        if how.run is None:
            row.update(status="skipped", passed=None, seconds=0.0, last="")
            rows.append(row)
            print(f"[skip] {cmd.line}: {cmd.text[:90]} ({how.note})", flush=True)
            continue
        t0 = time.time()
        for pre in how.before:
            subprocess.run(pre, shell=True, cwd=work, env=env, executable="/bin/bash",
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        try:
            proc = subprocess.run(how.run, shell=True, cwd=work, env=env, executable="/bin/bash",
                                  capture_output=True, text=True, timeout=timeout)
            rc, output, stderr = proc.returncode, proc.stdout + proc.stderr, proc.stderr
        except subprocess.TimeoutExpired as exc:
            out, err = (x if isinstance(x, str) else (x or b"").decode(errors="replace")
                        for x in (exc.stdout, exc.stderr))
            rc, output, stderr = None, out + err, err
        status = classify(rc, output, stderr)
        lines = [ln for ln in output.strip().splitlines() if ln.strip()]
        row.update(status=status, seconds=round(time.time() - t0, 1), last=lines[-1][:300] if lines else "",
                   passed=(status == "ok") if how.expect == "ok" else (status == "user-error"))
        if status == "traceback":
            row["traceback"] = output[output.index(TRACEBACK):][-3000:]
        rows.append(row)
        print(f"[{'PASS' if row['passed'] else 'FAIL'}] {cmd.line}: {status} {row['seconds']}s "
              f"{(how.run if how.run != cmd.text else cmd.text)[:110]} | {row['last'][:150]}", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="store_true", help="run the commands (default: only list them)")
    ap.add_argument("--venv", type=Path, default=REPO / ".venv")
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/readme_run"))
    ap.add_argument("--only", default="", help="comma-separated README line numbers")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per command")
    args = ap.parse_args()
    if not args.run:
        for cmd in extract():
            print(f"{cmd.line:4d} [{cmd.section}] {cmd.text}")
        return
    only = {int(x) for x in args.only.split(",") if x.strip()} or None
    rows = run_all(args.venv, args.scratch, only, args.timeout)
    (args.scratch / "readme_results.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    bad = [r for r in rows if r["passed"] is False]
    print(f"{len(rows)} commands: {sum(1 for r in rows if r['passed'])} passed, {len(bad)} failed, "
          f"{sum(1 for r in rows if r['passed'] is None)} skipped; results in {args.scratch / 'readme_results.json'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
