"""The transformers fine-tuning path, offline: a tiny random-init BERT whose tokenizer is trained here."""
from collections import Counter

import pytest

from builders.muser.tagger.data import prepare
from builders.muser.tagger.hf import HFTagger, HFTaggerConfig


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
    cfg = HFTaggerConfig(model=str(folder), epochs=4, batch_size=16, lr=3e-3, max_length=48, device="cpu",
                         threads=1)
    tagger = HFTagger.train(cfg, train, show_progress=False, losses=losses)
    per_epoch = len(losses) // 4
    assert sum(losses[-per_epoch:]) / per_epoch < sum(losses[:per_epoch]) / per_epoch - 0.05
    texts = [e.sentence for e in p.test[:20]]
    pred = tagger.predict(texts)
    assert all(x and set(x) <= set(tagger.labels) for x in pred)
    tagger.save(tmp_path / "out")
    assert (tmp_path / "out" / "model.safetensors").exists()
    assert HFTagger.load(tmp_path / "out", device="cpu").predict(texts) == pred


def test_cli_entry_point_runs_the_hf_path(muser_dir, tiny_bert, tmp_path):
    import json

    from builders.muser.tagger.run import train_and_evaluate

    folder = tiny_bert(["借款人未按约定归还借款", "夫妻共同债务的认定"])
    report = train_and_evaluate(muser_dir / "label_pred/all_test_sent_data_zy.json", model=str(folder), limit=100,
                                epochs=1, batch_size=32, max_length=32, device="cpu", threads=1,
                                out_dir=tmp_path / "m",
                                show_progress=False)
    assert report["model"]["model"] == str(folder) and report["split"]["test"] == 20
    assert json.loads((tmp_path / "m" / "report.json").read_text())["metrics"] == report["metrics"]
    assert (tmp_path / "m" / "tagger.json").exists()


def test_resume_from_epoch_checkpoint_gives_the_same_model(muser_dir, tiny_bert, tmp_path):
    p = prepare(muser_dir / "label_pred/all_test_sent_data_zy.json", seed=13, limit=300)
    train = p.train[:64]
    folder = tiny_bert([e.sentence for e in train])
    texts = [e.sentence for e in p.test[:10]]

    def cfg(epochs):
        return HFTaggerConfig(model=str(folder), epochs=epochs, batch_size=16, lr=3e-3, max_length=32,
                              device="cpu", threads=1)
    straight = HFTagger.train(cfg(2), train, show_progress=False)
    first: list[float] = []
    HFTagger.train(cfg(1), train, show_progress=False, checkpoint_dir=tmp_path / "ck", losses=first)
    assert (tmp_path / "ck" / "progress.json").exists() and len(first) == 4
    second: list[float] = []
    resumed = HFTagger.train(cfg(2), train, show_progress=False, checkpoint_dir=tmp_path / "ck", losses=second)
    assert len(second) == 4                                   # only epoch 2 ran: no step twice
    import torch
    for a, b in zip(straight.model.state_dict().values(), resumed.model.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-5)
    assert resumed.predict(texts) == straight.predict(texts)
