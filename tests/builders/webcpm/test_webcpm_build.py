"""Done-when: oracle traces for all 100 DuReader demo questions validate, convert to the four
tasks and load with datasets.load_dataset; builds resume without duplicates."""
from __future__ import annotations

import json
from dataclasses import asdict

import datasets
import pytest

from annotation.webcpm import actions as A
from annotation.webcpm.validate import validate_path
from core.checkpointed import JobError
from builders.webcpm.build import build_traces
from builders.webcpm.convert import TASKS, convert
from builders.webcpm.policies.oracle import OraclePolicy


def test_oracle_traces_validate_convert_and_load(oracle_traces, tmp_path):
    records = [json.loads(line) for line in oracle_traces.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 100 and len({r["_id"] for r in records}) == 100
    assert validate_path(oracle_traces) == []
    names = {a["action"] for r in records for a in r["actions"]}
    assert {A.START, A.SEARCH, A.LOAD, A.QUOTE, A.MERGE, A.DOWN, A.BACK, A.CLOSE} <= names
    assert sum(bool(r["digests"]) for r in records) >= 90          # the oracle finds facts for most questions
    assert all("【1】" in r["answer"] for r in records if r["digests"])

    summary = convert(oracle_traces, tmp_path / "tasks", seed=0)
    for task in TASKS:
        ds = datasets.load_dataset(str(tmp_path / "tasks" / "hf"), task, cache_dir=str(tmp_path / "hf_cache"))
        assert set(ds) == {"train", "dev", "test"}
        for split in ds:
            assert len(ds[split]) == summary["instances"][task][split]
            jsonl = (tmp_path / "tasks" / task / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            assert len(jsonl) == len(ds[split])
    n_actions = sum(len(r["actions"]) - 1 for r in records)           # every action but START
    assert sum(summary["instances"]["action"].values()) == n_actions
    assert sum(summary["instances"]["query"].values()) == sum(
        a["action"] == A.SEARCH for r in records for a in r["actions"])


def test_build_resumes_without_duplicates(web, dureader, tmp_path):
    questions = dureader[1][:4]
    out = tmp_path / "t.jsonl"
    cfg = {"policy_config": asdict(OraclePolicy())}
    build_traces(questions, web, OraclePolicy(), out, show_progress=False, config=cfg)
    full = out.read_bytes()
    # simulate a crash during the third record: two finished lines + a torn one
    lines = full.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]) + b'{"_id": "torn')
    with pytest.raises(JobError, match="pass --resume"):
        build_traces(questions, web, OraclePolicy(), out, show_progress=False, config=cfg)
    summary = build_traces(questions, web, OraclePolicy(), out, show_progress=False, resume=True, config=cfg)
    assert out.read_bytes() == full
    assert (summary["written"], summary["skipped"]) == (2, 2)
    # another policy config into the same file is refused, naming what changed
    with pytest.raises(JobError, match=r"manifest\.json: config changed .*pages_per_search: 3 -> 1"):
        build_traces(questions, web, OraclePolicy(pages_per_search=1), out, show_progress=False, resume=True,
                     config={"policy_config": asdict(OraclePolicy(pages_per_search=1))})


def test_exporter_writes_an_hf_folder(oracle_traces, tmp_path):
    from bench.export.registry import get_exporter
    from builders.webcpm.errors import WebCPMError

    export = get_exporter("webcpm")
    out = export(tmp_path / "hf", source=oracle_traces)
    ds = datasets.load_dataset(str(out), "synthesis", cache_dir=str(tmp_path / "cache"))
    assert sum(len(ds[s]) for s in ds) == 100 and ds["test"][0]["source"].endswith("；答案：")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]      # no work folders left
    import pytest

    with pytest.raises(WebCPMError):
        export(tmp_path / "x")
