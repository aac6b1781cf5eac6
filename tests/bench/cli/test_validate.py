"""`bench validate NAME PATH`: one command dispatching through annotation/registry.py, on real files."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from annotation.issues import Issue
from annotation.registry import VALIDATORS, Validator
from bench.cli import app
from tests.muser_support import FIXTURES as MUSER_FIXTURES

REPO = Path(__file__).resolve().parents[3]
runner = CliRunner()


def _write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _muser(tmp: Path, data: Path) -> tuple[Path, Path, str]:
    cases = json.loads((MUSER_FIXTURES / "cases_pool.json").read_text(encoding="utf-8"))
    bad = copy.deepcopy(cases)
    bad["102"]["split_labels"]["aqbq"]["level2"].append("银行转账交付借款")    # a level-3 name at level 2
    return MUSER_FIXTURES / "cases_pool.json", _write_json(tmp / "cases_pool.json", bad), \
        "record 102 field split_labels.aqbq.level2["


def _webcpm(tmp: Path, data: Path) -> tuple[Path, Path, str]:
    good = data / "webcpm" / "run_web_browsing" / "intermediate_file" / "test.json"
    trace = json.loads(good.read_text(encoding="utf-8"))
    trace["data"][0]["answer"] = 5
    return good, _write_json(tmp / "bad.json", trace), "record test_001 field answer"


def _qa(tmp: Path, data: Path) -> tuple[Path, Path, str]:
    good = data / "squad_v2_sample" / "sample.json"
    sample = json.loads(good.read_text(encoding="utf-8"))
    sample["data"][0]["answers"]["answer_start"][0] = 3                       # no longer points at "France"
    return good, _write_json(tmp / "bad.json", sample), "record 56ddde6b9a695914005b9628"


def _ultrachat(tmp: Path, data: Path) -> tuple[Path, Path, str]:
    good, bad = tmp / "good.jsonl", tmp / "bad.jsonl"
    good.write_text(json.dumps({"id": "x", "data": ["Q?", "A."]}) + "\n", encoding="utf-8")
    bad.write_text(json.dumps({"id": "x", "data": ["only a question"]}) + "\n", encoding="utf-8")
    return good, bad, "bad.jsonl:1 record x field data: a dialogue needs"


CASES: dict[str, Callable[[Path, Path], tuple[Path, Path, str]]] = {
    "muser": _muser, "webcpm": _webcpm, "qa": _qa, "ultrachat": _ultrachat}


def test_every_registered_validator_has_a_case() -> None:
    assert set(CASES) == set(VALIDATORS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dispatch_good_and_bad_file(name: str, tmp_path: Path, shared_data: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))       # MUSER's --schema default: the registry's
    good, bad, where = CASES[name](tmp_path, shared_data)
    r = runner.invoke(app, ["validate", name, str(good)])
    assert r.exit_code == 0 and "0 error(s)" in r.output, r.output
    r = runner.invoke(app, ["validate", name, str(bad)])
    assert r.exit_code == 2, r.output
    text = r.output.replace("\n", "")
    assert where in text and "error" in text and "1 error(s)" in text, r.output
    r = runner.invoke(app, ["validate", name, str(bad), "--json", "--no-warnings"])
    rows = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    assert r.exit_code == 2 and len(rows) == 1 and rows[0]["severity"] == "error" and rows[0]["file"] == str(bad)
    assert rows[0]["field"] or rows[0]["line"], rows


def test_muser_warnings_limit_and_agreement_notes(tmp_path: Path, shared_data: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    r = runner.invoke(app, ["validate", "muser", str(MUSER_FIXTURES / "cases_pool.json"), "--limit", "1"])
    assert r.exit_code == 0 and r.output.count("warning ") == 1 and "0 error(s), 4 warning(s)" in r.output
    assert "3 more not shown" in r.output
    r = runner.invoke(app, ["validate", "muser", str(MUSER_FIXTURES / "cases_pool.json"), "--no-warnings"])
    assert r.exit_code == 0 and "warning " not in r.output
    r = runner.invoke(app, ["validate", "muser", str(MUSER_FIXTURES / "judgments.jsonl")])
    assert r.exit_code == 0 and "agreement zyjd (8 pairs)" in r.output, r.output
    # an explicit --schema wins over the registry default: an empty folder is reported, not ignored
    (tmp_path / "empty").mkdir()
    r = runner.invoke(app, ["validate", "muser", str(MUSER_FIXTURES / "cases_pool.json"), "--schema",
                            str(tmp_path / "empty")])
    assert r.exit_code == 2 and str(tmp_path / "empty") in r.output.replace("\n", "")


def _lines(path: Path) -> list[Issue]:
    """A validator as a new dataset would add it: every empty line is an error."""
    return [Issue(str(path), "empty line", line=n) for n, t in enumerate(path.read_text().splitlines(), 1) if not t]


def test_a_new_validator_is_one_registry_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(VALIDATORS, "lines", Validator(f"{__name__}:_lines", "a text file"))
    f = tmp_path / "t.txt"
    f.write_text("a\n\nb\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", "lines", str(f)])
    assert r.exit_code == 2 and f"{f}:2: empty line" in r.output.replace("\n", ""), r.output


def _bench(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=REPO, env=env, capture_output=True,
                          text=True)


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    p = _bench("validate", "nope", str(tmp_path))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "no validator for 'nope'; known: muser, qa, ultrachat, webcpm" in p.stderr
    p = _bench("validate", "qa", str(tmp_path / "missing.json"))
    assert p.returncode == 2 and "missing.json: no such file or folder" in p.stderr and "Traceback" not in p.stderr
    p = _bench("validate", "webcpm", str(tmp_path))                       # a folder where a file is needed
    assert p.returncode == 2 and "is a directory" in p.stderr and "Traceback" not in p.stderr
    (tmp_path / "latin1.jsonl").write_bytes(b'{"_id": "caf\xe9"}\n')
    p = _bench("validate", "webcpm", str(tmp_path / "latin1.jsonl"))
    # a bad line is one issue of the list (the validator goes on to the next line), still exit 2
    assert p.returncode == 2 and "latin1.jsonl:1: not UTF-8" in p.stdout and "Traceback" not in p.stderr + p.stdout
    p = _bench("validate", "qa", str(tmp_path / "latin1.jsonl"), "--schema", str(tmp_path))
    assert p.returncode == 2 and "validate qa: no option --schema; accepted: none" in p.stderr
