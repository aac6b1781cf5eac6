"""`bench build ultrachat --executor ray` against the real llama.cpp server: the dialogue stage runs on
a real local Ray cluster (the backend is re-created in each worker from its settings) and the files
equal a one-worker local run byte for byte."""
from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from bench.cli import app

pytestmark = [pytest.mark.llm, pytest.mark.slow]


def test_ray_dialogues_equal_local(ray_cluster, llama_server, uc_data, tmp_path):
    cfg = {"sectors": [1], "seed": 7,
           "sector1": {"meta_concepts": ["Food and drink"], "subtopics_per_concept": [1, 1],
                       "questions_per_subtopic": 3, "expanded_per_question": 0, "rounds": [2, 2]},
           "seeds_sampling": {"temperature": 0.7, "max_tokens": 64},
           "assistant_sampling": {"temperature": 0.7, "max_tokens": 64},
           "user_sampling": {"temperature": 0.9, "max_tokens": 32},
           "list_retries": 1, "user_retries": 1,
           "system_prompt": "You are a helpful assistant. Answer in one short sentence."}
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    runner = CliRunner()
    sha = {}
    for name, extra in (("local", ["--workers", "1"]), ("ray", ["--executor", "ray", "--num-workers", "2"])):
        out = tmp_path / name
        res = runner.invoke(app, ["build", "ultrachat", str(out), "--model", "smollm2", "--base-url",
                                  llama_server.base_url, "--config", str(tmp_path / "config.json"), "--quiet", *extra])
        assert res.exit_code == 0, res.output
        sha[name] = {f: hashlib.sha256((out / f).read_bytes()).hexdigest()
                     for f in ("dialogues.jsonl", "rejected.jsonl", "ultrachat.jsonl")}
        n = len((out / "dialogues.jsonl").read_text().splitlines()) + len((out / "rejected.jsonl").read_text().splitlines())
        assert n >= 2, f"{name}: only {n} dialogues: the comparison would prove little"
    assert sha["ray"] == sha["local"]
