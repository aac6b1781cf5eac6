"""Every registered task, in every declared mode: `bench run` -> `bench submit` -> `bench verify`.

The modes come from the registry (`Task.modes`), so a new task or mode is covered without editing
this file, except for the one line in INPUTS saying how to run the task cheaply (a test below fails
until it is there). Each step is the real CLI in a subprocess; the result must follow its declared
mode, and the main score `bench verify` re-computes must equal the one `bench run` wrote.
Inputs are the cheapest real ones: committed run/prediction files from the data mirror, BM25 or
pool order on the small collections, gold-derived prediction files for QA and the WebCPM modules.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

import pytest

from benchmarks.results import load_result
from benchmarks.tasks.registry import available, get_task
from tests.benchmarks.datasets_fixtures import bench, result_files

WEBCPM_SPLIT = "train"          # the 4 recovered traces leave 1 query/synthesis instance in test, 2 in train


def _qa_predictions(gold_file: Path, out: Path) -> Path:
    """Right for 2 of 3 questions, wrong for the third, every 7th missing: scores strictly inside (0, 100)."""
    from annotation.squad_io import gold_answers

    gold = gold_answers(gold_file)
    preds = {q: (answers[0] if i % 3 else "no such answer") for i, (q, answers) in enumerate(sorted(gold.items()))
             if i % 7}
    out.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def inputs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files the cases below point at: mirror paths, QA prediction files, a WebCPM module folder."""
    from builders.webcpm.answer import extractive_answer
    from builders.webcpm.convert import convert
    from builders.webcpm.recover import recover_traces

    root = tmp_path_factory.mktemp("every_task_mode")
    released = shared_data / "webcpm" / "inference" / "output" / "test_output.json"
    traces = recover_traces(released)
    for t in traces:
        t["answer"] = extractive_answer(t["question"], ["".join(d["desc"] for d in g["datas"]) for g in t["digests"]])
    tasks_dir = root / "webcpm_tasks"
    convert(traces, tasks_dir, ratios=(2, 1, 1), seed=0)
    files = {"data": shared_data, "webcpm_released": released, "webcpm_tasks": tasks_dir}
    for module in ("query", "fact", "synthesis"):
        rows = [json.loads(line) for line in
                (tasks_dir / module / f"{WEBCPM_SPLIT}.jsonl").read_text(encoding="utf-8").splitlines()]
        preds = [{"id": r["id"], "prediction": r["target"] if i == 0 else r["target"][: len(r["target"]) // 2]}
                 for i, r in enumerate(rows)]
        path = root / f"webcpm-{module}.predictions.jsonl"
        path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds), encoding="utf-8")
        files[f"webcpm-{module}"] = path
    for task, gold in (("cmrc2018-dev", "cmrc2018/cmrc2018_dev.json"), ("xquad-en", "xquad/xquad.en.json"),
                       ("xquad-zh", "xquad/xquad.zh.json")):
        files[task] = _qa_predictions(shared_data / gold, root / f"{task}.predictions.json")
    # ultrachat-eval: a judgments bundle (real questions, stored answers and judge replies) re-scored
    # without a judge - the same path `bench verify` takes; the live judge runs in tests/benchmarks/judging
    from benchmarks.data.registry import dataset_sha
    from tests.benchmarks.judging.test_bundle import _bundle

    bundle = _bundle(shared_data)
    bundle.meta["dataset_sha"] = dataset_sha("ultrachat")
    files["ultrachat-eval"] = bundle.save(root / "ultrachat-eval.judgments.jsonl")
    # judge-check: two models' bundles against one baseline with two annotators' verdicts and ratings
    from benchmarks.judge_check.checkfile import build
    from tests.benchmarks.judge_check.test_checkfile import RATINGS, _bundles, _humans

    files["judge-check"] = build(_bundles(root, shared_data), _humans(), RATINGS, root / "judge-check.check.jsonl",
                                 n_boot=200)
    return files


def _generation(task: str) -> Callable[[dict[str, Path]], tuple[list[str], list[str]]]:
    return lambda f: (["--predictions", str(f[task]), "--data-dir", str(f["webcpm_tasks"]), "--split", WEBCPM_SPLIT],
                      ["--data-dir", f"webcpm={f['webcpm_tasks']}"])


