"""`--executor ray` on a real local Ray cluster: output byte-identical to the local executor (also after
a resume with another worker count), and a worker killed mid-item is redone without duplicates."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engines.executors import ExecutorSpec
from builders.common.jobs import run_items
from core.checkpointed import CheckpointedJsonl

ITEMS = [{"id": f"q{i:03d}", "text": "x" * i} for i in range(40)]


@pytest.fixture(scope="module", autouse=True)
def _ship_this_module_by_value(ray_cluster):
    """pytest imports this file as a top-level module the Ray workers cannot import: send its functions by value."""
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(out: Path, work, *, executor: ExecutorSpec | None = None, items=ITEMS, resume: bool = False) -> None:
    with CheckpointedJsonl(out).open(resume=resume) as writer:
        stats = run_items(items, key=lambda it: it["id"], work=work, writer=writer, ordered=True,
                          show_progress=False, executor=executor)
    assert stats.failed == 0


def _digest(item):
    return {"id": item["id"], "sha": hashlib.sha256(item["text"].encode()).hexdigest()[:16], "n": len(item["text"])}


def test_killed_worker_is_redone_once(ray_cluster, tmp_path):
    marker = tmp_path / "killed-once"

    def work(item):                   # a closure: cloudpickle ships it by value to the Ray workers
        if item["id"] == "q007" and not os.path.exists(marker):
            Path(marker).write_text(str(os.getpid()))
            os._exit(1)               # the worker process dies mid-item, as on an OOM kill
        return _digest(item)

    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    _run(local, _digest)
    _run(distributed, work, executor=ExecutorSpec("ray", num_workers=2))
    assert marker.exists(), "the worker was never killed: the test proves nothing"
    ids = [json.loads(line)["id"] for line in distributed.read_text().splitlines()]
    assert sorted(ids) == [it["id"] for it in ITEMS] and len(set(ids)) == len(ids)
    assert _sha(distributed) == _sha(local)


def test_resume_with_another_worker_count_is_byte_identical(ray_cluster, tmp_path):
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    _run(local, _digest)
    _run(distributed, _digest, executor=ExecutorSpec("ray", num_workers=2), items=ITEMS[:13])
    with open(distributed, "a") as f:
        f.write('{"id": "q013", "sha": "partial')          # a kill -9 in the middle of a line
    _run(distributed, _digest, executor=ExecutorSpec("ray", num_workers=3), resume=True)
    assert _sha(distributed) == _sha(local)


def test_work_error_reaches_the_driver_as_itself(ray_cluster, tmp_path):
    from core import DataError

    def work(item):
        if item["id"] == "q002":
            raise DataError(f"bad item {item['id']}")
        return _digest(item)

    with pytest.raises(DataError, match="bad item q002"):
        _run(tmp_path / "out.jsonl", work, executor=ExecutorSpec("ray", num_workers=2))


def test_webcpm_cli_ray_equals_local(ray_cluster, shared_data, tmp_path):
    corpus = shared_data / "dureader_demo" / "devset" / "search.dev.json"
    runner = CliRunner()
    from bench.cli import app

    outs = {}
    for name, extra in (("local", []), ("ray", ["--executor", "ray", "--num-workers", "2"])):
        outs[name] = tmp_path / f"{name}.jsonl"
        res = runner.invoke(app, ["build", "webcpm", str(outs[name]), "--corpus", str(corpus), "--limit", "20",
                                  "-q", *extra])
        assert res.exit_code == 0, res.output
    assert len(outs["ray"].read_text(encoding="utf-8").splitlines()) == 20
    assert _sha(outs["ray"]) == _sha(outs["local"])
