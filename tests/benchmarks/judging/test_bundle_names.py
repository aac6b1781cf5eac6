"""A pairwise ultrachat-eval run into the folder of a single run keeps the single run's judgments bundle
(issue 23, item 10): before, both wrote `<stem>.judgments.jsonl`, and `bench submit` then refused the single
result ("run file changed after scoring"). The judge is a tiny random Llama built in the test (transformers,
in-process): what is checked is where the files go, not what the judge says."""
from __future__ import annotations

import json

import pytest

from tests.engines.llm.test_transformers_backend import tiny_model  # noqa: F401 - fixture

from benchmarks.runner import run_task
from benchmarks.submission import SubmissionError
from benchmarks.submission.package import pack
from benchmarks.tasks.base import RunOptions
from core import sha256_file


def test_pairwise_bundle_is_named_by_its_mode(tiny_model, shared_data, tmp_path):  # noqa: F811 - the fixture imported above
    def answers(name: str, text: str):
        path = tmp_path / name
        path.write_text("".join(json.dumps({"question_id": i, "answers": [f"{text} {i}."]}) + "\n" for i in range(3)),
                        encoding="utf-8")
        return path

    model, ref = answers("mine.jsonl", "My answer"), answers("ref.jsonl", "Reference answer")
    # a random tiny judge writes no verdict the parsers read: judge_min_valid=0 keeps its (meaningless) result,
    # since this test is about file names, not scores
    params = {"judge_backend": "transformers", "judge_model": str(tiny_model), "limit": 3, "judge_max_tokens": 4,
              "n_boot": 20, "judge_min_valid": 0}
    out = tmp_path / "out"
    single, single_path = run_task("ultrachat-eval", RunOptions(predictions=model, params=dict(params), device="cpu",
                                                                output=out, show_progress=False))
    pairwise, pairwise_path = run_task("ultrachat-eval", RunOptions(
        predictions=model, params={**params, "baseline": str(ref)}, mode="pairwise", device="cpu", output=out,
        show_progress=False))
    assert single_path.name == "ultrachat-eval__mine.json" and pairwise_path.name == "ultrachat-eval__mine.pairwise.json"
    assert single.run_file.endswith("ultrachat-eval__mine.judgments.jsonl")
    assert pairwise.run_file.endswith("ultrachat-eval__mine.pairwise.judgments.jsonl")
    assert sha256_file(single.run_file) == single.run_sha256          # the single run's bundle is untouched
    # both results find their own bundle: each is re-scored from it (and refused, as a random judge's verdicts
    # cannot be read), where a shared bundle name made the single one fail as "run file changed after scoring"
    with pytest.raises(SubmissionError) as refused:
        pack(out, tmp_path / "sub.zip")
    message = str(refused.value)
    assert "changed after scoring" not in message
    for bundle in ("ultrachat-eval__mine.judgments.jsonl", "ultrachat-eval__mine.pairwise.judgments.jsonl"):
        assert f"re-scoring {out / bundle} failed" in message and "cannot be read" in message
