"""The precision gate (builders/qasnowball/gate.py) on made-up sentences: each signal fires on its shape
and stays quiet on look-alikes; the filter rejects and counts the doubtful pairs as `uncertain_type`;
an organisation is never asked who/谁. spaCy and jieba are the real ones (their labels of these sentences
are part of what is tested)."""
from __future__ import annotations

import pytest

from builders.qasnowball.filter import FilterConfig, Pair, QAFilter
from builders.qasnowball.gate import GATES, uncertain_type
from engines.readers.base import Candidate
from builders.qasnowball.quality import answer_class, wh_fits

from tests.builders.qasnowball.test_filter import FixedReader


def gate(lang: str, typ: str, answer: str, context: str, question: str, nth: int = 0) -> str | None:
    start = -1
    for _ in range(nth + 1):
        start = context.index(answer, start + 1)
    return uncertain_type(typ, answer, context, start, lang, question, context)


@pytest.mark.parametrize("typ,answer,context,question,expected", [
    # a capitalised name spaCy calls ORG (or nothing), with no head cue word, asked what: could be a person
    ("ORG", "Velmora", "Velmora announced the new engine on Friday, and the crowd cheered.",
     "What announced the new engine on Friday?", "proper_name"),
    ("NP", "Ogrodek Mały", "Nearby, in Ogrodek Mały (the Little Garden), the band played.",
     "Nearby, in what (the Little Garden), the band played?", "proper_name"),
    # ... but a head cue word, an acronym or a nationality is evidence enough
    ("ORG", "Velmora University", "The report was praised by Velmora University and the Royal Society.",
     "The report was praised by what and the Royal Society?", None),
    ("ORG", "NASA", "NASA launched the probe in 1977.", "What launched the probe in 1977?", None),
    ("ORG", "French", "The treaty angered the French settlers.", "The treaty angered the what settlers?", None),
    # a PERSON label with a sign of a place: an apposition naming a place, a locative preposition before,
    # a place head word, or the same name tagged GPE elsewhere in the document
    ("PER", "Castra Veldi", "The first settlement here was Castra Veldi, a Roman fort on the river.",
     "The first settlement here was who, a Roman fort on the river?", "place_like_person"),
    ("PER", "Ogrodek Mały", "Nearby, in Ogrodek Mały the band played.", "Who was the band's venue nearby?",
     "place_like_person"),
    ("PER", "Lidell Park", "The fair was held by Lidell Park every summer.", "The fair was held by whom?",
     "place_like_person"),
    ("PER", "Kestrel Vale", "Delegates from Kestrel Vale met in Kestrel Vale's town hall; Kestrel Vale later grew.",
     "who later grew?", "place_like_person"),
    # ... and persons with an apposition, or a surname that is also a building word, are left alone
    ("PER", "Anna Velar", "The letter was signed by Anna Velar, a teacher from Leeds.",
     "The letter was signed by whom, a teacher from Leeds?", None),
    ("PER", "Stuart Hall", "The architect Stuart Hall designed the library.", "The architect who designed the library?",
     None),
    # a common noun phrase whose head is a person noun, asked what
    ("NP", "a known client", "The workshop was built for a known client in the city.",
     "The workshop was built for what in the city?", "person_noun"),
    ("NP", "the physicists", "The prize was shared by the physicists of the lab.", "What of the lab shared the prize?",
     "person_noun"),
    ("NP", "a known clause", "The contract was voided by a known clause in the law.",
     "The contract was voided by what in the law?", None),
    # the question word in a slot its class cannot fill
    ("LOC", "Brenholt", "The hall was designed by Brenholt in 1890.", "The hall was designed by where in 1890?",
     "wh_slot"),
    ("LOC", "Brenholt", "The hall was moved from Brenholt in 1890.", "The hall was moved from where in 1890?", None),
    ("PER", "Anna Velar", "The letter was found on Anna Velar after the war.", "The letter was found on whom?",
     "wh_slot"),
    ("PER", "Anna Velar", "The letter was sent by Anna Velar after the war, when she came home.", "The letter was sent by whom?", None),
])
def test_english_gate(typ, answer, context, question, expected):
    assert gate("en", typ, answer, context, question, 2 if answer == "Kestrel Vale" else 0) == expected


