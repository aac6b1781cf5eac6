"""The loop for builders whose tasks have their own metrics: a MUSER build and a WebCPM module folder
scored through `--dataset` give their task's numbers exactly (every mode), and such a result packs and
verifies on its folder. A MUSER build's `hf/` export with `relevance: 5` also gives the `standard` mode."""
from __future__ import annotations

import json
import shutil

import pytest

from benchmarks.datasets_local import run_local
from benchmarks.tasks.base import RunOptions
from benchmarks.tasks.registry import get_task

YAML = """kind: retrieval
name: muser-build
lang: zh
split: test
metrics: [nDCG@10, nDCG@20, nDCG@30, P@10, MAP]
relevance: 5
path: {path}
"""


@pytest.fixture(scope="module")
def muser_ref(built_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("muser_ref")
    ref = get_task("muser").evaluate(RunOptions(retriever="bm25", data_dir=built_dataset, split="test", output=out,
                                                show_progress=False))
    return ref, out / "muser__bm25.test.run"


def test_muser_build_folder_is_the_muser_task(built_dataset, muser_ref, tmp_path):
    ref, _ = muser_ref
    local, path, described = run_local(built_dataset, RunOptions(retriever="bm25", output=tmp_path / "o",
                                                                  show_progress=False))
    assert local.extra["dataset_format"] == "muser" and local.mode == ref.mode == "paper"
    assert local.metrics == ref.metrics and local.per_query == ref.per_query and local.main_score == ref.main_score
    assert "kind: task" in described.read_text(encoding="utf-8")
    from benchmarks.submission.package import pack
    from benchmarks.submission.verify import verify

    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(path, results / path.name)
    shutil.copy(tmp_path / "o" / "muser__bm25.test.run", results / "muser__bm25.test.run")
    data = json.loads((results / path.name).read_text(encoding="utf-8"))
    data["run_file"] = "muser__bm25.test.run"
    (results / path.name).write_text(json.dumps(data), encoding="utf-8")
    zip_path, entries = pack(results, tmp_path / "sub.zip", data_dirs={"ds": built_dataset})
    report = verify(zip_path, data_dirs={"ds": built_dataset})
    assert report.ok, report.problems
    assert [a.result.main_value for a in report.accepted] == [ref.main_value]


def test_muser_hf_export_with_relevance_5_is_the_standard_mode(built_dataset, muser_ref, tmp_path):
    ref, run = muser_ref
    desc = tmp_path / "muser.databench.yaml"
    desc.write_text(YAML.format(path=built_dataset / "hf"), encoding="utf-8")
    local, _, written = run_local(desc, RunOptions(run_file=run, output=tmp_path / "local", show_progress=False))
    assert written is None and local.task == "local:muser-build"
    assert local.metrics["standard"] == ref.metrics["standard"]
    assert local.per_query["standard"] == ref.per_query["standard"]
    assert "grade >= 5" in local.conventions["relevance"]


def test_webcpm_module_folder_is_the_webcpm_task(shared_data, tmp_path):
    from builders.webcpm.answer import extractive_answer
    from builders.webcpm.convert import convert
    from builders.webcpm.recover import recover_traces

    traces = recover_traces(shared_data / "webcpm" / "inference" / "output" / "test_output.json")
    for t in traces:
        t["answer"] = extractive_answer(t["question"], ["".join(d["desc"] for d in g["datas"]) for g in t["digests"]])
    tasks = tmp_path / "tasks"
    convert(traces, tasks, ratios=(2, 1, 1), seed=0)
    for module in ("query", "synthesis"):
        rows = [json.loads(line) for line in (tasks / module / "train.jsonl").read_text(encoding="utf-8").splitlines()]
        preds = tmp_path / f"{module}.jsonl"
        preds.write_text("".join(json.dumps({"id": r["id"], "prediction": r["target"][: len(r["target"]) // (i + 1)]},
                                            ensure_ascii=False) + "\n" for i, r in enumerate(rows)), encoding="utf-8")
        ref = get_task(f"webcpm-{module}").evaluate(RunOptions(predictions=preds, data_dir=tasks, split="train",
                                                               output=tmp_path / "ref", show_progress=False))
        for mode in ("paper", "strict"):
            local, _, _ = run_local(tasks / module, RunOptions(predictions=preds, split="train", mode=mode,
                                                               output=tmp_path / "local", show_progress=False))
            assert local.task == f"local:tasks-{module}" and local.extra["dataset_format"] == "webcpm"
            assert local.metrics == ref.metrics and local.per_query == ref.per_query and local.mode == mode
        assert 0 < ref.metrics["paper"]["rouge_l"] < 1
