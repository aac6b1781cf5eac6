"""Build tiny, randomly initialised HF checkpoints (reader, extractor, question generator) offline.

Used by the test suite to exercise the exact `hf` code path without downloads: a WordPiece tokenizer
trained with `tokenizers` on the given texts (CJK characters split, as BERT's Chinese models do),
2-layer BERT heads and a 2-layer T5, all written with `save_pretrained` and loaded back by name/path.
Quality is not the point; the loading, training, generation and offset code is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

__all__ = ["build_tiny_checkpoints"]

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _tokenizer(texts: Iterable[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.train_from_iterator(list(texts), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIALS))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                             sep_token="[SEP]", mask_token="[MASK]")


def build_tiny_checkpoints(texts: Iterable[str], out_dir: str | Path, *, vocab_size: int = 2000,
                           hidden: int = 64, layers: int = 2, seed: int = 0) -> dict[str, str]:
    """Write {reader, extractor, generator} checkpoints under out_dir; returns their paths."""
    import torch
    from transformers import (BertConfig, BertForQuestionAnswering, BertForTokenClassification, T5Config,
                              T5ForConditionalGeneration)

    torch.manual_seed(seed)
    out = Path(out_dir)
    tok = _tokenizer(texts, vocab_size)
    bert = dict(vocab_size=len(tok), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=2,
                intermediate_size=hidden * 2, max_position_embeddings=512, pad_token_id=tok.pad_token_id)
    paths = {}
    for name, model in (("reader", BertForQuestionAnswering(BertConfig(**bert))),
                        ("extractor", BertForTokenClassification(BertConfig(**bert, num_labels=3)))):
        model.save_pretrained(out / name)
        tok.save_pretrained(out / name)
        paths[name] = str(out / name)
    t5 = T5Config(vocab_size=len(tok), d_model=hidden, d_kv=hidden // 2, d_ff=hidden * 2, num_layers=layers,
                  num_decoder_layers=layers, num_heads=2, pad_token_id=tok.pad_token_id,
                  eos_token_id=tok.sep_token_id, decoder_start_token_id=tok.pad_token_id)
    T5ForConditionalGeneration(t5).save_pretrained(out / "generator")
    tok.save_pretrained(out / "generator")
    paths["generator"] = str(out / "generator")
    return paths