@pytest.mark.parametrize("typ,answer,context,question,expected", [
    # a person noun (者 员 师 手 人) asked 什么
    ("NP", "成绩优秀者", "比赛的成绩优秀者也获邀参加。", "比赛的什么也获邀参加？", "zh_person_noun"),
    ("NP", "合唱团团员", "合唱团团员也获邀参加。", "什么也获邀参加？", "zh_person_noun"),
    ("OTHER", "成绩优秀奖", "比赛的成绩优秀奖也颁给了他。", "比赛的什么也颁给了他？", None),
    ("OTHER", "工业机器人", "工厂使用工业机器人生产汽车。", "工厂使用什么生产汽车？", None),
    # 哪里/谁 in place of a short word that modifies the noun after it (not a place name)
    ("LOC", "巴士", "新巴82线是香港的一条巴士路线。", "新巴82线是香港的一条哪里路线？", "zh_modifier"),
    ("LOC", "上海", "会议在上海举行。", "会议在哪里举行？", None),
    ("LOC", "中国", "北京是中国首都。", "北京是哪里首都？", None),
])
def test_chinese_gate(typ, answer, context, question, expected):
    assert gate("zh", typ, answer, context, question) == expected


def test_an_organisation_is_never_asked_who():
    for lang, q, ok in (("en", "Who launched the probe in 1977?", False), ("en", "What launched the probe?", True),
                        ("zh", "谁发射了探测器？", False), ("zh", "哪个机构发射了探测器？", True)):
        cls = answer_class("ORG", "NASA", "NASA", 0, lang)
        assert wh_fits(q, "", cls, lang, "NASA") is ok, (lang, q)


def test_filter_rejects_and_counts_uncertain_pairs():
    ctx = "Velmora announced the new engine on Friday, and the crowd cheered."
    p = Pair("d1", ctx, Candidate(0, 7, "Velmora", "ORG", 0.9), "What announced the new engine on Friday?", -1.0)
    f = QAFilter(FixedReader("Velmora", 0.9), "en")
    v = f.check([p], set())[0]
    assert v.reason == "uncertain_type" and v.signal in GATES
    assert f.counts()["rejected"]["uncertain_type"] == 1 and f.counts()["kept"] == 0
    assert f.counts()["uncertain_type_signals"] == {v.signal: 1}
    off = QAFilter(FixedReader("Velmora", 0.9), "en", FilterConfig(uncertain_type=False))
    assert off.check([p], set())[0].keep


@pytest.mark.parametrize("typ,answer,context,question,expected", [
    # a person class must look like a name: a suffix of a road/district/team/taxon says it is not one
    ("PER", "松道", "车队途经松道及海景道。", "车队途经谁及海景道？", "zh_person_shape"),
    ("PER", "青禾区", "本站位于青禾区的北端。", "本站位于谁的北端？", "zh_person_shape"),
    ("PER", "甲联", "他很早就吸引了甲联的注意。", "他很早就吸引了谁的注意？", "zh_person_shape"),
    ("PER", "蓝鳍科", "这种鱼属于蓝鳍科。", "这种鱼属于谁？", "zh_person_shape"),
    ("PER", "张明", "这本书由张明写成。", "这本书由谁写成？", None),
    ("PER", "孙中山", "大会由孙中山主持。", "大会由谁主持？", None),
    ("PER", "约瑟夫·布朗", "信件由约瑟夫·布朗签署。", "信件由谁签署？", None),
    # a place class asked 哪里 must have a place shape
    ("LOC", "电车", "公司提供对外电车服务。", "公司提供对外哪里服务？", "zh_place_shape"),
    ("LOC", "青禾县", "公司设在青禾县。", "公司设在哪里？", None),
    ("LOC", "日本", "公司设在日本。", "公司设在哪里？", None),
    # a religion or ideology is not a place
    ("LOC", "伊斯兰", "这在某些伊斯兰国家很常见。", "这在某些哪里国家很常见？", "zh_creed"),
    ("LOC", "道教", "这种习俗来自道教。", "这种习俗来自哪里？", "zh_creed"),
    # an ordinal or 一+classifier is not a count
    ("NUM", "第三", "此事见于宪法第三条。", "此事见于宪法几条？", "zh_ordinal"),
    ("NUM", "一道", "两岸隔一道海峡相望。", "两岸隔几海峡相望？", "zh_ordinal"),
    ("NUM", "三座", "城中共有三座桥。", "城中共有几桥？", "zh_unreliable_class"),
    # a span cut out of a word: the one-character word before it forms a dictionary word with its edge
    ("LOC", "华山", "因县东北有山（即金华山）而名。", "因县东北有山（即金哪里）而名？", "zh_cut_span"),
    ("LOC", "华山", "他曾经登上华山。", "他曾经登上哪里？", None),
])
def test_chinese_shape_gate(typ, answer, context, question, expected):
    assert gate("zh", typ, answer, context, question) == expected


