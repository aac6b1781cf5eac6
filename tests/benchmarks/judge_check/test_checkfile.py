"""The judge-check file and its Result: built from judgments bundles (real ultra_eval.json questions,
hand-written judge replies) and human records, re-scored by `bench run judge-check --predictions`, packed
by `bench submit` and re-scored by `bench verify` without a judge; a tampered reply is caught."""
from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from core import DataError, sha256_bytes
from benchmarks.judge_check import checkfile
from benchmarks.judging.stats import combine_orders
from benchmarks.judging.prompts import parse_verdict
from tests.benchmarks.judging.test_bundle import _bundle

HUMANS = {"0": ("model", "model"), "1": ("baseline", "tie"), "2": ("model", "baseline")}
RATINGS = [{"id": q, "annotator": a, "coherence": c} for q, a, c in
           [("0", "ann", 9), ("0", "bob", 7), ("1", "ann", 4), ("1", "bob", 5), ("2", "ann", 2)]]


def _bundles(tmp_path, shared_data):
    from benchmarks.data.registry import dataset_sha

    paths = []
    for name, replies in (("m1", {"AB": ["[[A]]", "[[A]]", "[[C]]"], "BA": ["[[B]]", "[[A]]", "[[A]]"]}),
                          ("m2", {"AB": ["[[B]]", "[[C]]", "[[A]]"], "BA": ["[[A]]", "[[C]]", "[[B]]"]})):
        b = _bundle(shared_data)
        b.meta.update({"model": {"model": name}, "baseline": {"model": "base"}, "dataset_sha": dataset_sha("ultrachat"),
                       "judge": {"backend": "openai", "model": "judge-x"}})
        for q in b.questions:
            for order in ("AB", "BA"):
                b.pairs[q.id][order]["judgment"] = replies[order][int(q.id)]
        paths.append(b.save(tmp_path / f"{name}.judgments.jsonl"))
    return paths


def _humans(models=("m1", "m2")):
    return [{"id": qid, "model": m, "baseline": "base", "annotator": who, "winner": w}
            for m in models for qid, ws in HUMANS.items() for who, w in zip(("ann", "bob"), ws)]


def test_check_result_rescored_submitted_and_verified(tmp_path, shared_data):
    from sklearn.metrics import cohen_kappa_score

    from bench.cli import app
    from benchmarks.runner import run_task
    from benchmarks.submission.package import pack, write_zip
    from benchmarks.submission.verify import verify
    from benchmarks.tasks.base import RunOptions

    b1, b2 = _bundles(tmp_path, shared_data)
    (tmp_path / "h.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _humans()), encoding="utf-8")
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RATINGS), encoding="utf-8")
    out = tmp_path / "runs"
    r = CliRunner().invoke(app, ["judge-check", "score", "-j", str(b1), "-j", str(b2), "--human", str(tmp_path / "h.jsonl"),
                                 "--human-ratings", str(tmp_path / "r.jsonl"), "--reference", "m1,base,m2",
                                 "-o", str(out), "--n-boot", "200"])
    assert r.exit_code == 0, r.output
    result = json.loads((out / "judge-check__judge-x.json").read_text())
    pw = result["metrics"]["pairwise"]
    # the judge's item verdicts, derived here from the replies with the bundle's own rules
    judge = {}
    for path in (b1, b2):
        lines = [json.loads(x) for x in path.read_text().splitlines()]
        model = lines[0]["model"]["model"]
        for qid in HUMANS:
            rep = {x["order"]: x["judgment"] for x in lines if x["type"] == "pair" and x["question_id"] == qid}
            outcome, _ = combine_orders(parse_verdict(rep["AB"]), parse_verdict(rep["BA"]))
            judge[(qid, model)] = {"win": "model", "loss": "baseline", "tie": "tie"}[outcome]
    js = [judge[(h["id"], h["model"])] for h in _humans()]
    hs = [h["winner"] for h in _humans()]
    assert pw["judge_human_n"] == 12
    assert pw["judge_human_agreement_with_ties"] == pytest.approx(sum(a == b for a, b in zip(js, hs)) / 12)
    assert pw["judge_human_kappa"] == pytest.approx(cohen_kappa_score(js, hs))
    untied = [(a, b) for a, b in zip(js, hs) if "tie" not in (a, b)]
    assert pw["judge_human_agreement_without_ties"] == pytest.approx(sum(a == b for a, b in untied) / len(untied))
    assert pw["human_human_agreement_with_ties"] == pytest.approx(2 / 6)      # q0 agrees, for both models
    assert pw["first_position_rate"] == pytest.approx(6 / 9)                   # A,A,B,A,A | B,A,A,B
    assert pw["position_consistency"] == pytest.approx(4 / 6)
    bt = result["metrics"]["bradley_terry"]
    assert bt["n_players"] == 3 and 0.0 <= bt["separability"] <= 1.0
    for p in ("m1", "m2", "base"):
        assert bt[f"{p}/ci_low"] <= bt[f"{p}/score"] <= bt[f"{p}/ci_high"]
    rt = result["metrics"]["ratings"]
    assert rt["n"] == 2.0 and rt["spearman"] == pytest.approx(1.0)     # judge 8, 6 (q2's reply has no rating)
    assert result["mode"] == "agreement" and result["run_format"] == "predictions"

    sep, _ = run_task("judge-check", RunOptions(predictions=out / "judge-check.check.jsonl", output=tmp_path / "sep",
                                                mode="separability"))
    assert sep.main_score == {"metric": "separability", "set": "bradley_terry", "value": bt["separability"]}
    zpath, entries = pack(out, tmp_path / "s.zip")
    report = verify(zpath)
    assert report.ok, report.problems
    with zipfile.ZipFile(zpath) as zf:                 # a judge reply changed after scoring: caught on re-score
        files = {n: zf.read(n) for n in zf.namelist()}
    run_name, result_name = entries[0]["run"], entries[0]["result"]
    files[run_name] = files[run_name].replace(b'"BA": "[[A]]"}', b'"BA": "[[B]]"}', 1)
    res = json.loads(files[result_name])
    res["run_sha256"] = sha256_bytes(files[run_name])
    files[result_name] = json.dumps(res).encode()
    manifest = json.loads(files["manifest.json"])
    for name in (run_name, result_name):
        manifest["files"][name] = {"sha256": sha256_bytes(files[name]), "bytes": len(files[name])}
    files["manifest.json"] = json.dumps(manifest).encode()
    write_zip(files, tmp_path / "bad.zip")
    bad = verify(tmp_path / "bad.zip")
    assert not bad.ok and any("metrics.pairwise" in p for p in bad.problems), bad.problems


