"""Quality measures of generated pairs, shared by the filter (which cuts on them), the rule question
generator (which picks its question word with them) and `bench stats qasnowball` (which reports them).

- answer class: the candidate extractor's type (spaCy NER for English, jieba POS + rules for Chinese)
  coarsened, with 《title》 spans and number/date-looking texts recognised by rule;
- question class: from the question word that the question adds to its source sentence (a "When" that
  the sentence itself starts with is not the question word);
- `wh_fits`: whether that question word may ask for that class of answer (`FITS`);
- `copy_rate`: share of the question's n-grams (words for en, characters for zh) found verbatim in the
  source sentence: 1.0 is the sentence itself;
- `jaccard`: token overlap of two questions (near-identical questions on one answer span are duplicates).
"""
from __future__ import annotations

import re
from collections import Counter

from engines.readers.rule.en_class import (at_place, is_broken_span, is_identifier_number, looks_like_person,
                                           quantity_np, time_np)
from engines.readers.text import split_sentences, tokens

__all__ = ["answer_class", "question_words", "wh_fits", "copy_rate", "jaccard",
           "source_sentence", "FITS", "FITS_ZH", "WH_CLASS"]

# question word -> class of answer it asks for; longest phrases first (matched before their parts)
WH_CLASS = {
    "zh": (("什么时候", "TIME"), ("什么地方", "LOC"), ("哪一年", "TIME"), ("哪年", "TIME"), ("何时", "TIME"),
           ("哪天", "TIME"), ("几月", "TIME"), ("哪里", "LOC"), ("哪儿", "LOC"), ("何地", "LOC"),
           ("为什么", "REASON"), ("为何", "REASON"), ("如何", "REASON"), ("怎么", "REASON"), ("怎样", "REASON"),
           ("多长时间", "NUM"), ("多久", "NUM"), ("多少", "NUM"), ("几", "NUM"), ("谁", "PER"),
           ("哪部", "OTHER"), ("哪个", "OTHER"), ("哪些", "OTHER"), ("什么", "OTHER")),
    "en": (("what percentage", "NUM"), ("what percent", "NUM"), ("how many", "NUM"), ("how much", "AMOUNT"),
           ("how long", "NUM"), ("how old", "NUM"),
           ("what year", "TIME"), ("which year", "TIME"), ("what century", "TIME"), ("what date", "TIME"),
           ("who", "PER"), ("whom", "PER"), ("whose", "PER"), ("when", "TIME"), ("where", "LOC"),
           ("why", "REASON"), ("how", "REASON"), ("what", "OTHER"), ("which", "OTHER")),
}
# answer class -> question classes that fit it (an organisation is asked what/which organisation, never who:
# a group of people is PEOPLE)
FITS = {"PER": {"PER"}, "ORG": {"OTHER"}, "LOC": {"LOC", "OTHER"}, "TIME": {"TIME"}, "NUM": {"NUM", "AMOUNT"},
        "DURATION": {"NUM"}, "MONEY": {"AMOUNT"}, "PEOPLE": {"PER"}, "NONE": set(), "QUANTITY": {"NUM", "AMOUNT"},
        "TITLE": {"OTHER"}, "OTHER": {"OTHER"}, "CLAUSE": {"OTHER", "REASON"}}
# Chinese asks for a place with 哪里 (哪个国家 etc. are OTHER): a bare 什么 in 位于什么 does not fit
# and the rule generator's 什么 in place of a whole clause asks for nothing a reader can answer
FITS_ZH = {**FITS, "LOC": {"LOC"}, "CLAUSE": set()}
_TYPE_CLASS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "TIME": "TIME", "NUM": "NUM",
               "SENT": "CLAUSE", "CLAUSE": "CLAUSE"}
_ZH_TIME = re.compile(r"^(公元前?)?[0-9零〇一二三四五六七八九十百千两]+(年|月|日|世纪|年代|号)")
_ZH_NUM = re.compile(r"^[0-9.,零〇一二三四五六七八九十百千万亿两]+[^《》]{0,3}$")
_EN_TIME = re.compile(r"^(in |the )?(\d{3,4}s?|\d{1,2}(st|nd|rd|th) century)$", re.I)
_EN_NUM = re.compile(r"^[\d.,]+( ?%| percent)?$")
_EN_DURATION = re.compile(r"^((almost|about|nearly|over|more than|approximately|around|at least)\s+)?"
                          r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|several|many|"
                          r"few|some)\b.*\b(years?|months?|weeks?|days?|decades?|centuries|hours?|minutes?|seconds?)$",
                          re.I)
