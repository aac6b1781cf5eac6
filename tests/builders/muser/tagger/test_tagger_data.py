import json

import pytest

from builders.muser.tagger.data import TaggerDataError, dedupe, prepare, read_sentences
from builders.muser.tagger.metrics import multilabel_prf


def test_real_file_dedupe_counts_and_no_leak(muser_dir):
    p = prepare(muser_dir / "label_pred/all_test_sent_data_zy.json", seed=13)
    s = p.stats
    assert (s["records"], s["distinct_sentences"], s["conflicting_sentences_dropped"]) == (12489, 8740, 90)
    assert s["kept"] == 8740 - 90 == s["train"] + s["test"]
    train = {e.sentence for e in p.train}
    assert not train & {e.sentence for e in p.test}
    assert len(train) == len(p.train)
    again = prepare(muser_dir / "label_pred/all_test_sent_data_zy.json", seed=13)
    assert [e.sentence for e in again.test] == [e.sentence for e in p.test]


def test_dedupe_rules(tmp_path):
    rows = [{"sentence": "甲", "labels": ["a"]}, {"sentence": "甲", "labels": ["a"]},
            {"sentence": "乙", "labels": ["a"]}, {"sentence": "乙", "labels": ["b"]}, {"sentence": "丙", "labels": ["c"]}]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    kept, stats = dedupe(read_sentences(path))
    assert [e.sentence for e in kept] == ["甲", "丙"]
    assert stats["conflicting_sentences_dropped"] == 1 and stats["conflicting_records_dropped"] == 2
    assert stats["duplicate_records_merged"] == 1


def test_bad_record_names_the_field(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"sentence": "甲", "labels": "a"}]), encoding="utf-8")
    with pytest.raises(TaggerDataError, match="record 0: field labels"):
        read_sentences(path)


def test_micro_macro_by_hand():
    gold = [["a"], ["a", "b"], ["c"]]
    pred = [["a"], ["b"], ["a"]]
    m = multilabel_prf(gold, pred)
    assert m["micro_p"] == pytest.approx(2 / 3) and m["micro_r"] == pytest.approx(2 / 4)
    # per label F1: a: p=1/2 r=1/2 -> 0.5 ; b: 1 ; c: 0
    assert m["macro_f1"] == pytest.approx(0.5)
