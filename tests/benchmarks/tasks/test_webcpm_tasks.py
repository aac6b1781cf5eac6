"""webcpm-* tasks through the runner: prediction files, generation with tiny random HF models."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.results import load_result
from benchmarks.runner import run_task
from benchmarks.tasks.base import RunOptions, TaskError
from builders.webcpm.answer import extractive_answer
from builders.webcpm.convert import convert
from builders.webcpm.recover import recover_traces


@pytest.fixture(scope="module")
def test_output(shared_data: Path) -> Path:
    """The released action-prediction output (159 prompts from real human traces)."""
    return shared_data / "webcpm" / "inference" / "output" / "test_output.json"


@pytest.fixture(scope="module")
def tasks_dir(test_output, tmp_path_factory) -> Path:
    """Module datasets converted from the 4 real (recovered) traces; answers from the answer step."""
    traces = recover_traces(test_output)
    for t in traces:
        facts = ["".join(d["desc"] for d in dig["datas"]) for dig in t["digests"]]
        t["answer"] = extractive_answer(t["question"], facts)
    out = tmp_path_factory.mktemp("webcpm_tasks") / "tasks"
    convert(traces, out, ratios=(2, 1, 1), seed=0)
    return out


def _gold(tasks_dir: Path, task: str, split: str = "test") -> list[dict]:
    return [json.loads(x) for x in (tasks_dir / task / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_released_output_through_the_runner(test_output, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))      # gold from the data registry
    result, path = run_task("webcpm-action", RunOptions(predictions=test_output, output=tmp_path, mode="strict"))
    saved = load_result(path)
    assert saved.metrics["paper"]["undecodable"] == 21.0 and saved.metrics["strict"]["scored"] == 159.0
    assert saved.main_score["set"] == "strict"
    assert saved.main_score["value"] == pytest.approx(result.metrics["strict"]["micro_f1"])
    assert saved.run_sha256 and len(saved.per_query["paper"]) == 138


def test_action_predictions_file_and_missing_ids(tasks_dir, tmp_path):
    gold = _gold(tasks_dir, "action")
    preds = [{"id": g["id"], "prediction": g["target"]} for g in gold]
    opts = dict(data_dir=tasks_dir, output=tmp_path, show_progress=False)
    perfect, _ = run_task("webcpm-action", RunOptions(predictions=_write(tmp_path / "p.jsonl", preds), **opts))
    assert perfect.metrics["paper"]["micro_f1"] == 1.0 and perfect.metrics["strict"]["micro_f1"] == 1.0
    partial, _ = run_task("webcpm-action", RunOptions(predictions=_write(tmp_path / "q.jsonl", preds[1:]), **opts))
    assert partial.metrics["strict"]["undecodable"] == 1.0
    assert partial.metrics["strict"]["micro_f1"] < 1.0 == partial.metrics["paper"]["micro_f1"]


def test_bad_prediction_file_is_a_one_line_error(tasks_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "prediction": "下翻"}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(TaskError, match=r"bad.jsonl:2: .*prediction"):
        run_task("webcpm-action", RunOptions(predictions=bad, data_dir=tasks_dir, output=tmp_path))
    with pytest.raises(TaskError, match="--predictions FILE or --model"):
        run_task("webcpm-query", RunOptions(data_dir=tasks_dir, output=tmp_path))


@pytest.mark.parametrize("task", ["query", "fact", "synthesis"])
def test_generation_tasks(tasks_dir, tmp_path, task):
    gold = _gold(tasks_dir, task, "train")
    assert gold
    preds = _write(tmp_path / "p.jsonl", [{"id": g["id"], "prediction": g["target"]} for g in gold])
    result, _ = run_task(f"webcpm-{task}", RunOptions(predictions=preds, data_dir=tasks_dir, split="train",
                                                      output=tmp_path))
    for protocol in ("paper", "standard"):
        assert result.metrics[protocol]["rouge_l"] == pytest.approx(1.0)
    if task == "synthesis":
        assert 0.0 <= result.metrics["paper"]["novelty"] < 0.5        # an extractive answer copies its facts
        assert result.metrics["paper"]["length"] == pytest.approx(sum(len(g["target"]) for g in gold) / len(gold))
    one = _write(tmp_path / "one.jsonl", [{"id": gold[0]["id"], "prediction": ""}])      # the others are missing
    result, _ = run_task(f"webcpm-{task}", RunOptions(predictions=one, data_dir=tasks_dir, split="train",
                                                      output=tmp_path))
    assert result.metrics["standard"]["rouge_l"] == 0.0 and result.metrics["standard"]["missing_predictions"] == len(gold) - 1
    assert result.extra["coverage"]["in_task"] == 1 and result.extra["coverage"]["task_ids"] == len(gold)
    empty = _write(tmp_path / "e.jsonl", [])                     # no prediction at all: refused, not a 0
    with pytest.raises(TaskError, match=r"e\.jsonl: no prediction in it"):
        run_task(f"webcpm-{task}", RunOptions(predictions=empty, data_dir=tasks_dir, split="train", output=tmp_path))


def _tiny_model(tmp_path: Path, texts: list[str], kind: str) -> Path:
    """A random-init model with a BPE tokenizer trained here: stands in for a real checkpoint."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[EOS]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", eos_token="[EOS]",
                                   model_max_length=512)
    if kind == "causal":
        model = GPT2LMHeadModel(GPT2Config(vocab_size=len(fast), n_embd=32, n_layer=1, n_head=2, n_positions=512,
                                           eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id))
    else:
        model = T5ForConditionalGeneration(T5Config(vocab_size=len(fast), d_model=32, d_ff=64, d_kv=16, num_layers=1,
                                                    num_heads=2, pad_token_id=fast.pad_token_id,
                                                    eos_token_id=fast.eos_token_id,
                                                    decoder_start_token_id=fast.pad_token_id))
    out = tmp_path / f"tiny-{kind}"
    model.save_pretrained(out)
    fast.save_pretrained(out)
    return out


@pytest.mark.parametrize("kind", ["causal", "seq2seq"])
def test_model_generates_predictions_first(tasks_dir, tmp_path, kind):
    import torch

    torch.manual_seed(0)
    gold = _gold(tasks_dir, "action")
    model = _tiny_model(tmp_path, [g["source"] for g in gold] + [g["target"] for g in gold], kind)
    result, _ = run_task("webcpm-action", RunOptions(model=str(model), data_dir=tasks_dir, output=tmp_path,
                                                     batch_size=16, params={"max_new_tokens": 4},
                                                     show_progress=False))
    preds = [json.loads(x) for x in Path(result.run_file).read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in preds] == [g["id"] for g in gold]
    assert result.model.name == Path(model).name and result.metrics["strict"]["total"] == len(gold)   # no local path
    undecodable = sum(p["prediction"] not in {"下翻", "上翻", "返回", "新增摘要", "合并摘要", "一号页面", "二号页面",
                                              "三号页面", "结束", "搜索", "开始", "拒答", "至顶"} for p in preds)
    assert result.metrics["strict"]["undecodable"] == undecodable