_EN_BARE_DURATION = re.compile(r"^(decades|years|centuries|months|weeks|days|hours|minutes)$", re.I)
_EN_WHEN = re.compile(r"\d{3,4}|\b(january|february|march|april|may|june|july|august|september|october|november|"
                      r"december|spring|summer|autumn|fall|winter|century|centuries|decade|era|age|dynasty|period|"
                      r"bc|ad|bce|ce|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekends?|mornings?|"
                      r"afternoons?|evenings?|nights?|noon|midnight|dawn|dusk)\b", re.I)
_EN_PEOPLE = re.compile(r"^(the\s+)?([\d,]+\s+)?[A-Z][a-z]+s$")     # "the 148 Huguenots", "Byzantines"
_EN_RANGE = re.compile(r"^\d{3,4}\s*[–-]\s*\d{2,4}$")
_EN_MONEY = re.compile(r"^[$£€¥]|\b(dollars?|pounds?|euros?|yen)\b", re.I)
_ZH_NUMERAL = re.compile(r"[0-9零〇一二三四五六七八九十百千万亿两]")
_ZH_PLACE = re.compile(r"(省|市|县|区|镇|乡|村|州|国|岛|山|河|湖|车站|站)$")
_ZH_ARTICLE = re.compile(r"^一[个种出位座家部条所名只件本首项支间台辆艘架门场批]$")
_ZH_PERIOD_AFTER = re.compile(r"时期|时代|时|年间|末年|初年|末期|初期|期间")
_ZH_DURATION = re.compile(r"^[0-9零〇一二三四五六七八九十百千两几多数半]{1,3}(多)?(年|个月|周|天|日|小时|分钟|秒)$")


def answer_class(answer_type: str, text: str, context: str, start: int, lang: str) -> str:
    """PER / ORG / PEOPLE / LOC / TIME / DURATION / NUM / MONEY / QUANTITY / TITLE / CLAUSE / OTHER / NONE
    for a candidate answer (NONE: no question word asks for it, e.g. "one" in "at one time" or a span cut
    inside a phrase; English corrections of spaCy's labels are in `en_class`)."""
    t = text.strip()
    if lang == "zh" and (t.startswith("《") or (context[start - 1:start] == "《" and
                                                 context[start + len(text):start + len(text) + 1] == "》")):
        return "TITLE"
    cls = _TYPE_CLASS.get(answer_type, "OTHER")
    if lang == "en":
        if is_broken_span(text, context, start):
            return "NONE"            # "United Nations on", the "2" of "CO\n2": no question word asks for it
        if cls == "NUM" and is_identifier_number(t, context[max(start - 40, 0):start]):
            return "NONE"            # "Route 9", "Apollo 11": a name, not a count
        before = context[max(start - 20, 0):start]
        if cls in ("ORG", "OTHER") and looks_like_person(t):
            return "PER"             # spaCy ORG on "the Ming Emperor", "Queen Matilda": who, not what
        if cls == "ORG" and at_place(before):
            return "LOC"             # "studied at Kew College", "camped on Kew Green": where/what, not whom
        if cls in ("OTHER", "TIME") and time_np(t):
            return "TIME"            # "the present day", "that year": when, not what
        if cls == "OTHER" and quantity_np(t):
            return "QUANTITY"        # "a great deal" (of control): how much, not what
    if lang == "en" and _EN_RANGE.match(t):
        return "TIME"                # "865–915": a span of years
    if lang == "en" and cls == "ORG" and _EN_PEOPLE.match(t):
        return "PEOPLE"              # a people or team: who/whom, not what
    if lang == "en" and t.lower() == "one" and context[start + len(text):start + len(text) + 5].lower() == " time":
        return "NONE"                # "at one time" = formerly: nothing to ask
    if lang == "en" and cls == "NUM" and _EN_MONEY.search(t):
        return "MONEY"               # "how much", not "how many"
    if lang == "zh" and cls == "NUM" and re.search(r"\d[A-Za-z]", t):
        return "OTHER"               # 2A级, 5G: a code, not a count
    if lang == "zh" and cls == "TIME" and re.search(r"[万亿].*年$", t):
        return "DURATION"            # 1亿8千年: a span of time, never a date
    if lang == "zh" and cls == "NUM" and _ZH_ARTICLE.match(t):
        return "NONE"                # 是一出…/一种…: the indefinite article, not a count
    if lang == "zh" and cls == "LOC" and _ZH_PERIOD_AFTER.match(context, start + len(text)):
        return "TIME"                # 三国时, 民国年间: a period, not a place
    if lang == "zh" and cls == "NUM" and not _ZH_NUMERAL.search(t):
        cls = "OTHER"                # jieba tags 月 in 月报 as a numeral
    if lang == "zh" and cls in ("OTHER", "CLAUSE") and answer_type == "NP" and _ZH_PLACE.search(t):
        return "LOC"
    if cls == "TIME" and (_ZH_DURATION.match(t) if lang == "zh" else
                          (_EN_DURATION.search(t) or _EN_BARE_DURATION.match(t)) and not re.search(r"\d{4}", t)):
        return "DURATION"            # "how long"/"多久", not "when"
    if cls == "TIME" and lang == "en" and not _EN_WHEN.search(t):
        cls = "OTHER"                # spaCy DATE on "present-day", "recent years", "oxygen-16": no when
    if cls == "OTHER":
        if lang == "zh":
            cls = "TIME" if _ZH_TIME.match(t) else "NUM" if _ZH_NUM.match(t) else cls
        else:
            cls = "TIME" if _EN_TIME.match(t) else "NUM" if _EN_NUM.match(t) else cls
    return cls


