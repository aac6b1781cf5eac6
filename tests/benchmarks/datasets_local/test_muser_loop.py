"""A MUSER build scored through `--dataset` (its HF folder + a databench.yaml saying `relevance: 5`) gives the
muser task's `standard` mode numbers exactly, for the same run file."""
from __future__ import annotations

from benchmarks.datasets_local import run_local
from benchmarks.tasks.base import RunOptions
from benchmarks.tasks.registry import get_task
from tests.muser_support import built_dataset, muser_dir  # noqa: F401

YAML = """kind: retrieval
name: muser-build
lang: zh
split: test
metrics: [nDCG@10, nDCG@20, nDCG@30, P@10, MAP]
relevance: 5
path: {path}
"""


def test_muser_build_scores_as_the_muser_task(built_dataset, tmp_path):
    task = get_task("muser")
    ref = task.evaluate(RunOptions(retriever="bm25", data_dir=built_dataset, mode="standard", split="test",
                                   output=tmp_path / "task", show_progress=False))
    run = tmp_path / "task" / "muser__bm25.test.run"
    assert run.is_file()
    desc = tmp_path / "muser.databench.yaml"
    desc.write_text(YAML.format(path=built_dataset / "hf"), encoding="utf-8")
    local, _, written = run_local(desc, RunOptions(run_file=run, output=tmp_path / "local", show_progress=False))
    assert written is None and local.task == "local:muser-build"
    assert local.metrics["standard"] == ref.metrics["standard"]
    assert local.per_query["standard"] == ref.per_query["standard"]
    assert "grade >= 5" in local.conventions["relevance"]
