from collections import Counter

from builders.muser.tagger.data import prepare
from builders.muser.tagger.linear import LinearTagger
from builders.muser.tagger.metrics import multilabel_prf


def test_linear_baseline_beats_majority_and_round_trips(muser_dir, tmp_path):
    p = prepare(muser_dir / "label_pred/all_test_sent_data_zy.json", seed=13, limit=1500)
    tagger = LinearTagger().fit(p.train)
    texts = [e.sentence for e in p.test]
    gold = [e.labels for e in p.test]
    pred = tagger.predict(texts)
    scores = multilabel_prf(gold, pred)
    top = Counter(x for e in p.train for x in e.labels).most_common(1)[0][0]
    majority = multilabel_prf(gold, [[top]] * len(gold))
    assert scores["micro_f1"] > majority["micro_f1"] + 0.1
    assert scores["macro_f1"] > majority["macro_f1"]
    tagger.save(tmp_path / "m")
    assert sorted(x.name for x in (tmp_path / "m").iterdir()) == ["model.json", "model.npz"]
    assert LinearTagger.load(tmp_path / "m").predict(texts) == pred