def _wh_counts(text: str, lang: str) -> Counter[str]:
    s = text.lower()
    found: Counter[str] = Counter()
    for wh, _ in WH_CLASS[lang]:
        pat = re.escape(wh) if lang == "zh" else rf"\b{re.escape(wh)}\b"
        n = len(re.findall(pat, s))
        if n:
            found[wh] += n
            s = re.sub(pat, " ", s)          # "how many" is not also "how"
    return found


def question_words(question: str, sentence: str, lang: str) -> list[str]:
    """The question words the question adds to its source sentence (all of them if it adds none)."""
    added = _wh_counts(question, lang) - _wh_counts(sentence, lang)
    return sorted(added or _wh_counts(question, lang))


_YEAR_WH = {"哪一年", "哪年", "what year", "which year"}
_HAS_YEAR = re.compile(r"\d{3,4}|[零〇一二三四五六七八九]{4}")


def wh_fits(question: str, sentence: str, a_class: str, lang: str, answer: str = "") -> bool:
    """True when some question word of `question` may ask for an answer of class `a_class`
    ("what year"/"哪一年" only for an answer holding a year)."""
    table = dict(WH_CLASS[lang])
    allowed = (FITS_ZH if lang == "zh" else FITS).get(a_class, {"OTHER"})
    return any(table[w] in allowed and (w not in _YEAR_WH or bool(_HAS_YEAR.search(answer)))
               for w in question_words(question, sentence, lang))


def source_sentence(context: str, start: int, lang: str) -> str:
    """The sentence of `context` holding the character offset `start`."""
    for s, e in split_sentences(context, lang):
        if s <= start < e:
            return context[s:e]
    return context


def _grams(text: str, lang: str) -> list[tuple[str, ...]]:
    toks = tokens(text, lang)
    n = 4 if lang == "zh" else 3
    return [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)] or [tuple(toks)]


def copy_rate(question: str, sentence: str, lang: str) -> float:
    """Share of the question's word 3-grams (zh: character 4-grams) that occur in the source sentence."""
    q = _grams(question, lang)
    if not q or q == [()]:
        return 0.0
    src = set(_grams(sentence, lang))
    return sum(g in src for g in q) / len(q)


def jaccard(q1: str, q2: str, lang: str) -> float:
    """Token Jaccard of two questions (zh: characters, en: lowercased words)."""
    a, b = set(tokens(q1, lang)), set(tokens(q2, lang))
    return len(a & b) / len(a | b) if a | b else 1.0
