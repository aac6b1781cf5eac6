"""The filter: planted bad pairs are rejected by the rule meant for them; every rule switches off."""
from __future__ import annotations

from builders.qasnowball.filter import FilterConfig, Pair, QAFilter
from engines.readers.base import Answer, Candidate


class FixedReader:
    """Stand-in reader with fixed answers: the filter logic is under test here, not the reader."""

    name = "fixed"

    def __init__(self, text: str, score: float):
        self.text, self.score = text, score

    def fit(self, examples, *, warm_start=False):
        pass

    def answer(self, items):
        return [Answer(0, self.text, self.score) for _ in items]

    def params(self):
        return {}


CTX = "Paris is the capital of France and its largest city."
PARIS = Candidate(0, 5, "Paris", "LOC", 0.9)


def pair(q, ans=PARIS):
    return Pair("d1", CTX, ans, q, -1.0)


def test_each_rule_rejects_its_planted_pair():
    f = QAFilter(FixedReader("Paris", 0.9), "en")
    seen = set()
    verdicts = f.check([pair("What is the capital of France?"),
                        pair("Is Paris the capital of France?"),                   # answer in question
                        pair("Tell me the capital of France now."),                # not interrogative
                        pair("What?"),                                             # too short
                        pair("What is the capital of France?")], seen)             # duplicate
    assert [v.reason for v in verdicts] == [None, "answer_in_question", "interrogative", "length", "duplicate"]
    assert f.counts()["kept"] == 1
    assert f.counts()["rejected"]["duplicate"] == 1


def test_roundtrip_and_confidence():
    seen = set()
    wrong = QAFilter(FixedReader("France", 0.9), "en")
    assert wrong.check([pair("What is the capital of France?")], seen)[0].reason == "roundtrip"
    low = QAFilter(FixedReader("Paris", 0.01), "en")
    assert low.check([pair("What is the capital of France?")], seen)[0].reason == "confidence"
    # relaxed mode: F1("Paris city", "Paris") = 2/3 passes 0.6, fails 0.8
    relaxed = QAFilter(FixedReader("Paris city", 0.9), "en", FilterConfig(roundtrip_mode="f1", f1_threshold=0.6))
    assert relaxed.check([pair("Which city is the capital?")], set())[0].keep
    strict = QAFilter(FixedReader("Paris city", 0.9), "en", FilterConfig(roundtrip_mode="f1", f1_threshold=0.8))
    assert strict.check([pair("Which city is the capital?")], set())[0].reason == "roundtrip"


def test_rules_switch_off():
    off = FilterConfig(length=False, interrogative=False, answer_in_question=False, duplicate=False,
                       roundtrip=False, confidence=False, wh_type=False, copy=False, span_duplicate=False,
                       type_balance=False)
    f = QAFilter(FixedReader("nothing", 0.0), "en", off)
    vs = f.check([pair("Paris"), pair("Paris")], set())
    assert all(v.keep for v in vs)


def test_chinese_rules():
    ctx = "清华大学位于北京市海淀区。"
    ans = Candidate(6, 9, "北京市", "LOC", 0.9)
    f = QAFilter(FixedReader("北京市", 0.9), "zh")
    vs = f.check([Pair("d", ctx, ans, "清华大学位于哪里？", 0.0), Pair("d", ctx, ans, "清华大学位于北京市吗？", 0.0),
                  Pair("d", ctx, ans, "清华大学位于海淀区。", 0.0)], set())
    assert [v.reason for v in vs] == [None, "answer_in_question", "interrogative"]


def test_quality_rules_reject_their_planted_pairs():
    f = QAFilter(FixedReader("Paris", 0.9), "en")
    vs = f.check([pair("What is the capital of France?"),
                  pair("When is the capital of France?"),                                  # wh does not fit LOC
                  pair("Which French city hosts the national government?"),                # same span, new question
                  pair("What is the capital of France, then?")], set())                    # same span, ~same question
    assert [v.reason for v in vs] == [None, "wh_type", None, "span_duplicate"]
    long_ctx = "In 1998 the new satellite service was launched from the Astra orbital position at Paris for Europe."
    copy = Pair("d2", long_ctx, Candidate(long_ctx.index("Paris"), long_ctx.index("Paris") + 5, "Paris", "LOC", 0.9),
                "In 1998 the new satellite service was launched from the Astra orbital position at where?", 0.0)
    assert f.check([copy], set())[0].reason == "copy"
    assert f.counts()["rejected"]["wh_type"] == 1 and f.counts()["rejected"]["span_duplicate"] == 1


