"""Prompts, question/answer files, and the judgments bundle: re-scoring and re-checking without a judge.

The bundles here hold real ultra_eval.json questions with hand-written answers and judge replies, so
`bench run --predictions`, `bench submit` and `bench verify` run on them exactly as on a judged run.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from core import DataError
from benchmarks.judging import bundle as bundles
from benchmarks.judging.judge import ORDERS, pair_prompt, render_pair, render_single, request_sha, single_prompt
from benchmarks.judging.pipeline import JudgeConfig, _clean_url, load_baseline
from benchmarks.judging.prompts import load_prompt, parse_rating, parse_verdict
from benchmarks.judging.questions import Question, load_mtbench, registry_questions

RATINGS = ["Rating: [[8]]", "the answer is fine. [[6]]", "no idea"]
VERDICTS = {"AB": ["[[A]]", "[[A]]", "[[C]]"], "BA": ["[[B]]", "[[A]]", "I like [[A]] and [[B]]"]}


def test_parsers():
    assert parse_rating("Rating: [[7]]") == 7.0 and parse_rating("[[9.5]]") == 9.5
    assert parse_rating("score [4]") == 4.0               # MT-Bench's fallback pattern
    assert parse_rating("[[11]]") is None and parse_rating("great") is None
    assert parse_verdict("... [[A]]") == "A" and parse_verdict("[[C]]") == "tie"
    assert parse_verdict("[[A]] or [[B]]") == "invalid" and parse_verdict("A is better") == "invalid"


def test_prompt_files_render_and_hash():
    p = load_prompt("pair-v1")
    msgs = p.render(question="Q {x}", answer_a="a {{y}}", answer_b="b")
    assert msgs[0]["role"] == "system" and "[[A]]" in msgs[0]["content"]
    assert "Q {x}" in msgs[1]["content"] and "a {{y}}" in msgs[1]["content"]   # answers' braces kept verbatim
    assert len(p.sha256) == 64 and p.grammar and p.grammar.startswith("root ::=")
    with pytest.raises(DataError, match="no value for"):
        p.render(question="q")


def test_bad_prompt_file_names_file_and_line(tmp_path):
    (tmp_path / "x.txt").write_text("# c\n### system\nhi\n### output\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"x.txt:4: unknown section 'output'"):
        load_prompt("x", str(tmp_path))
    with pytest.raises(DataError, match="not found"):
        load_prompt("nope", str(tmp_path))


def test_mtbench_loader_errors(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"question_id": 81, "category": "writing", "turns": ["a", "b"]}\n'
                 '{"question_id": 82, "category": "math", "turns": []}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"q.jsonl:2: field turns"):
        load_mtbench(f)
    f.write_text('{"question_id": 81, "category": "writing", "turns": ["a", "b"]}\n', encoding="utf-8")
    assert load_mtbench(f) == [Question("81", "writing", ("a", "b"))]


def _bundle(shared_data: Path, n: int = 3) -> bundles.Bundle:
    questions = registry_questions()[0][:n]
    model = {q.id: [f"model answer {q.id} " * (3 + int(q.id))] for q in questions}
    base = {q.id: [f"base {q.id}"] for q in questions}
    b = bundles.Bundle({"dataset": "ultrachat", "dataset_sha": "0" * 64, "model": {"model": "m"},
                        "prompts": {}, "seed": 0, "n_boot": 200, "modes": ["single", "pairwise"]},
                       questions, {"model": model, "baseline": base})
    for i, q in enumerate(questions):
        sp, pp = single_prompt(q), pair_prompt(q)
        b.meta["prompts"].update({sp.name: sp.sha256, pp.name: pp.sha256})
        b.single[q.id] = {"type": "single", "question_id": q.id, "prompt": sp.name,
                          "request_sha256": request_sha(render_single(q, model[q.id], sp)), "judgment": RATINGS[i]}
        for order in ORDERS:
            first, second = (model[q.id], base[q.id]) if order == "AB" else (base[q.id], model[q.id])
            b.pairs.setdefault(q.id, {})[order] = {
                "type": "pair", "question_id": q.id, "order": order, "prompt": pp.name,
                "request_sha256": request_sha(render_pair(q, first, second, pp)), "judgment": VERDICTS[order][i]}
    return b


def test_score_bundle_from_stored_judgments(shared_data, tmp_path):
    path = _bundle(shared_data).save(tmp_path / "b.judgments.jsonl")
    b = bundles.read_bundle(path)
    assert bundles.recheck(b) == []
    metrics, per = bundles.score_bundle(b)
    assert metrics["single"]["score"] == 7.0 and metrics["single"]["n_invalid"] == 1.0
    # q0: AB model wins, BA model wins -> win; q1: A both times -> inconsistent tie; q2: tie + invalid -> tie
    assert metrics["pairwise"]["win_rate"] == pytest.approx(1 / 3) and metrics["pairwise"]["tie_rate"] == pytest.approx(2 / 3)
    assert metrics["pairwise"]["consistency"] == pytest.approx(1 / 3)
    assert metrics["pairwise"]["n_invalid_verdicts"] == 1.0
    assert metrics["pairwise"]["first_position_rate"] == pytest.approx(3 / 4)   # valid A/B verdicts: A,A,B,A
    assert per["pairwise"]["1"] == {"score": 0.5, "win": 0.0, "tie": 1.0, "loss": 0.0, "consistent": 0.0,
                                    "length_delta": per["pairwise"]["1"]["length_delta"]}
    # the main score's per-question values average to it (the leaderboard plots these)
    assert sum(q["score"] for q in per["pairwise"].values()) / 3 == pytest.approx(metrics["pairwise"]["score"])
    assert metrics["single"]["degenerate"] == 0.0 and metrics["pairwise"]["degenerate"] == 0.0
    assert metrics["by_category"]["single/Vicuna/n"] == 3.0


def test_recheck_catches_tampering(shared_data, tmp_path):
    b = _bundle(shared_data)
    b.answers["model"]["0"] = ["a better answer written after judging"]
    problems = bundles.recheck(b)
    assert any("question 0" in p and "request_sha256" in p for p in problems)
    b = _bundle(shared_data)
    del b.pairs["2"]["BA"]
    b.meta["prompts"]["pair-v1"] = "f" * 64
    b.single["1"]["score"] = 9
    problems = bundles.recheck(b)
    assert any("no pairwise judgment in order BA" in p for p in problems)
    assert any("meta.prompts.pair-v1" in p for p in problems)
    assert any("field score 9" in p for p in problems)


def test_bundle_reader_names_line(tmp_path):
    f = tmp_path / "b.jsonl"
    f.write_text('{"type": "meta", "format": "databench-judgments", "format_version": 1}\n'
                 '{"type": "pair", "question_id": "0", "order": "XY", "prompt": "p", "request_sha256": "s", '
                 '"judgment": "j"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"b.jsonl:2: field order"):
        bundles.read_bundle(f)


def test_task_rescores_bundle_and_submission_verifies(shared_data, tmp_path):
    from benchmarks.runner import run_task
    from benchmarks.submission.package import pack
    from benchmarks.submission.verify import verify
    from benchmarks.tasks.base import RunOptions, TaskError

    b = _bundle(shared_data)
    from benchmarks.data.registry import dataset_sha
    b.meta["dataset_sha"] = dataset_sha("ultrachat")
    path = b.save(tmp_path / "runs" / "m.judgments.jsonl")
    result, rpath = run_task("ultrachat-eval", RunOptions(predictions=path, output=tmp_path / "runs"))
    assert result.main_score == {"metric": "score", "set": "single", "value": 7.0}
    assert result.run_format == "predictions" and result.dataset == "ultrachat"
    pairwise, _ = run_task("ultrachat-eval", RunOptions(predictions=path, output=tmp_path / "pw", mode="pairwise"))
    assert pairwise.main_score == {"metric": "score", "set": "pairwise", "value": pytest.approx(2 / 3)}
    lc, _ = run_task("ultrachat-eval", RunOptions(predictions=path, output=tmp_path / "lc", mode="pairwise-lc"))
    assert lc.main_score["metric"] == "lc_win_rate"
    assert verify(pack(tmp_path / "pw", tmp_path / "pw.zip")[0]).ok     # the mode travels in extra.mode

    zpath, entries = pack(tmp_path / "runs", tmp_path / "s.zip")
    report = verify(zpath)
    assert report.ok, report.problems
    # tamper: change one judge reply inside the archive and fix the manifest hashes -> the re-score differs
    with zipfile.ZipFile(zpath) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    run_name = entries[0]["run"]
    files[run_name] = files[run_name].replace(b"Rating: [[8]]", b"Rating: [[10]]")
    from core import sha256_bytes
    from benchmarks.submission.package import write_zip
    result_name = entries[0]["result"]
    res = json.loads(files[result_name])
    res["run_sha256"] = sha256_bytes(files[run_name])
    files[result_name] = json.dumps(res).encode()
    manifest = json.loads(files["manifest.json"])
    for name in (run_name, result_name):
        manifest["files"][name] = {"sha256": sha256_bytes(files[name]), "bytes": len(files[name])}
    files["manifest.json"] = json.dumps(manifest).encode()
    write_zip(files, tmp_path / "bad.zip")
    bad = verify(tmp_path / "bad.zip")
    assert not bad.ok and any("metrics.single.score" in p for p in bad.problems)
    # a bundle whose answers were edited after judging cannot even be re-scored
    b.answers["model"]["2"] = ["edited"]
    b.save(tmp_path / "edited.judgments.jsonl")
    with pytest.raises(TaskError, match="request_sha256"):
        run_task("ultrachat-eval", RunOptions(predictions=tmp_path / "edited.judgments.jsonl", output=tmp_path))


def test_baseline_sources(shared_data, tmp_path):
    questions = registry_questions()[0][:3]
    fastchat = tmp_path / "gpt.jsonl"
    fastchat.write_text("".join(json.dumps({"question_id": i, "model_id": "gpt",
                                            "choices": [{"index": 0, "turns": [f"answer {i}"]}]}) + "\n"
                                for i in range(3)), encoding="utf-8")
    assert load_baseline(fastchat, questions) == ("gpt", {str(i): [f"answer {i}"] for i in range(3)})
    bpath = _bundle(shared_data).save(tmp_path / "x.judgments.jsonl")
    name, answers = load_baseline(bpath, questions)
    assert name == "m" and answers["0"][0].startswith("model answer 0")
    with pytest.raises(DataError, match="no answers for 1 question"):
        load_baseline(fastchat, registry_questions()[0][:4])


def test_config_never_records_secrets():
    cfg = JudgeConfig.from_params({"judge_model": "j", "base_url": "https://user:pw@api.example.com:8443/v1",
                                   "opts": {"api_key": "sk-SECRET", "timeout": 5}}, "m")
    desc = json.dumps(cfg.model.describe())
    assert "sk-SECRET" not in desc and "pw" not in desc and "api.example.com:8443" in desc
    assert _clean_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    with pytest.raises(DataError, match="-p bogus"):
        JudgeConfig.from_params({"bogus": 1}, "m")
