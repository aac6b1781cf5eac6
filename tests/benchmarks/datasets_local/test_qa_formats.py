"""SQuAD v1.1 / v2.0 and CMRC JSON folders score with the official EM/F1 (values by hand); a QASnowball
build scores as a QA test set with the rule reader, the same from its HF folder, nested JSON and JSONL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.datasets_local import run_local
from benchmarks.tasks.base import RunOptions


def _squad(folder: Path, qas: list[tuple[str, str, list[str]]], context: str, *, name: str = "dev.json",
           impossible: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True)
    rows = [{"id": qid, "question": q, "is_impossible": qid in impossible,
             "answers": [{"text": a, "answer_start": context.find(a)} for a in answers]} for qid, q, answers in qas]
    data = {"version": "v2.0" if impossible else "1.1",
            "data": [{"title": "T", "paragraphs": [{"context": context, "qas": rows}]}]}
    (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def _preds(tmp: Path, preds: dict[str, str]) -> Path:
    path = tmp / "preds.json"
    path.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    return path


EN_CONTEXT = "The big red dog sat near the old mill in Springfield in 1921."
EN_QAS = [("a", "Who sat?", ["The big red dog"]), ("b", "Where?", ["near the old mill"]), ("c", "When?", ["1921"])]


def test_squad_v11_hand_values(tmp_path):
    folder = _squad(tmp_path / "squad", EN_QAS, EN_CONTEXT)
    preds = _preds(tmp_path, {"a": "red dog", "b": "near the old mill"})       # c missing: scores 0
    result, _, described = run_local(folder, RunOptions(predictions=preds, output=tmp_path / "o", show_progress=False))
    m = result.metrics["official"]
    # a: "red dog" vs "big red dog" (article dropped): P 1, R 2/3 -> F1 0.8, EM 0; b exact; c missing
    assert m["EM"] == pytest.approx(100 / 3, abs=1e-9) and m["F1"] == pytest.approx((80 + 100 + 0) / 3, abs=1e-9)
    assert result.main_score["metric"] == "F1" and result.task == "local:squad"
    assert result.extra["dataset_format"] == "squad" and result.extra["missing_predictions"] == 1
    assert "kind: qa" in described.read_text(encoding="utf-8")


def test_squad_v2_unanswerable_left_out(tmp_path):
    qas = EN_QAS + [("d", "Who owned the mill?", [])]
    folder = _squad(tmp_path / "v2", qas, EN_CONTEXT, impossible=("d",))
    preds = _preds(tmp_path, {"a": "The big red dog", "b": "the old mill", "c": "1921", "d": ""})
    result, _, _ = run_local(folder, RunOptions(predictions=preds, output=tmp_path / "o", show_progress=False))
    assert set(result.per_query["official"]) == {"a", "b", "c"}
    assert result.metrics["official"]["EM"] == pytest.approx(200 / 3, abs=1e-9)     # b drops "near"
    assert "1 unanswerable" in result.conventions["unanswerable"]


def test_cmrc_chinese_by_lang(tmp_path):
    context = "北京大学创建于1898年，初名京师大学堂。"
    folder = _squad(tmp_path / "cmrc", [("z1", "北京大学创建于哪一年？", ["1898年"]),
                                        ("z2", "哪所大学初名京师大学堂？", ["北京大学"])], context, name="cmrc.json")
    preds = _preds(tmp_path, {"z1": "1898年", "z2": "北京"})
    result, _, _ = run_local(folder, RunOptions(predictions=preds, output=tmp_path / "o", show_progress=False),
                             lang="zh")
    m = result.metrics["official"]
    # CMRC: character-level LCS F1; z2: LCS 2, P 2/2, R 2/4 -> F1 2/3
    assert m["EM"] == pytest.approx(50.0, abs=1e-9) and m["F1"] == pytest.approx((100 + 200 / 3) / 2, abs=1e-9)
    assert m["AVERAGE"] == pytest.approx((m["EM"] + m["F1"]) / 2, abs=1e-9) and result.extra["language"] == "zh"


@pytest.fixture(scope="module")
def snowball(shared_data, tmp_path_factory):
    """A small real QASnowball build (rule backend, 1 round over 16 CMRC dev contexts) + a small train file."""
    from annotation.squad_io import load_qa_file, write_jsonl
    from builders.qasnowball.inputs import docs_from_records
    from builders.qasnowball.loop import SnowballConfig
    from builders.qasnowball.run import build

    root = tmp_path_factory.mktemp("snowball")
    seed = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_trial.json").records[:150]
    docs = docs_from_records(load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json").records)[:16]
    cfg = SnowballConfig(lang="zh", rounds=1, answers_per_doc=4, questions_per_answer=2, reseed_size=30, seed=7)
    res = build(cfg, seed, docs, root / "build", progress=False)
    return root / "build", write_jsonl(seed, root / "train.jsonl"), res.records


def test_qasnowball_build_scores_with_the_rule_reader(snowball, tmp_path):
    build, train, n = snowball
    assert n > 0
    results = {}
    for name in ("hf", "generated.squad.json", "generated.jsonl"):
        options = RunOptions(model="rule", output=tmp_path / name.replace(".", "_"), show_progress=False,
                             params={"train_file": str(train)})
        results[name], _, _ = run_local(build / name, options, lang="zh" if name != "hf" else None)
    hf = results["hf"]
    assert hf.extra["language"] == "zh" and hf.extra["dataset_format"] == "hf" and hf.extra["n_queries"] == n
    assert 0 < hf.metrics["official"]["F1"] <= 100 and hf.model.name == "rule-reader"
    for name, result in results.items():
        assert result.metrics == hf.metrics and result.per_query == hf.per_query, name
