"""kill -9 at two points + --resume gives the same trace file, byte for byte, as an uninterrupted build;
a resume with another config (policy settings, seed) is refused with one line naming the manifest."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders.killpoints import bench, kill_at, refused, run, sha256_files

N = 25
pytestmark = pytest.mark.slow      # `bench build webcpm` in subprocesses, run after run


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory) -> Path:
    lines = (shared_data / "dureader_demo" / "devset" / "search.dev.json").read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("webcpm_kill") / "corpus.json"
    path.write_text("\n".join(lines[:N]) + "\n", encoding="utf-8")
    return path


def _args(out: Path, corpus: Path, *extra: str) -> list[str]:
    return bench("build", "webcpm", str(out), "--corpus", str(corpus), "--policy", "oracle", "-q", *extra)


def test_webcpm_kill9_twice_then_resume_is_byte_identical(corpus, tmp_path):
    ref = tmp_path / "ref" / "traces.jsonl"
    run(_args(ref, corpus))
    out = tmp_path / "run" / "traces.jsonl"
    first = kill_at(_args(out, corpus), out, 3)
    second = kill_at(_args(out, corpus, "--resume"), out, first + 6)
    assert 3 <= first < second < N, (first, second)
    run(_args(out, corpus, "--resume"))
    a, b = sha256_files(ref.parent, [ref.name]), sha256_files(out.parent, [out.name])
    print(f"webcpm kill points: {first} and {second} of {N} traces; sha256 {a} == {b}")
    assert a == b


def test_webcpm_changed_config_and_existing_output_refused(corpus, tmp_path):
    out = tmp_path / "t.jsonl"
    args = _args(out, corpus, "--limit", "2")
    run(args)
    before = out.read_bytes()
    for extra, needle in (((), "pass --resume"), (("--resume", "--seed", "3"), "meta.seed: 0 -> 3"),
                          (("--resume", "--policy", "replay", "--replay", str(out)), "policy: 'oracle' -> 'replay'")):
        err = refused(args + list(extra))
        assert needle in err and "t.jsonl.manifest.json" in err, err
    assert out.read_bytes() == before          # nothing mixed in
