"""`--executor ray` for QASnowball on a real local Ray cluster: the documents run on Ray workers, the
kept-pair filter in the driver, and every output file equals the local executor's byte for byte."""
from __future__ import annotations

import hashlib

from engines.executors import ExecutorSpec
from builders.qasnowball.loop import SnowballConfig
from builders.qasnowball.run import build


def _files(out):
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.jsonl"))}


def test_ray_equals_local(ray_cluster, cmrc_slice, tmp_path):
    seed, docs = cmrc_slice
    cfg = dict(lang="zh", rounds=2, answers_per_doc=4, questions_per_answer=2, reseed_size=30, seed=7)
    local, distributed = tmp_path / "local", tmp_path / "ray"
    res = build(SnowballConfig(**cfg), seed, docs[:12], local, progress=False)
    build(SnowballConfig(**cfg), seed, docs[:12], distributed, progress=False,
          executor=ExecutorSpec("ray", num_workers=2))
    assert res.records > 0, "nothing generated: the comparison would prove nothing"
    assert "generated.jsonl" in _files(local) and "round_2/docs.jsonl" in _files(local)
    assert _files(distributed) == _files(local)
