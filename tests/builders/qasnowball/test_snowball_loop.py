"""The loop on real CMRC data with the rule backend: S grows, S0 stays, records validate, resumable,
deterministic for a seed, bad input is a one-line error."""
from __future__ import annotations

import json
import shutil

import pytest

from annotation.squad import QADataError, validate_path
from core.checkpointed import JobError
from builders.qasnowball.loop import SnowballConfig
from builders.qasnowball.run import build


def _cfg(**kw):
    base = dict(lang="zh", rounds=2, answers_per_doc=4, questions_per_answer=2, reseed_size=30, seed=7)
    base.update(kw)
    return SnowballConfig(**base)


@pytest.fixture(scope="module")
def first_run(cmrc_slice, tmp_path_factory):
    seed, docs = cmrc_slice
    out = tmp_path_factory.mktemp("snow") / "run"
    return build(_cfg(), seed, docs[:16], out, progress=False), out


def test_rounds_grow_seed_and_keep_s0(first_run):
    res, out = first_run
    r1, r2 = res.rounds
    assert r1["seed_size"] == r1["s0_size"] == 150 and r1["generated_in_seed"] == 0
    assert r2["s0_in_seed"] == 150                              # S0 never dropped
    assert r2["seed_size"] == 150 + min(30, r1["kept"]) > 150    # S grew by the best generated pairs
    for r in (r1, r2):
        f = r["filter"]
        assert f["checked"] == r["questions"] == f["kept"] + sum(f["rejected"].values())
        assert r["kept"] == f["kept"] and set(r["time_s"]) >= {"fit_reader", "extract", "generate", "filter"}
        assert r["models"]["extractor"]["extractor"] == "rule-extractor"
    assert res.records == r1["kept"] + r2["kept"] > 0


def test_outputs_validate_and_carry_provenance(first_run):
    res, out = first_run
    assert validate_path(out / "generated.jsonl") == []
    assert validate_path(out / "generated.squad.json") == []
    rows = [json.loads(line) for line in (out / "generated.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        s, a = r["answers"]["answer_start"][0], r["answers"]["text"][0]
        assert r["context"][s:s + len(a)] == a
        assert r["meta"]["lang"] == "zh" and r["meta"]["iteration"] in (1, 2) and r["meta"]["seed"] == 7
        assert {"filter", "reader_confidence", "roundtrip_f1"} <= set(r["meta"]["scores"])
    keys = {(r["meta"]["doc_id"], r["question"]) for r in rows}
    assert len(keys) == len(rows)                                 # no duplicate (doc, question)
    import datasets

    ds = datasets.load_dataset(str(out / "hf"), split="train")
    assert ds.num_rows == len(rows) and ds[0]["answers"]["text"]


def test_deterministic_and_resumable(first_run, cmrc_slice, tmp_path):
    res, out = first_run
    seed, docs = cmrc_slice
    again = tmp_path / "again"
    build(_cfg(), seed, docs[:16], again, progress=False)
    assert (again / "generated.jsonl").read_bytes() == (out / "generated.jsonl").read_bytes()
    # crash after round 1: round 2's done-marker is missing -> only round 2 runs again, same result
    (again / "round_2" / "log.json").unlink()
    shutil.rmtree(again / "hf")
    with pytest.raises(JobError, match="pass --resume"):          # a used folder is never silently reused
        build(_cfg(), seed, docs[:16], again, progress=False)
    res2 = build(_cfg(), seed, docs[:16], again, progress=False, resume=True)
    assert res2.rounds[0].get("resumed") is True and not res2.rounds[1].get("resumed")
    assert (again / "generated.jsonl").read_bytes() == (out / "generated.jsonl").read_bytes()
    with pytest.raises(JobError, match=r"manifest.json: config changed .*snowball.seed: 7 -> 8"):
        build(_cfg(seed=8), seed, docs[:16], again, progress=False, resume=True)


def test_bad_inputs(cmrc_slice, tmp_path):
    seed, docs = cmrc_slice
    bad_seed = [dict(seed[0], answers={"text": ["不在上下文里的答案"], "answer_start": [0]})]
    with pytest.raises(QADataError, match=r"field answers\[0\].answer_start"):
        build(_cfg(), bad_seed, docs[:2], tmp_path / "a", progress=False)
    with pytest.raises(QADataError, match="field context"):
        build(_cfg(), seed[:5], [{"doc_id": "x", "context": ""}], tmp_path / "b", progress=False)
    with pytest.raises(QADataError, match="seed set S0 is empty"):
        build(_cfg(), [], docs[:2], tmp_path / "c", progress=False)


def test_english_preset_split(shared_data, tmp_path):
    from builders.qasnowball.inputs import preset

    lang, seed, docs, desc = preset("xquad-en", shared_data, seed=0)
    assert lang == "en" and len(desc["seed_titles"]) == 24
    seed_ctx = {r["context"] for r in seed}
    assert not seed_ctx & {d["context"] for d in docs}          # documents are unlabelled, disjoint from S0
    res = build(SnowballConfig(lang="en", rounds=1, answers_per_doc=3, reseed_size=10), seed[:60], docs[:4],
                tmp_path / "en", progress=False)
    assert validate_path(tmp_path / "en" / "generated.jsonl") == []
    assert res.rounds[0]["questions"] > 0