def test_type_balance_caps_one_class():
    ctx = "《甲》《乙》《丙》《丁》《戊》《己》是书，北京是城市。"
    cfg = FilterConfig(roundtrip=False, confidence=False, max_type_share=0.5, type_grace=2)
    f = QAFilter(FixedReader("", 0.9), "zh", cfg)
    titles = [Pair(f"d{i}", ctx, Candidate(3 * i, 3 * i + 3, ctx[3 * i:3 * i + 3], "OTHER", 0.9),
                   f"第{i}本书是什么作品呢？", 0.0) for i in range(4)]
    city = Pair("d9", ctx, Candidate(ctx.index("北京"), ctx.index("北京") + 2, "北京", "LOC", 0.9), "哪里是一个城市呢？", 0.0)
    vs = f.check([*titles[:3], city, titles[3]], set())
    # 2 titles within the grace, the 3rd would be 3 of 3 > 50%; after the city, 3 of 4 is still > 50%
    assert [v.reason for v in vs] == [None, None, "type_balance", None, "type_balance"]
    # deferred, and still out at the end of the round: 3 titles of 4 kept pairs would be 75%
    assert [v.deferred for v in vs] == [False, False, True, False, True]
    assert f.admit_deferred([f.pair_key(p) for p, v in zip([*titles[:3], city, titles[3]], vs) if v.deferred],
                            set()) == ["type_balance", "type_balance"]
    assert f.counts()["kept"] == 3 and f.counts()["rejected"]["type_balance"] == 2



# the type cap alone: the other rules that look at one pair are off
CAP = FilterConfig(roundtrip=False, confidence=False, wh_type=False, uncertain_type=False, copy=False,
                   max_type_share=0.5, type_grace=2)


def _two_classes(n: int) -> tuple[list[Pair], list[Pair]]:
    """n title pairs (class TITLE) and n city pairs (class LOC), each on its own document."""
    ctx = "".join(f"《书{i}》" for i in range(n)) + "是书。" + "".join(f"城{i}市" for i in range(n)) + "是城市。"
    titles = [Pair(f"t{i}", ctx, Candidate(ctx.index(f"《书{i}》"), ctx.index(f"《书{i}》") + 4, f"《书{i}》", "OTHER", 0.9),
                   f"第{i}本书是什么作品呢？", 0.0) for i in range(n)]
    cities = [Pair(f"c{i}", ctx, Candidate(ctx.index(f"城{i}市"), ctx.index(f"城{i}市") + 3, f"城{i}市", "LOC", 0.9),
                   f"第{i}个城市在哪里呢？", 0.0) for i in range(n)]
    return titles, cities


def _kept_after_round(f: QAFilter, pairs: list[Pair]) -> tuple[list, list]:
    """check() then the end-of-round admission of the deferred pairs: (verdicts, end reasons)."""
    seen: set = set()
    vs = f.check(pairs, seen)
    deferred = [f.pair_key(p) for p, v in zip(pairs, vs) if v.deferred]
    return vs, f.admit_deferred(deferred, seen)


def test_type_balance_does_not_deadlock_at_two_classes():
    # grace 2, share 0.5: once TITLE and LOC hold 2 each, a 3rd pair of either class is 3 of 5 > 50%, so the
    # per-pair cap rejected every later pair, although 4 + 4 (50% each) meets the cap for the round's kept set
    titles, cities = _two_classes(4)
    f = QAFilter(FixedReader("", 0.9), "zh", CAP)
    vs, end = _kept_after_round(f, [titles[0], titles[1], cities[0], cities[1], *titles[2:], *cities[2:]])
    assert [v.keep for v in vs] == [True] * 4 + [False] * 4 and all(v.deferred for v in vs[4:])
    assert end == [None] * 4                                      # all four admitted at the end of the round
    c = f.counts()
    assert c["kept"] == 8 and c["type_deferred"] == 4 and c["type_admitted_at_end"] == 4
    assert f.classes == {"TITLE": 4, "LOC": 4}                    # 50% each: the bound holds


def test_type_balance_end_admission_keeps_the_share_bound():
    titles, cities = _two_classes(6)
    f = QAFilter(FixedReader("", 0.9), "zh", CAP)
    # after 2 + 2, four more titles and one more city are all over the per-pair cap: deferred
    vs, end = _kept_after_round(f, [*titles[:2], *cities[:2], *titles[2:], cities[2]])
    assert all(v.deferred and v.reason == "type_balance" for v in vs[4:])
    # at the end only one title fits beside the 3rd city (3 + 3); the other three stay out
    assert end == [None, "type_balance", "type_balance", "type_balance", None]
    c = f.counts()
    assert f.classes == {"TITLE": 3, "LOC": 3}
    assert c["checked"] == 9 and c["kept"] == 6 == c["checked"] - sum(c["rejected"].values())
    assert c["rejected"]["type_balance"] == 3 and c["type_deferred"] == 5 and c["type_admitted_at_end"] == 2


def test_type_balance_end_admission_drops_duplicates_of_admitted_pairs():
    titles, cities = _two_classes(3)
    f = QAFilter(FixedReader("", 0.9), "zh", CAP)
    again = Pair(cities[2].doc_id, cities[2].context, cities[2].answer, cities[2].question, 0.0)   # same doc + question
    vs, end = _kept_after_round(f, [*titles[:2], *cities[:2], titles[2], cities[2], again])
    assert all(v.deferred for v in vs[4:])           # deferred pairs are not in `seen` yet: the copy is deferred too
    assert end == [None, None, "duplicate"]
    assert f.counts()["rejected"]["duplicate"] == 1 and f.counts()["kept"] == 6
