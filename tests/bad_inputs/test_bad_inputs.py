"""Bad input never gives a traceback: every (verb, bad input) pair exits 2 with one line naming the file.

The corpus (tests/bad_inputs/corpus.py) is generated into tmp_path; the verbs and which argument takes
the bad input are in tests/bad_inputs/slots.py. Most cases run in-process (the real `main()`, stdout and
stderr captured) to keep the corpus fast; the first case of every verb also runs as a subprocess
(`python -m bench`), which proves the real entry point. Asserted for each case:
- exit code 2 (validators may instead list issues and exit 1);
- stderr is one line, starting with "error:", naming the file (and for line-oriented files the line);
- no "Traceback" anywhere in the output;
- nothing left behind: the output path given on the command line does not exist afterwards and the
  data cards in the repository are unchanged.
BOM + CRLF copies of a valid file must be read exactly like the plain file (same exit code).
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bad_inputs.corpus import BINARY, write_case
from tests.bad_inputs.slots import SLOTS, Ctx, Slot

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def one_error(o: Outcome, *needles: str) -> str:
    """Exit 2, stderr one `error:` line holding every needle (a file name, a field...), no traceback; the line."""
    assert "Traceback" not in o.text, o.text[-3000:]
    assert o.rc == 2, f"exit {o.rc}, expected 2\nstdout: {o.out[-2000:]}\nstderr: {o.err[-2000:]}"
    lines = [ln for ln in o.err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), o.err
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in: {lines[0]}"
    return lines[0]


def ok(o: Outcome) -> Outcome:
    """Exit 0 and no traceback (the valid look-alikes of the silent cases)."""
    assert o.rc == 0 and "Traceback" not in o.text, f"exit {o.rc}\n{o.out[-3000:]}\n{o.err[-3000:]}"
    return o


def run_in_process(args: list[str]) -> Outcome:
    """`bench ARGS` through the real `main()` (its UserError handling included), output captured."""
    from bench.cli import main
    from bench.cli.app import console, err_console

    out, err = io.StringIO(), io.StringIO()
    argv, rc = sys.argv, 0
    sys.argv = ["bench", *args]
    widths = console.width, err_console.width
    console.width = err_console.width = 250     # tables must not wrap file names (as COLUMNS=250 would)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a traceback is exactly what the test reports
        rc = 1
        err.write(traceback.format_exc())
    finally:
        sys.argv = argv
        console.width, err_console.width = widths
    return Outcome(rc, out.getvalue(), err.getvalue())


def run_subprocess(args: list[str], data: Path) -> Outcome:
    env = {**os.environ, "PYTHONPATH": str(REPO), "BENCH_DATA_MIRROR": str(data), "HF_HUB_OFFLINE": "1",
           "COLUMNS": "250"}
    proc = subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def _special(case: str, slot: Slot, ctx: Ctx) -> bool:
    """Cases that need more than bytes in one file; True when handled."""
    bad = ctx.bad
    if case == "duplicate_ids":
        line = slot.good or b'{"id": "a", "_id": "a", "text": "x"}\n'
        if slot.verb.startswith("validate.muser"):
            line = (REPO / "tests" / "fixtures" / "muser" / "judgments.jsonl").read_bytes().splitlines(True)[0]
        bad.write_bytes(line + line)
    elif case in ("bad_result_json", "nan_result"):
        bad.mkdir()
        body = (b'{"schema_version": 2, "task": "cranfield", "model": {"name": "bm25"}, "metrics": {"nDCG@10": '
                + (b"NaN}, " if case == "nan_result" else b"0.3"))
        (bad / "cranfield__bm25.json").write_bytes(body + (b'"main_score": {"metric": "nDCG@10", "value": NaN}}'
                                                          if case == "nan_result" else b""))
    elif case in ("truncated_jsonl", "not_object_jsonl") and slot.good:
        tail = b'{"id": "b", "te' if case == "truncated_jsonl" else b"[1, 2, 3]\n"
        bad.write_bytes(slot.good + tail)       # line 1 is valid for this verb: the error must be at line 2
    elif case == "unknown_ids_json":       # well-formed, but no id belongs to the task
        bad.write_bytes(b'{"999": "nothing"}' if slot.verb == "run.--predictions" else b'{"999": {"nodoc": 1.0}}')
        slot.needles.setdefault(case, "999")
    elif case == "all_filtered":           # valid, but every dialogue is a refusal: nothing to write
        bad.write_bytes(b'{"id": "d1", "data": ["Tell me a joke about cats, please.", '
                        b'"As an AI language model, I cannot tell jokes about cats."]}\n')
    elif case == "folder_with_bad_jsonl":
        bad.mkdir()
        (bad / "ultrachat.jsonl").write_bytes(b'{"id": "a"}\n{"id": ')
    elif case == "folder_of_bad_zips":
        bad.mkdir()
        write_case("zip_traversal", bad / "a.zip")
        write_case("zip_truncated", bad / "b.zip")
    elif case == "qasnowball_bad_build":
        bad.mkdir()
        (bad / "generated.jsonl").write_bytes(b'{"id": "a"}\n{"id": ')
        (bad / "manifest.json").write_bytes(b'{"rounds": [')
    elif case in ("qasnowball_bad_round_log", "qasnowball_bad_round_records"):
        (bad / "round_1").mkdir(parents=True)
        log = b'{"round": 1, "seed_size": ' if case == "qasnowball_bad_round_log" else b'{"round": 1}'
        (bad / "round_1" / "log.json").write_bytes(log)
        (bad / "round_1" / "generated.jsonl").write_bytes(b'{"id": "a", "question": 5}\n')
    elif case == "truncated_xml":
        bad.write_bytes(b'<?xml version="1.0"?>\n<doc>\n<docno>1</docno>\n<title>cut')
    elif case == "muser_bad_cases":
        (bad / "cases").mkdir(parents=True)
        (bad / "cases" / "cases_pool.json").write_bytes(b'{"101": {"uid": "101", "caseID"')
    elif case == "cmrc_bad_dev":
        bad.mkdir()
        (bad / "cmrc2018_dev.json").write_bytes(b'{"data": [{"paragraphs": [')
        (bad / "cmrc2018_trial.json").write_bytes(BINARY)
    elif case == "mirror_bad_file":
        import shutil

        shutil.copytree(ctx.data / "cranfield", bad / "cranfield")
        (bad / "cranfield" / "cranqrel.trec.txt").write_bytes(BINARY)
        slot.needles.setdefault(case, "cranqrel.trec.txt")
    else:
        return False
    return True


def _cards() -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((REPO / "data_cards").rglob("*")) if p.is_file()}


def _restore_cards(before: dict[Path, bytes]) -> list[str]:
    """Put back any card a failing `bench card` rewrote (the repository must never keep such a change)."""
    changed = [p for p, data in before.items() if not p.is_file() or p.read_bytes() != data]
    for p in changed:
        p.write_bytes(before[p])
    return [str(p.relative_to(REPO)) for p in changed]


def _params() -> list:
    params, seen_verbs = [], set()
    for slot in SLOTS:
        for case in slot.cases:
            sub = slot.verb not in seen_verbs and case != "huge_line" and case != "huge_trec_line"
            seen_verbs.add(slot.verb)
            params.append(pytest.param(slot, case, sub, id=f"{slot.verb}-{case}" + ("-subprocess" if sub else "")))
    return params


def assert_clean_error(o: Outcome, slot: Slot, case: str, bad: Path) -> None:
    assert "Traceback" not in o.text, o.text[-3000:]
    lines = [ln for ln in o.err.strip().splitlines() if ln.strip()]
    nothing_to_read = case == "missing"
    listed = slot.expect == "issues" and o.rc == 2 and not nothing_to_read and not o.err.strip()
    if listed:                                   # a validator listing what is wrong (stdout), exit 2
        line = o.out
        assert bad.name in line, f"the issues do not name {bad.name}:\n{o.out[-2000:]}"
    else:
        assert o.rc == 2, f"exit {o.rc}, expected 2\nstdout: {o.out[-1500:]}\nstderr: {o.err[-1500:]}"
        assert len(lines) == 1, f"stderr is {len(lines)} lines, expected one:\n{o.err[-2000:]}"
        line = lines[0]
        assert line.startswith("error:"), line
        assert bad.name in line, f"the message does not name {bad.name}: {line}"
    if slot.lines and case in ("truncated_jsonl", "not_object_jsonl", "non_utf8", "nan_jsonl"):
        # with a valid first line the error must be at line 2; otherwise line 1 may already be refused
        if case in ("truncated_jsonl", "not_object_jsonl") and not slot.good:
            assert re.search(rf"{re.escape(bad.name)}:[12]\b|line [12]\b|record [12]\b", line), \
                f"the message does not name the line: {line}"
        else:
            lineno = 2 if case in ("truncated_jsonl", "not_object_jsonl") else 1
            assert f"{bad.name}:{lineno}" in line or f"line {lineno}" in line or f"record {lineno}" in line, \
                f"the message does not name line {lineno}: {line}"
    needle = slot.needles.get(case)
    if needle:
        assert needle in line, f"{needle!r} not in: {line}"


@pytest.mark.parametrize("slot,case,as_subprocess", _params())
def test_bad_input(slot: Slot, case: str, as_subprocess: bool, tmp_path: Path, shared_data: Path,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    monkeypatch.chdir(tmp_path)                  # a verb that writes to a default path writes here
    ctx = Ctx(tmp=tmp_path, bad=tmp_path / "in" / slot.name, out=tmp_path / slot.out, data=shared_data, repo=REPO)
    if slot.setup:
        slot.setup(ctx)
    if slot.where:
        ctx.bad = slot.where(ctx)
    ctx.bad.parent.mkdir(parents=True, exist_ok=True)
    cards = _cards() if slot.verb.startswith("card") else None
    invoke = (lambda a: run_subprocess(a, shared_data)) if as_subprocess else run_in_process

    if case == "bom_crlf":
        assert slot.good is not None
        ctx.bad.write_bytes(slot.good)
        plain = invoke(slot.argv(ctx))
        assert "Traceback" not in plain.text, plain.text[-3000:]
        import shutil

        if ctx.out.is_dir():
            shutil.rmtree(ctx.out)
        elif ctx.out.exists():
            ctx.out.unlink()
        write_case(case, ctx.bad, good=slot.good)
        o = invoke(slot.argv(ctx))
        assert "Traceback" not in o.text, o.text[-3000:]
        assert o.rc == plain.rc, f"BOM/CRLF read differently: exit {o.rc} vs {plain.rc}\n{o.err[-1500:]}"
        assert o.err.strip() == plain.err.strip(), f"BOM/CRLF read differently:\n{o.err}\nvs\n{plain.err}"
        return

    if not _special(case, slot, ctx):
        write_case(case, ctx.bad)
    before = set(os.listdir(tmp_path))
    try:
        o = invoke(slot.argv(ctx))
    finally:
        changed = _restore_cards(cards) if cards is not None else []
    assert not changed, f"a failed command changed data cards: {changed}"
    assert_clean_error(o, slot, case, ctx.bad)
    assert not ctx.out.exists(), f"partial output left behind: {ctx.out}"
    leftovers = sorted(set(os.listdir(tmp_path)) - before)
    assert not leftovers, f"files left behind (temp files, partial outputs, default paths): {leftovers}"
