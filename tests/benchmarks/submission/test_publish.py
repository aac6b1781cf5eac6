"""What `bench submit` publishes: no local path, no local endpoint, scored content untouched."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.provenance import LOCAL_ENDPOINT, is_local_url, scrub_for_publication
from benchmarks.submission.publish import publishable_run


@pytest.mark.parametrize("url, local", [
    ("http://127.0.0.1:8080/v1", True), ("http://localhost:8000/v1", True), ("http://[::1]:9/v1", True),
    ("http://10.1.2.3/v1", True), ("http://192.168.0.7:8000", True), ("http://gpu-box:8000/v1", True),
    ("http://node3.cluster.local/v1", True), ("http://0.0.0.0:80", True),
    ("https://api.openai.com/v1", False), ("https://8.8.8.8/x", False), ("not a url", False), ("/tmp/x", False),
])
def test_local_urls(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_scrub_for_publication(tmp_path: Path) -> None:
    real = tmp_path / "q.jsonl"
    real.write_text("{}\n", encoding="utf-8")
    got = scrub_for_publication({"base_url": "http://127.0.0.1:1234/v1", "api": "https://api.openai.com/v1",
                                 "question_source": str(tmp_path / "gone dir" / "questions.jsonl"),
                                 "source": str(real), "runs": [str(real)], "note": "a phrase / with a slash",
                                 "judge": "openai:smollm2"})
    assert got["base_url"] == LOCAL_ENDPOINT and got["api"] == "https://api.openai.com/v1"
    assert got["question_source"] == {"file": "questions.jsonl"}       # gone, with a space: still a path here
    assert got["source"]["file"] == "q.jsonl" and len(got["source"]["sha256"]) == 64
    assert got["runs"][0]["file"] == "q.jsonl" and got["note"] == "a phrase / with a slash"
    assert got["judge"] == "openai:smollm2"
    assert str(tmp_path) not in json.dumps(got)


def test_publishable_run_scrubs_only_a_bundle_meta(tmp_path: Path) -> None:
    meta = {"type": "meta", "format": "databench-judgments", "format_version": 1, "source": str(tmp_path / "q.jsonl"),
            "model": {"model": "/models/my-chat", "options": {"base_url": "http://127.0.0.1:5/v1"}},
            "judge": {"id": "openai:j", "model": "j"}, "prompts": {"single-v1": "ab" * 32}}
    line = json.dumps({"type": "single", "question_id": "0", "judgment": f"see {tmp_path} [[5]]"})
    bundle = tmp_path / "x.judgments.jsonl"
    bundle.write_text(json.dumps(meta) + "\n" + line + "\n", encoding="utf-8")
    out = publishable_run(bundle, tmp_path).decode("utf-8").split("\n")
    clean = json.loads(out[0])
    assert clean["model"] == {"model": "my-chat", "options": {"base_url": LOCAL_ENDPOINT}}
    assert clean["source"] == {"file": "q.jsonl"} and clean["prompts"] == meta["prompts"] and clean["judge"] == meta["judge"]
    assert out[1] == line                    # the judged lines are published byte for byte
    trec = tmp_path / "r.run"
    trec.write_bytes(b"1 Q0 d1 1 2.0 /abs/tag\n")
    assert publishable_run(trec, tmp_path) == trec.read_bytes()
