"""QA tasks: prediction files in the official {qid: answer} format, readers, and the CLI's one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.runner import run_task
from benchmarks.tasks.base import RunOptions, TaskError
from benchmarks.tasks.registry import get_task
from annotation.squad_io import gold_answers

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _mirror(shared_data, monkeypatch):
    """The registry (and CLI subprocesses) read the shared data mirror, as CI does."""
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))


def test_registered():
    for name in ("cmrc2018-dev", "xquad-en", "xquad-zh"):
        assert get_task(name).kind == "qa"


def test_gold_as_predictions_scores_100_and_missing_scores_0(shared_data, tmp_path):
    gold = gold_answers(shared_data / "cmrc2018" / "cmrc2018_dev.json")
    ids = sorted(gold)
    preds = {q: gold[q][0] for q in ids[: len(ids) // 2]}
    p = tmp_path / "p.json"
    p.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    result, path = run_task("cmrc2018-dev", RunOptions(predictions=p, output=tmp_path, show_progress=False))
    m = result.metrics["official"]
    assert m["EM"] == pytest.approx(100 * len(preds) / len(ids))      # missing questions score 0
    assert m["F1"] == pytest.approx(m["EM"]) and result.extra["missing_predictions"] == len(ids) - len(preds)
    assert result.main_score["metric"] == "F1" and path.is_file()
    assert result.run_sha256 and result.dataset_sha


def test_xquad_en_uses_squad_normalisation(shared_data, tmp_path):
    gold = gold_answers(shared_data / "xquad" / "xquad.en.json")
    preds = {q: "The " + a[0].upper() + "!" for q, a in gold.items()}    # article, case, punctuation
    p = tmp_path / "p.json"
    p.write_text(json.dumps(preds), encoding="utf-8")
    result, _ = run_task("xquad-en", RunOptions(predictions=p, output=tmp_path, show_progress=False))
    assert result.metrics["official"]["EM"] == pytest.approx(100.0)


@pytest.mark.parametrize("content, match", [
    ("{oops", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"DEV_0_QUERY_0": 3}', "record DEV_0_QUERY_0: the prediction must be a string"),
    ('{"nope": "x"}', "1 of its 1 ids are not questions of task cmrc2018-dev: nope"),
    ('{"DEV_0_QUERY_0": "a",\n "DEV_0_QUERY_0": "b"}', r"bad\.json:2:2: duplicate key 'DEV_0_QUERY_0'"),
    ("{}", "no prediction in it"),
])
def test_bad_prediction_files(shared_data, tmp_path, content, match):
    p = tmp_path / "bad.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(TaskError, match=match):
        get_task("cmrc2018-dev").evaluate(RunOptions(predictions=p, output=tmp_path, show_progress=False))


def _slice(shared_data, tmp_path, n_articles=2):
    data = json.loads((shared_data / "xquad" / "xquad.en.json").read_text(encoding="utf-8"))
    data["data"] = data["data"][:n_articles]
    folder = tmp_path / "xq"
    folder.mkdir()
    (folder / "xquad.en.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_hf_model_path_runs_the_reader(shared_data, tmp_path):
    """`--model PATH` with a tiny local checkpoint (built here, random init): the run completes and
    every question gets a prediction that is a span of its context."""
    from builders.qasnowball.hf.tiny import build_tiny_checkpoints

    folder = _slice(shared_data, tmp_path, 1)
    texts = [p["context"] for a in json.loads((folder / "xquad.en.json").read_text())["data"] for p in a["paragraphs"]]
    paths = build_tiny_checkpoints(texts, tmp_path / "tiny", vocab_size=400, hidden=32)
    result, _ = run_task("xquad-en", RunOptions(model=paths["reader"], data_dir=folder, output=tmp_path,
                                                show_progress=False, params={"max_length": 128}))
    preds = json.loads(Path(result.run_file).read_text(encoding="utf-8"))
    assert result.extra["missing_predictions"] == 0 and len(preds) == result.extra["n_queries"] > 0
    assert result.model.name == Path(paths["reader"]).name and result.machine["device"] == "cpu"   # no local path


def test_rule_reader_cross_fit_on_slice(shared_data, tmp_path):
    folder = _slice(shared_data, tmp_path, 4)
    result, _ = run_task("xquad-en", RunOptions(data_dir=folder, output=tmp_path, show_progress=False))
    assert result.model.name == "rule-reader" and "cross-fit" in result.model.params["train"]
    assert result.metrics["official"]["F1"] > 5.0


def _cli(*args, env_extra=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=REPO, capture_output=True, text=True,
                          env=env, timeout=600)


def test_cli_bad_prediction_file_is_one_line(shared_data, tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{oops", encoding="utf-8")
    r = _cli("run", "cmrc2018-dev", "--predictions", str(p), "-o", str(tmp_path), "-q")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "bad.json:1:2: not valid JSON" in r.stderr


@pytest.mark.slow                  # five `bench build qasnowball` runs as subprocesses
def test_cli_build_and_validate(shared_data, tmp_path):
    from annotation.squad_io import load_qa_file, write_jsonl
    from builders.qasnowball.inputs import docs_from_records

    # the whole trial file seeds the models: with 80 seed records the precision gate and the round trip
    # reject every question on a few dozen documents (an empty build, tested below)
    recs = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_trial.json").records
    dev = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json").records
    write_jsonl(recs, tmp_path / "seed.jsonl")
    write_jsonl(docs_from_records(dev)[:40], tmp_path / "docs.jsonl")
    out = tmp_path / "out"
    r = _cli("build", "qasnowball", "--seed-file", str(tmp_path / "seed.jsonl"), "--docs", str(tmp_path / "docs.jsonl"),
             "--lang", "zh", "--rounds", "2", "--reseed-size", "5", "--out", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert (out / "round_1" / "log.json").is_file() and (out / "round_2" / "log.json").is_file()
    assert _cli("validate", "qa", str(out / "generated.jsonl")).returncode == 0
    from builders.qasnowball.stats import build_stats

    st = build_stats(out)
    assert [r["round"] for r in st["rounds"]] == [1, 2] and st["rounds"][1]["s0_in_seed"] == len(recs)
    assert st["records"] == sum(1 for _ in (out / "generated.jsonl").open(encoding="utf-8"))
    r = _cli("stats", "qasnowball", str(out), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["rounds"][0]["questions"] > 0
    # the precision gate's rejections, by the signal that fired (declared in gate.GATES), add up per round
    from builders.qasnowball.gate import GATES

    for rnd in st["rounds"]:
        signals = rnd["uncertain_type_signals"]
        assert sum(signals.values()) == rnd["rejected"]["uncertain_type"] and set(signals) <= set(GATES)
    assert sum(st["rounds"][0]["uncertain_type_signals"].values()) > 0
    r = _cli("stats", "qasnowball", str(out))
    assert r.returncode == 0 and "by gate signal" in r.stdout
    # bad input: a non-JSON line in the seed file -> one line naming file and line, exit 2
    (tmp_path / "bad.jsonl").write_text((tmp_path / "seed.jsonl").read_text(encoding="utf-8") + "{x\n", encoding="utf-8")
    r = _cli("build", "qasnowball", "--seed-file", str(tmp_path / "bad.jsonl"), "--docs", str(tmp_path / "docs.jsonl"),
             "--lang", "zh", "--out", str(tmp_path / "o2"), "-q")
    bad_line = len(recs) + 1
    assert r.returncode == 2 and "Traceback" not in r.stderr and f"bad.jsonl:{bad_line}: not valid JSON" in r.stderr
    r = _cli("validate", "qa", str(tmp_path / "bad.jsonl"))
    assert r.returncode == 2 and f":{bad_line}" in r.stdout
    # a build that keeps nothing says why (the rules that rejected most) in one line, exit 2, no output folder
    write_jsonl(recs[:80], tmp_path / "small.jsonl")
    write_jsonl(docs_from_records(dev)[:6], tmp_path / "few.jsonl")
    r = _cli("build", "qasnowball", "--seed-file", str(tmp_path / "small.jsonl"), "--docs", str(tmp_path / "few.jsonl"),
             "--lang", "zh", "--rounds", "1", "--out", str(tmp_path / "o3"), "-q")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "the filter kept 0 of" in r.stderr and "--no-rule" in r.stderr and not (tmp_path / "o3").exists()