@pytest.mark.parametrize("typ,answer,context,question,expected", [
    # a number after an identifier noun, or before one, names a thing: not asked how many
    ("NUM", "12", "Under sections 12 and 14, the council may levy taxes.",
     "Under sections how many and 14, the council may levy taxes?", "identifier_number"),
    ("NUM", "14", "Under sections 12 and 14, the council may levy taxes.",
     "Under sections 12 and how many, the council may levy taxes?", "identifier_number"),
    ("NUM", "210", "The town lies south of the new 210 Freeway.", "The town lies south of the new how many Freeway?",
     "identifier_number"),
    ("NUM", "12", "The council has 12 sections and 14 members.", "The council has how many sections?", None),
    ("NUM", "210", "The town built 210 freeways.", "The town built how many freeways?", None),
    # a person label with a river's signs nearby
    ("PER", "Avon", "At that time the lower Avon flowed west to the sea.", "At that time the lower who flowed west?",
     "water_person"),
    ("PER", "Avon", "In 1820 Avon flowed into the sea near the town.", "In 1820 who flowed into the sea?",
     "water_person"),
    ("PER", "Anna Avon", "At that time Anna Avon moved west to the sea with her sister.", "At that time who moved west?", None),
])
def test_english_shape_gate(typ, answer, context, question, expected):
    assert gate("en", typ, answer, context, question) == expected


@pytest.mark.parametrize("lang,cls,answer,context,asked,expected", [
    # a Han edge glued to a number or a model code (handchecked_v8: 1998|赛季, 青年|JPN6120GR) ...
    ("zh", "TIME", "赛季", "最终在1998赛季以联赛垫底的成绩降入乙级。", {"什么时候"}, "zh_alnum_edge"),
    ("zh", "TIME", "青年", "本线现时使用2015年青年JPN6120GR行走。", {"什么时候"}, "zh_alnum_edge"),
    ("zh", "ORG", "上市公司", "其中上市公司4个。", {"哪个"}, "zh_alnum_edge"),
    # ... but not a place before a Latin name, nor a year before its word
    ("zh", "LOC", "日本", "这是日本AcaciaSoft发售的游戏。", {"哪里"}, None),
    ("zh", "TIME", "1998年", "最终在1998年降入乙级。", {"什么时候"}, None),
    # an age of life is not a time unless a time word follows it
    ("zh", "TIME", "青年", "他们多是来自乡村的青年，", {"什么时候"}, "zh_age_word"),
    ("zh", "TIME", "青年", "他在青年时期迁居上海。", {"什么时候"}, None),
    # a relationship noun at the end names a person (高中同学 asked 哪个)
    ("zh", "ORG", "高中同学", "在陪高中同学报考北京电影学院时被录取。", {"哪个"}, "zh_person_in_np"),
    # en: a set or a decimal list is not a count; a thousands separator is
    ("en", "NUM", "0,1", "the binary alphabet (the set {0,1}), so", {"how many"}, "not_a_count"),
    ("en", "NUM", "1,500", "about 1,500 men were sent", {"how many"}, None),
    # a comma into the next list item; a list joined by and/or is one phrase
    ("en", "NP", "town, student advisory groups", "help for students from out of town, student advisory groups, and",
     {"what"}, "comma_span"),
    ("en", "NP", "incompetent, inefficient, or neglectful governments",
     "compares well against incompetent, inefficient, or neglectful governments.", {"what"}, None),
    # a noun chunk that took in the verb after it; a capitalised name ending in a verb form is a name
    ("en", "NP", "this set corresponds", "a member of this set corresponds to solving", {"what"}, "verb_tail"),
    ("en", "LOC", "United States", "In many parts of the United States it rains.", {"what"}, None),
])
def test_evidence_rules_from_v8(lang, cls, answer, context, asked, expected):
    from builders.qasnowball.gate_evidence import en_evidence_gate, zh_evidence_gate

    check = zh_evidence_gate if lang == "zh" else en_evidence_gate
    assert check(answer, context, context.index(answer), cls, asked) == expected


def test_every_gate_rule_is_declared():
    """GATES lists the names the filter log and `bench stats` may show: each name a gate returns is in it."""
    import re
    from pathlib import Path

    import builders.qasnowball as pkg

    root = Path(pkg.__file__).parent
    returned = set()
    for name in ("gate.py", "gate_shapes.py", "gate_evidence.py"):
        returned |= set(re.findall(r'return "([a-z_]+)"', (root / name).read_text(encoding="utf-8")))
    assert returned == set(GATES)
