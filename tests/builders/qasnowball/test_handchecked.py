"""The automatic wh/type check against samples of 100 hand-checked pairs (tests/fixtures/qasnowball/).

handchecked.jsonl: sampled (random.Random(17), 50 per language) from the preset builds of the first quality
filter: cmrc (seed 0) for Chinese, xquad-en seeds 0, 1 and 2 for English. Its 7 misses (all English) led to
the rules of builders/qasnowball/en_class.py, so it is in-sample for them.
handchecked_v2.jsonl: the held-out sample, drawn after those rules from fresh builds
(`python -m bench build qasnowball --preset P --rounds 2 --seed S`): 50 zh pairs from cmrc seed 0 and
10 en pairs from each of xquad-en seeds 0-4, with tests/fixtures/qasnowball/draw_sample.py --seed 29,
excluding the pairs of handchecked.jsonl.
handchecked_v3.jsonl: a second held-out sample, drawn after the rules written from v2's misses, from
fresh builds: 25 zh pairs from cmrc seed 0 and 25 from cmrc seed 1 (seed 0 has no 50 unseen pairs left),
10 en pairs from each of xquad-en seeds 5-9 and 4 from seed 10 (seed 5 had only 6 unseen), draw_sample.py
--seed 31, excluding the pairs of the two earlier samples.
handchecked_v4.jsonl: the held-out sample of the final rules (nothing was changed after drawing it): 50 zh
pairs from cmrc seed 2, 10 en pairs from each of xquad-en seeds 11-15, draw_sample.py --seed 37, excluding
the pairs of the three earlier samples.
handchecked_v5.jsonl: the held-out sample of the precision gate (builders/qasnowball/gate.py, filter rule
uncertain_type; the four samples above are in-sample for it, and nothing was changed after drawing this one):
50 zh pairs from cmrc seed 3 (draw_sample.py --seed 41 --per-build 50) and 10 en pairs from each of xquad-en
seeds 16-20 (draw_sample.py --seed 41 --per-build 10), all builds made with the gate, excluding the pairs of
the four earlier samples.
handchecked_v6.jsonl: the held-out sample of the gate's shape signals (builders/qasnowball/gate_shapes.py,
written from v5's misses; nothing was changed after drawing): 50 zh pairs from cmrc seed 4
(draw_sample.py --seed 43 --per-build 50) and 50 en pairs from xquad-en seeds 23-27 (draw_sample.py --seed 43
--per-build 10; seeds 23 and 27 keep only 6 unseen pairs each) plus 8 from seed 28 (--per-build 8, also
excluding the 42 drawn before), excluding the pairs of the five earlier samples.
handchecked_v7.jsonl: the held-out sample of the evidence signals (builders/qasnowball/gate_evidence.py,
frozen at commit 72f8c38 before the draw): 25 zh pairs from each of cmrc seeds 7 and 8 (draw_sample.py
--seed 47 --per-build 25) and 10 en pairs from each of xquad-en seeds 40-44 (--seed 47 --per-build 10),
excluding the pairs of the six earlier samples.
handchecked_v8.jsonl: the held-out sample of the rules written from v7's misses (frozen at ee308e2 before
the draw): 23 zh pairs from cmrc seed 10 and 25 from seed 11 (--seed 53 --per-build 25) plus 2 from seed 12
(--per-build 2, also excluding the 48), 10 en pairs from each of xquad-en seeds 50, 53, 54, 55 and 9 from
seed 51 (--seed 53 --per-build 10) plus 1 from seed 52 (--per-build 1), excluding the seven earlier samples.
handchecked_v9.jsonl: the held-out sample of the rules written from v8's misses (frozen at d1fdf31 before the
builds and the draw): 25 zh pairs from each of cmrc seeds 13 and 14 (--seed 59 --per-build 25), 10 en pairs
from each of xquad-en seeds 56, 59 and 60, 9 from seed 58 and 4 from seed 57 (--seed 59 --per-build 10; the
xquad seeds share documents, so few of their pairs are unseen) plus 7 from seed 61 (--per-build 7, also
excluding the 43), excluding the eight earlier samples.
Each `wh_fits` label is a reader's judgement (this project's coding agents, not outside annotators) of
whether the question word asks for the kind of thing the answer is (fluency problems are in `note`, not in
the label). Every pair passed the builder's filter, so the
automatic check says "fits" for all of them when the sample is drawn; the agreement is therefore the share a
reader also accepts.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders.qasnowball.gate import uncertain_type
from builders.qasnowball.quality import answer_class, wh_fits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "qasnowball"
SAMPLES = ("handchecked.jsonl", "handchecked_v2.jsonl", "handchecked_v3.jsonl", "handchecked_v4.jsonl",
           "handchecked_v5.jsonl", "handchecked_v6.jsonl", "handchecked_v7.jsonl", "handchecked_v8.jsonl",
           "handchecked_v9.jsonl")


def _rows(name: str = "handchecked.jsonl") -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _auto(r: dict) -> bool:
    """The filter's two class checks: the question word fits the class, and the class is confident (the
    gate sees the sentence only, not the whole document: its same-name-elsewhere signal is weaker here)."""
    cls = answer_class(r["answer_type"], r["answer"], r["sentence"], r["answer_start"], r["lang"])
    return wh_fits(r["question"], r["sentence"], cls, r["lang"], r["answer"]) and not uncertain_type(
        r["answer_type"], r["answer"], r["sentence"], r["answer_start"], r["lang"], r["question"], r["sentence"])


@pytest.mark.parametrize("name", SAMPLES)
def test_fixture_is_100_labelled_pairs_from_both_presets(name):
    rows = _rows(name)
    assert len(rows) == 100 and len({r["id"] for r in rows}) == 100
    assert sum(r["lang"] == "zh" for r in rows) == sum(r["lang"] == "en" for r in rows) == 50
    for r in rows:
        assert isinstance(r["wh_fits"], bool)
        assert r["sentence"][r["answer_start"]:r["answer_start"] + len(r["answer"])] == r["answer"]
        assert r["wh_fits"] or r["note"]                      # every "does not fit" says why


def test_held_out_samples_share_no_pair_with_the_earlier_ones():
    for i, later in enumerate(SAMPLES[1:], start=1):
        new = _rows(later)
        for earlier in SAMPLES[:i]:
            old = _rows(earlier)
            assert not {r["id"] for r in old} & {r["id"] for r in new}
            assert not {(r["sentence"], r["answer"], r["question"]) for r in old} & \
                {(r["sentence"], r["answer"], r["question"]) for r in new}


def _agreement(name: str) -> tuple[dict[str, float], float]:
    rows = _rows(name)
    agree = {lang: [(_auto(r) == r["wh_fits"]) for r in rows if r["lang"] == lang] for lang in ("zh", "en")}
    rate = {lang: sum(v) / len(v) for lang, v in agree.items()}
    overall = sum(sum(v) for v in agree.values()) / len(rows)
    human = sum(r["wh_fits"] for r in rows) / len(rows)
    print(f"{name}: agreement zh {rate['zh']:.2f} en {rate['en']:.2f} overall {overall:.2f}; "
          f"hand-labelled fit {human:.2f}")
    return rate, overall


def _precision(name: str) -> dict[str, tuple[int, int]]:
    """Per language (hand-labelled fits, pairs the automatic checks keep): what a reader accepts of what
    the filter would keep now. For a sample drawn after the gate this is its agreement."""
    rows = _rows(name)
    return {lang: (sum(r["wh_fits"] for r in rows if r["lang"] == lang and _auto(r)),
                   sum(1 for r in rows if r["lang"] == lang and _auto(r))) for lang in ("zh", "en")}


# What each sample measured (agreement = the automatic check equals the hand label; precision = of the
# pairs the checks keep now, how many a reader accepts). Only a sample drawn after the last rule change is
# held out; the others are in-sample for the rules written from their misses.
# - v1 (SAMPLES[0]): zh 1.00, en 0.86, overall 0.93 when written; zh 1.00, en 0.96, overall 0.98 now (the
#   en_class rules came from its misses; the gate rejects Legros and Mackinder, names spaCy calls ORG, and
#   two pairs a reader accepts, "Sassoun and Taron", "the Earth").
# - v2: held out when drawn zh 0.90 (45/50), en 0.88 (44/50), 0.89; rules from its misses (identifier
#   numbers, weekdays, organisations after a locative preposition, 一+classifier, 三国时) made it in-sample;
#   with the gate zh 0.98, en 0.84, 0.91 (6 en pairs it rejects are accepted by a reader: "Major League
#   Soccer", "Wnt").
# - v3: held out when drawn zh 0.90, en 0.82, 0.86; in-sample after; with the gate zh 0.96, en 0.92, 0.94.
# - v4: held out when drawn zh 0.96 (48/50), en 0.90 (45/50), 0.93; its misses led to the gate (in-sample
#   for it): zh 0.98, en 0.88, 0.93 (the checks reject all 7 misses and 7 pairs a reader accepts).
# - v5: held out from the gate (no rule changed after drawing; every pair passes the checks, so this is the
#   share a reader accepts): zh 0.72 (36/50), en 0.94 (47/50), 0.83 - below the issue's > 0.95 in both.
#   en: identifier numbers asked how many (articles 9, the 180 Freeway), a river tagged PERSON; zh (cmrc seed
#   3, which keeps 147 pairs without the gate too): jieba person/place tags on roads, districts, leagues and
#   fish families (柏道, 杨浦区, 英超, 鹦哥|鱼科 x3), 伊斯兰 asked 哪里, cut spans. The shape signals of
#   builders/qasnowball/gate_shapes.py came from these misses (in-sample for them): zh 0.98, en 1.00, 0.99
#   (left: a whole clause asked 什么). v1-v4 measure the same with them as before.
# - v6: held out from the shape signals (drawn after them, nothing changed since): zh 0.86 (43/50), en 0.92
#   (46/50), 0.89 - below the issue's > 0.95 in both. zh: identifiers and ordinals with their noun (10号线,
#   第1座, 第三部作品) asked 几, a company and a club asked 谁 (东方明珠, 柏林赫塔), a span with a verb (4出局),
#   a cut state name (德意志-|奥地利共和国); en: a person noun ending -er asked what (stratigraphers), a
#   relative-pronoun span (whose commitment), spaCy PERSON on a sound format and a forest's Portuguese name.
# - v7: held out from the evidence signals of gate_evidence.py (frozen before the draw): zh 0.86 (43/50), en
#   0.94 (47/50), 0.90. zh: numerals with a noun or inside a name asked 几/多少 (三十年|战争, 三十度斜坡,
#   一个态射), a broken span 的国 (twice), a direction asked 哪里 (东西), a kind of company asked 哪个
#   (上市公司); en: a figure number asked how many (Figure 2.21), gurus asked what, 1800 RPM asked when.
# - v8: held out from the rules written from v7's misses (zh numerals asked 几/多少 rejected, strict place
#   shapes, particle edges, organisation words with no name; en decimals, numbers before units, gurus):
#   zh 0.94 (47/50), en 0.94 (47/50), 0.94 - still below the issue's > 0.95. zh: a bus maker tagged as a
#   time (青年), a classmate tagged as an organisation (高中同学), a cut span (1998|赛季); en: {0,1} asked how
#   many, two noun chunks running past their phrase ("town, student advisory groups", "this set
#   corresponds"). The rules written from these six (zh_alnum_edge, zh_age_word, relationship nouns as
#   people; en not_a_count, comma_span, verb_tail) reject all six and no pair a reader accepts: v8 is
#   in-sample now (47/47, 47/47), and v7's last zh miss (上市公司|4个) goes too.
# - v9: held out from those rules (nothing changed after the draw): zh 0.98 (49/50), en 0.96 (48/50),
#   overall 0.97 - the first held-out sample above the issue's > 0.95 target, in both languages. zh: 王国
#   cut out of a game series' name (王国|霸主) asked 哪里; en: an ordinal asked how many ("The programme's
#   how many serial?" for first), Nikola Tesla asked what ("in what 's name").
# With the evidence signals the gate rejects many pairs a reader accepts, so the agreement of v1-v6 fell
# while what it keeps is accepted more often (the precision column): e.g. v6 89/100 -> 79/79.
MEASURED = [  # (sample, min zh, min en, min overall, {lang: (accepted, kept)})
    (0, 0.98, 0.94, 0.96, {"zh": (49, 49), "en": (40, 40)}),
    (1, 0.98, 0.80, 0.89, {"zh": (44, 44), "en": (35, 36)}),
    (2, 0.88, 0.84, 0.86, {"zh": (39, 39), "en": (33, 33)}),
    (3, 0.94, 0.86, 0.90, {"zh": (45, 45), "en": (38, 38)}),
    (4, 0.94, 0.92, 0.93, {"zh": (34, 35), "en": (43, 43)}),
    (5, 0.90, 0.90, 0.90, {"zh": (38, 38), "en": (41, 41)}),
    (6, 0.96, 1.00, 0.98, {"zh": (41, 41), "en": (47, 47)}),
    (7, 1.00, 1.00, 1.00, {"zh": (47, 47), "en": (47, 47)}),
    (8, 0.98, 0.96, 0.97, {"zh": (49, 50), "en": (48, 50)}),
]


# The newest sample drawn after the last change to the filter and the gate: the honest figure for issue 17's
# "wh/type agreement > 95% on a 100-pair hand-checked sample". A rule written from its misses makes it
# in-sample; then draw the next one (draw_sample.py) before quoting a figure again.
HELD_OUT = "handchecked_v9.jsonl"


def test_the_held_out_sample_meets_the_target():
    rows = _rows(HELD_OUT)
    rate, got = _agreement(HELD_OUT)
    assert len(rows) == 100 and {r["lang"] for r in rows} == {"zh", "en"}
    assert got > 0.95 and rate["zh"] > 0.95 and rate["en"] > 0.95


def test_a_second_reader_of_the_held_out_sample_agrees():
    """handchecked_v9_reader2.jsonl: a second reader (another coding agent, given LABELLING.md and each row's
    sentence, answer and question, not the first reader's labels) labelled v9: 97/100 too, the same three
    misses, Cohen's kappa 1.0. Both readers share the written conventions, so this checks the reading, not
    the conventions."""
    from annotation.agreement import cohen_kappa

    first = _rows(HELD_OUT)
    second = _rows("handchecked_v9_reader2.jsonl")
    assert [r["id"] for r in second] == [r["id"] for r in first]
    a, b = [r["wh_fits"] for r in first], [r["wh_fits"] for r in second]
    assert sum(x == y for x, y in zip(a, b)) >= 97 and cohen_kappa(a, b) >= 0.8
    assert sum(b) / len(b) > 0.95


@pytest.mark.parametrize("sample,zh,en,overall,precision", MEASURED, ids=[f"v{m[0] + 1}" for m in MEASURED])
def test_automatic_check_against_the_hand_labels(sample, zh, en, overall, precision):
    rate, got = _agreement(SAMPLES[sample])
    assert rate["zh"] >= zh and rate["en"] >= en and got >= overall
    assert _precision(SAMPLES[sample]) == precision


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
