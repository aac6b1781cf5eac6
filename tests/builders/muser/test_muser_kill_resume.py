"""kill -9 at two points of `bench build muser` (the per-query pooling + grading job) + --resume gives
the same dataset files, byte for byte, as an uninterrupted build; a changed config on resume is refused."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders.killpoints import bench, kill_at, refused, run, sha256_files
from tests.muser_support import FIXTURES

COPIES = 80          # 12 fixture cases x 80 = 960 cases: each query ranks all of them (slow enough to poll)
QUERIES = 40


@pytest.fixture(scope="module")
def big_cases(tmp_path_factory) -> Path:
    """The fixture cases copied under new numeric ids (texts and labels unchanged, so the schema holds)."""
    cases = json.loads((FIXTURES / "cases_pool.json").read_text(encoding="utf-8"))
    out: dict[str, dict] = {}
    for k in range(COPIES):
        for cid, rec in cases.items():
            new = str(10000 + k * 100 + int(cid) - 100)
            out[new] = {**rec, "uid": new, "caseID": f"{rec['caseID']}-{k}"}
    path = tmp_path_factory.mktemp("muser_kill") / "cases_pool.json"
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return path


def _args(out: Path, cases: Path, schema: Path, *extra: str) -> list[str]:
    return bench("build", "muser", "--cases", str(cases), "--out", str(out), "--schema", str(schema),
                 "--n-queries", str(QUERIES), "--depth", "20", "--pool-size", "30", "--seed", "13", "--quiet", *extra)


def _dataset(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.parts[len(root.parts)] != "job")


def test_muser_kill9_twice_then_resume_is_byte_identical(big_cases, muser_dir, tmp_path):
    schema = muser_dir / "legal_items"
    ref = tmp_path / "ref"
    run(_args(ref, big_cases, schema))
    out = tmp_path / "run"
    checkpoint = out / "job" / "queries.jsonl"
    first = kill_at(_args(out, big_cases, schema), checkpoint, 4)
    second = kill_at(_args(out, big_cases, schema, "--resume"), checkpoint, first + 10)
    assert 4 <= first < second < QUERIES and not (out / "build.json").exists(), (first, second)
    run(_args(out, big_cases, schema, "--resume"))
    names = _dataset(ref)
    assert names == _dataset(out) and "labels/sim_scores.json" in names
    a, b = sha256_files(ref, names + ["job/queries.jsonl"]), sha256_files(out, names + ["job/queries.jsonl"])
    print(f"muser kill points: {first} and {second} of {QUERIES} queries; sha256 equal for {len(a)} files, "
          f"sim_scores.json {a['labels/sim_scores.json']} == {b['labels/sim_scores.json']}")
    assert a == b
    assert json.loads((out / "job" / "manifest.json").read_text())["resumes"] == 2


def test_muser_changed_config_and_existing_output_refused(muser_dir, tmp_path):
    out = tmp_path / "ds"
    args = bench("build", "muser", "--cases", str(FIXTURES / "cases_pool.json"), "--out", str(out), "--schema",
                 str(muser_dir / "legal_items"), "--queries", "101,104", "--depth", "5", "--no-hf", "--quiet")
    run(args)
    before = sha256_files(out)
    assert "pass --resume" in refused(args)
    err = refused(args + ["--resume", "--depth", "6"])
    assert "job/manifest.json: config changed" in err and "depth: 5 -> 6" in err
    assert sha256_files(out) == before
