"""ultrachat-eval through an in-process backend (transformers, a tiny random Llama built in the test): the
batched `chat_batch` path writes every response to the cache, a second run asks the model nothing, and
external answers (`--predictions FILE`) are judged without an answering model."""
from __future__ import annotations

import json

from tests.engines.llm.test_transformers_backend import tiny_model  # noqa: F401 - fixture

from benchmarks.runner import run_task
from benchmarks.tasks.base import RunOptions


def test_transformers_answerer_and_judge_cached(tiny_model, shared_data, tmp_path):  # noqa: F811 - the fixture imported above
    baseline = tmp_path / "ref.jsonl"
    baseline.write_text("".join(json.dumps({"question_id": i, "answers": [f"Reference answer {i}."]}) + "\n"
                                for i in range(4)), encoding="utf-8")
    # a random tiny model never writes a verdict the parsers read: judge_min_valid=0 keeps its (meaningless)
    # scores, which this test does not look at; it tests the batched path and the caches
    params = {"model_backend": "transformers", "judge_model": str(tiny_model), "limit": 4, "max_tokens": 6,
              "judge_max_tokens": 6, "baseline": str(baseline), "n_boot": 50, "judge_min_valid": 0}
    def opts():
        return RunOptions(model=str(tiny_model), params=dict(params), device="cpu", output=tmp_path / "out",
                          show_progress=False, batch_size=3)

    first, path = run_task("ultrachat-eval", opts())
    usage = first.extra["usage"]
    assert usage["model"]["requests"] == 4 and usage["judge"]["requests"] == 4 + 8
    assert first.metrics["pairwise"]["n"] == 4 and first.metrics["single"]["n"] == 4
    assert first.model.params["backend"] == "transformers" and first.model.params["max_tokens"] == 6
    assert first.model.params["judge"] == f"transformers:{tiny_model}" and first.model.params["baseline"] == "ref"

    second, _ = run_task("ultrachat-eval", opts())
    usage = second.extra["usage"]
    assert usage["model"]["requests"] == 0 and usage["judge"]["requests"] == 0
    assert usage["cache"]["judgments"] == {"hits": 12, "misses": 0}
    assert second.metrics == first.metrics and second.per_query == first.per_query

    # the baseline's own answers, judged as the model under test (no answering backend at all)
    ext, _ = run_task("ultrachat-eval", RunOptions(predictions=baseline, params={
        "judge_backend": "transformers", "judge_model": str(tiny_model), "limit": 4, "judge_max_tokens": 6,
        "n_boot": 50, "judge_min_valid": 0}, device="cpu", output=tmp_path / "ext", show_progress=False))
    assert ext.model.name == "ref" and ext.model.params["backend"] == "external"
    assert ext.metrics["single"]["n"] == 4 and "pairwise" not in ext.metrics