# task -> inputs -> (`bench run` arguments, `bench submit/verify` arguments)
INPUTS: dict[str, Callable[[dict[str, Path]], tuple[list[str], list[str]]]] = {
    "cranfield": lambda f: (["--retriever", "bm25"], []),
    "vaswani": lambda f: (["--retriever", "bm25"], []),
    "lecard": lambda f: (["--retriever", "pool-order"], []),
    # LeCaRD's bm25 run is stored worst-first: the scoring param must travel to the re-score
    "lecard-paper": lambda f: (["--run", str(f["data"] / "lecard/data/prediction/bm25_top100.json"),
                                "--param", "reverse=true"], []),
    "muser": lambda f: (["--run", str(f["data"] / "muser/predictions/bm25_top100.json")], []),
    "cmrc2018-dev": lambda f: (["--predictions", str(f["cmrc2018-dev"])], []),
    "xquad-en": lambda f: (["--predictions", str(f["xquad-en"])], []),
    "xquad-zh": lambda f: (["--predictions", str(f["xquad-zh"])], []),
    "webcpm-action": lambda f: (["--predictions", str(f["webcpm_released"])], []),
    "webcpm-query": _generation("webcpm-query"),
    "webcpm-fact": _generation("webcpm-fact"),
    "webcpm-synthesis": _generation("webcpm-synthesis"),
    "ultrachat-eval": lambda f: (["--predictions", str(f["ultrachat-eval"])], []),
    "judge-check": lambda f: (["--predictions", str(f["judge-check"])], []),
}

CASES = [(name, mode) for name in available() for mode in get_task(name).modes]


def test_every_registered_task_has_inputs() -> None:
    assert sorted(INPUTS) == available(), "add the new task's cheapest inputs to INPUTS"


def test_modes_are_declared_consistently() -> None:
    for name in available():
        task = get_task(name)
        assert task.default_mode in task.modes and task.main_score == task.modes[task.default_mode].main_score
        for key, mode in task.modes.items():
            assert key == mode.name and mode.main_score in mode.metrics


def test_unknown_mode_is_one_line_listing_the_valid_ones(tmp_path: Path) -> None:
    proc = bench("run", "muser", "--run", str(tmp_path / "never-read.json"), "--mode", "strict",
                 "-o", str(tmp_path), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: task muser: unknown --mode 'strict'; valid modes: paper, paper-head, standard"]
    assert not list(tmp_path.iterdir())                # refused before any work or output


@pytest.mark.parametrize("name, mode", CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_run_submit_verify(name: str, mode: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    task = get_task(name)
    declared = task.modes[mode]
    run_args, check_args = INPUTS[name](inputs)
    results = tmp_path / "results"
    mode_args = [] if mode == task.default_mode else ["--mode", mode]       # the default is taken unasked
    bench("run", name, *run_args, *mode_args, "-o", str(results), "-q")

    [path] = result_files(results)
    result = load_result(path)
    assert result.mode == mode and result.run_format == task.run_format
    assert result.main_score["metric"] == task.modes[mode].main_score
    assert result.main_score == {"metric": declared.main_score, "set": declared.metric_set,
                                 "value": result.metrics[declared.metric_set][declared.main_score]}
    for other in task.modes.values():                  # every mode's metric set is reported, whatever the mode
        assert set(other.metrics) <= set(result.metrics[other.metric_set])
    assert result.run_file and result.run_sha256
    assert set(result.scoring_params) <= set(task.scoring_params)

    package = tmp_path / "submission.zip"
    bench("submit", str(results), "--out", str(package), *check_args)
    verified = bench("verify", str(package), *check_args).stdout
    found = re.search(rf"^ok \S+: {re.escape(name)} mode=(\S+) / .* (\S+) = (\S+)$", verified, re.M)
    assert found, verified
    assert found.group(1) == mode and found.group(2) == declared.main_score
    assert float(found.group(3)) == result.main_score["value"]
    assert "accepted (1 result(s))" in verified
