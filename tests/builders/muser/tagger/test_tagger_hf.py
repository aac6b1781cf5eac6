"""The transformers fine-tuning path, offline: a tiny random-init BERT whose tokenizer is trained here."""
from collections import Counter

import pytest

from builders.muser.tagger.data import prepare
from builders.muser.tagger.hf import HFTagger, HFTaggerConfig
from tests.muser_support import muser_dir, shared_data  # noqa: F401


@pytest.fixture()
def tiny_bert(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast

    def build(sentences):
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        tok.train_from_iterator(sentences, trainers.WordPieceTrainer(vocab_size=1500, special_tokens=specials))
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
        folder = tmp_path / "tiny-bert"
        BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                          sep_token="[SEP]", mask_token="[MASK]").save_pretrained(folder)
        cfg = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=128)
        BertModel(cfg).save_pretrained(folder)
        return folder
    return build


def test_fine_tune_tiny_bert_learns_and_round_trips(muser_dir, tiny_bert, tmp_path):
    p = prepare(muser_dir / "label_pred/all_test_sent_data_zy.json", seed=13, limit=2000)
    top = {x for x, _ in Counter(x for e in p.train for x in e.labels).most_common(4)}
    train = [e for e in p.train if set(e.labels) <= top][:160]
    folder = tiny_bert([e.sentence for e in train])
    losses: list[float] = []
    cfg = HFTaggerConfig(model=str(folder), epochs=4, batch_size=16, lr=3e-3, max_length=48, device="cpu")
    tagger = HFTagger.train(cfg, train, show_progress=False, losses=losses)
    per_epoch = len(losses) // 4
    assert sum(losses[-per_epoch:]) / per_epoch < sum(losses[:per_epoch]) / per_epoch - 0.05
    texts = [e.sentence for e in p.test[:20]]
    pred = tagger.predict(texts)
    assert all(x and set(x) <= set(tagger.labels) for x in pred)
    tagger.save(tmp_path / "out")
    assert (tmp_path / "out" / "model.safetensors").exists()
    assert HFTagger.load(tmp_path / "out", device="cpu").predict(texts) == pred
