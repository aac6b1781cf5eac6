"""`bench build webcpm` (oracle, then replay of its own traces), `bench build webcpm-tasks`, errors."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bench.cli import app


def test_build_replay_convert_cli(shared_data, tmp_path):
    corpus = tmp_path / "five.json"
    lines = (shared_data / "dureader_demo" / "devset" / "search.dev.json").read_text(encoding="utf-8").splitlines()
    corpus.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "traces.jsonl"
    res = runner.invoke(app, ["build", "webcpm", str(out), "--corpus", str(corpus), "-q"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["validate", "webcpm", str(out)]).exit_code == 0

    replayed = tmp_path / "replayed.jsonl"
    res = runner.invoke(app, ["build", "webcpm", str(replayed), "--corpus", str(corpus), "--policy", "replay",
                              "--replay", str(out), "-q"])
    assert res.exit_code == 0, res.output
    original = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    again = [json.loads(x) for x in replayed.read_text(encoding="utf-8").splitlines()]
    assert len(again) == 5
    for a, b in zip(original, again):
        assert b["meta"]["divergences"] == []
        assert [x["action"] for x in a["actions"]] == [x["action"] for x in b["actions"]]
        assert a["digests"] == b["digests"]

    res = runner.invoke(app, ["build", "webcpm-tasks", str(out), str(tmp_path / "tasks"), "--ratios", "3,1,1"])
    assert res.exit_code == 0, res.output
    split = json.loads((tmp_path / "tasks" / "splits.json").read_text(encoding="utf-8"))
    assert (len(split["train"]), len(split["dev"]), len(split["test"])) == (3, 1, 1)


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["build", "webcpm-tasks", str(tmp_path / "missing.jsonl"), str(tmp_path / "o")])
    assert res.exit_code != 0 and isinstance(res.exception, Exception) and "missing.jsonl" in str(res.exception)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no id"}\n', encoding="utf-8")
    res = runner.invoke(app, ["build", "webcpm-tasks", str(bad), str(tmp_path / "o"), "--ratios", "1,1"])
    assert "--ratios" in str(res.exception)
    res = runner.invoke(app, ["build", "webcpm-tasks", str(bad), str(tmp_path / "o")])
    assert "bad.jsonl:1" in str(res.exception) and "_id" in str(res.exception)
    assert not (tmp_path / "o").exists()


CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def _tiny_chat_model(out, texts):
    """A random-init 1-layer Llama with a byte-level BPE trained here and a ChatML template: a real
    transformers checkpoint the real `transformers` backend can serve, small enough for CPU tests."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=2000, special_tokens=["<unk>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<|im_start|>",
                                   eos_token="<|im_end|>", pad_token="<|im_end|>")
    fast.chat_template = CHATML
    fast.save_pretrained(out)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=8192,
                      eos_token_id=fast.eos_token_id, bos_token_id=fast.bos_token_id, pad_token_id=fast.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(out)
    return out


def test_llm_policy_through_the_transformers_backend(shared_data, tmp_path):
    from annotation.webcpm.validate import validate_path

    dureader = (shared_data / "dureader_demo" / "devset" / "search.dev.json").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "two.json"
    corpus.write_text("\n".join(dureader[:2]) + "\n", encoding="utf-8")
    model = _tiny_chat_model(tmp_path / "tiny", [line[:4000] for line in dureader[:20]] + ["搜索；下翻；结束"] * 5)
    out = tmp_path / "llm.jsonl"
    res = CliRunner().invoke(app, ["build", "webcpm", str(out), "--corpus", str(corpus), "--policy", "llm",
                                   "--llm-backend", "transformers", "--llm-model", str(model),
                                   "--llm-option", "device=cpu", "--llm-max-tokens", "8", "-q"])
    assert res.exit_code == 0, res.output
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2 and validate_path(out) == []
    for rec in records:
        meta = rec["meta"]
        assert meta["policy"] == "llm" and meta["model"] == str(model)
        # a random model rarely says an action word: every reply is counted, the record still closes properly
        assert meta["llm_calls"] >= 3 and meta["llm_calls"] >= meta["unparsed_replies"]
        assert rec["actions"][0]["action"] == "RECORD_START" and rec["actions"][-1]["action"] == "RECORD_CLOSE"
    res = CliRunner().invoke(app, ["build", "webcpm", str(out), "--corpus", str(corpus), "--policy", "llm"])
    assert "--llm-model" in str(res.exception)


def test_recover_and_stats_cli(test_output, tmp_path):
    from builders.webcpm.stats import trace_stats

    out = tmp_path / "recovered.jsonl"
    runner = CliRunner()
    res = runner.invoke(app, ["build", "webcpm-recover", str(test_output), str(out)])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["validate", "webcpm", str(out)]).exit_code == 0
    stats = trace_stats(out)
    gold = [json.loads(x)["answer"] for x in test_output.read_text(encoding="utf-8").splitlines()]
    # every gold action of the file is in the traces, except the truncated trace's last one
    assert stats["actions"]["TRIGGER_SCROLL_DOWN"] == gold.count("下翻") - 1
    assert stats["actions"]["ADD_DIGEST"] == gold.count("新增摘要")
    assert stats["actions"]["LOAD_PAGE_DETAIL"] == sum(gold.count(w) for w in ("一号页面", "二号页面", "三号页面"))
    assert stats["traces"] == 4 and stats["actions_per_trace"] == pytest.approx(163 / 4)
    res = runner.invoke(app, ["stats", "webcpm", str(out)])
    assert res.exit_code == 0 and "actions_per_trace" in res.output and "40.75" in res.output