def test_logprob_verdicts_cancel_a_constant_position_preference(tmp_path, shared_data):
    b1, _ = _bundles(tmp_path, shared_data)
    # a judge that always prefers position A by 2 nats, plus a small real preference for the model on q0, q2
    lps = {}
    for qid, pref in (("0", 0.3), ("1", 0.0), ("2", -0.4)):
        lps[(qid, "m1", "base", "AB")] = {"A": -0.1, "B": -2.1 - pref}
        lps[(qid, "m1", "base", "BA")] = {"A": -0.1 - pref, "B": -2.1}
    path = checkfile.build([b1], _humans(("m1",)), [], tmp_path / "c.jsonl", verdicts="logprobs", tie_margin=0.05,
                           logprobs=lps)
    metrics, _, _ = checkfile.score(path)
    pw = metrics["pairwise"]
    assert pw["first_position_rate"] == 1.0 and pw["position_consistency"] == 0.0      # each order alone: always A
    per = {rec["question_id"]: checkfile.judge_verdicts(rec, "logprobs", 0.05)[2] for rec in checkfile.read(path)[1]}
    assert per == {"0": "model", "1": "tie", "2": "baseline"}                          # summed over orders: the signal


def test_bad_inputs_are_one_line_errors(tmp_path, shared_data):
    b1, _ = _bundles(tmp_path, shared_data)
    with pytest.raises(DataError, match="question 9 .* matches no pairwise judgment"):
        checkfile.build([b1], [{"id": "9", "model": "m1", "baseline": "base", "annotator": "a", "winner": "tie"}],
                        [], tmp_path / "c.jsonl")
    with pytest.raises(DataError, match="human pairwise record 1: fields winner"):
        checkfile.build([b1], [{"id": "0", "model": "m1", "baseline": "base", "annotator": "a", "winner": "A"}],
                        [], tmp_path / "c.jsonl")
    with pytest.raises(DataError, match="no verdict log-probabilities"):
        checkfile.build([b1], [], [], tmp_path / "c.jsonl", verdicts="logprobs", logprobs={})
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "meta", "format": "databench-judge-check", "format_version": 1}\n'
                   '{"type": "pair", "question_id": "0", "humans": {}, "judge": {"AB": "[[A]]"}}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.jsonl:2: field judge"):
        checkfile.read(bad)


def test_verdict_token_found_in_llama_cpp_logprobs():
    """The shape llama.cpp's server returned here for SmolLM2 under the verdict grammar ("[", "[", "A", "]]")."""
    from benchmarks.judge_check.logprobs import verdict_logprobs

    def tok(t, lp, alts):
        return {"token": t, "logprob": lp, "top_logprobs": [{"token": a, "logprob": v} for a, v in alts]}

    content = [tok("[", -1.33, [("[", -1.33), ("The", -2.39)]), tok("[", -7.27, [("The", -0.56), ("A", -3.2)]),
               tok("A", -1.37, [("A", -1.37), ("The", -1.81), ("C", -1.98), ("B", -2.49)]),
               tok("]]", -0.13, [("]]", -0.13)])]
    assert verdict_logprobs(content) == {"A": -1.37, "B": -2.49}     # the "A" after "[" is not yet the verdict
    content[2]["top_logprobs"] = content[2]["top_logprobs"][:3]       # B outside the top-k: the smallest listed
    assert verdict_logprobs(content) == {"A": -1.37, "B": -1.98}
    assert verdict_logprobs([tok("[[C", -0.5, [("[[C", -0.5), ("[[B", -0.9)])]) == {"A": -0.9, "B": -0.9}
    assert verdict_logprobs([tok("no verdict", -0.1, [])]) is None
