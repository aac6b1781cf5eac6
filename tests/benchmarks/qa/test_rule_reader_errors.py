"""The rule reader refuses, in one line naming the file, data it cannot learn from (it raised a bare
ValueError traceback before): one article cannot be cross-fitted, a training file with no usable example
cannot train the ranker."""
from __future__ import annotations

import json
from pathlib import Path

from tests.bad_inputs.test_bad_inputs import run_in_process


def test_one_article_cannot_be_cross_fitted(shared_data: Path) -> None:
    sample = shared_data / "squad_v2_sample" / "sample.json"
    out = run_in_process(["run", "--dataset", str(sample), "--model", "rule", "-q"])
    assert out.rc == 2 and "Traceback" not in out.text
    assert out.err.startswith(f"error: {sample}: cross-fitting the rule reader needs at least 2 articles")


def test_a_training_file_without_a_usable_example_is_named(tmp_path: Path, shared_data: Path) -> None:
    bad = tmp_path / "train.jsonl"
    rec = {"id": "q1", "title": "t", "context": "Paris is in France.", "question": "Where is Paris?",
           "answers": {"text": ["is in"], "answer_start": [6]}}
    bad.write_text(json.dumps(rec) + "\n", encoding="utf-8")     # its answer is no candidate span: nothing to learn
    out = run_in_process(["run", "xquad-en", "-p", f"train_file={bad}", "-q", "-o", str(tmp_path / "runs")])
    assert out.rc == 2 and "Traceback" not in out.text
    assert out.err.startswith(f"error: {bad}: rule reader: cannot train on 1 example(s)")
