"""kill -9 in round 1 and again in round 2 (of the resumed run) + --resume reproduces an uninterrupted
`bench build qasnowball` byte for byte; a changed config on resume is refused with one line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders.killpoints import bench, kill_at, refused, run, sha256_files

pytestmark = pytest.mark.slow      # `bench build qasnowball` in subprocesses, run after run
DATA_FILES = ["generated.jsonl", "generated.squad.json", "round_1/generated.jsonl", "round_2/generated.jsonl",
              "round_1/docs.jsonl", "round_2/docs.jsonl"]


@pytest.fixture(scope="module")
def inputs(cmrc_slice, shared_data, tmp_path_factory) -> dict[str, Path]:
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.inputs import docs_from_records

    seed, _ = cmrc_slice
    docs = docs_from_records(load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json").records)[:40]
    d = tmp_path_factory.mktemp("qs_kill")
    (d / "seed.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seed), encoding="utf-8")
    (d / "docs.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in docs), encoding="utf-8")
    return {"seed": d / "seed.jsonl", "docs": d / "docs.jsonl"}


def _args(out: Path, inputs: dict[str, Path], *extra: str) -> list[str]:
    return bench("build", "qasnowball", "--out", str(out), "--seed-file", str(inputs["seed"]), "--docs",
                 str(inputs["docs"]), "--lang", "zh", "--rounds", "2", "--answers-per-doc", "4", "--reseed-size", "30",
                 "--seed", "7", "-q", *extra)


def _logs(out: Path) -> list[dict]:
    """Round logs without what may differ between runs: wall times and the `resumed` mark."""
    logs = [json.loads((out / f"round_{t}" / "log.json").read_text(encoding="utf-8")) for t in (1, 2)]
    return [{k: v for k, v in log.items() if k not in ("time_s", "resumed")} for log in logs]


def test_qasnowball_kill9_in_two_rounds_then_resume_is_byte_identical(inputs, tmp_path):
    ref = tmp_path / "ref"
    run(_args(ref, inputs))
    out = tmp_path / "run"
    first = kill_at(_args(out, inputs), out / "round_1" / "docs.jsonl", 3)
    assert not (out / "round_1" / "log.json").exists()                # killed inside round 1
    second = kill_at(_args(out, inputs, "--resume"), out / "round_2" / "docs.jsonl", 3)
    assert not (out / "round_2" / "log.json").exists()                # killed inside round 2
    assert 3 <= first < 20 and 3 <= second < 20, (first, second)
    run(_args(out, inputs, "--resume"))
    names = DATA_FILES + sorted(str(p.relative_to(ref)) for p in (ref / "hf").rglob("*") if p.is_file())
    a, b = sha256_files(ref, names), sha256_files(out, names)
    print(f"qasnowball kill points: round 1 after {first}/20 docs, round 2 after {second}/20 docs; "
          f"sha256 equal for {len(a)} files, generated.jsonl {a['generated.jsonl']} == {b['generated.jsonl']}")
    assert a == b
    assert _logs(ref) == _logs(out)
    assert json.loads((out / "manifest.json").read_text())["resumes"] == 2


def test_qasnowball_changed_config_and_existing_output_refused(inputs, tmp_path):
    out = tmp_path / "o"
    args = _args(out, inputs)
    args[args.index("--rounds") + 1] = "1"
    args[args.index("--answers-per-doc") + 1] = "1"
    run(args)
    before = sha256_files(out, ["generated.jsonl"])
    assert "pass --resume" in refused(args)
    err = refused(args + ["--resume", "--reseed-size", "5"])
    assert "manifest.json: config changed" in err and "snowball.reseed_size: 30 -> 5" in err
    assert sha256_files(out, ["generated.jsonl"]) == before
