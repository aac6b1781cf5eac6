"""English answer-class rules (builders/qasnowball/en_class.py) on made-up sentences: each general rule
both ways (it fires on its shape and leaves look-alikes alone), the filter's wh check on the result, and
the rule generator asking the question word that fits."""
from __future__ import annotations

import pytest

from engines.readers.base import Candidate
from builders.qasnowball.quality import answer_class, wh_fits
from builders.qasnowball.rule.qgen import RuleQuestionGenerator


def cls_of(typ: str, answer: str, sentence: str) -> str:
    start = sentence.index(answer)
    return answer_class(typ, answer, sentence, start, "en")


@pytest.mark.parametrize("typ,answer,sentence,expected", [
    # persons spaCy calls ORG: a title word with capitalised name words and no cue word
    ("ORG", "the Kangxi Emperor", "Silk exports grew under the Kangxi Emperor in the Qing period.", "PER"),
    ("ORG", "Queen Matilda", "The abbey was endowed by Queen Matilda after the war.", "PER"),
    ("NP", "Sir Edmund Carrow", "The bridge was designed by Sir Edmund Carrow in 1820.", "PER"),
    ("ORG", "the Pope", "The treaty was blessed by the Pope in person.", "PER"),
    ("ORG", "Queen Matilda Hospital", "Queen Matilda Hospital opened in 1890.", "ORG"),
    # a bare capitalised pair is no evidence on its own (it was tried: "Climate Change", "Kestle Shale")
    ("ORG", "Odile Brasquet", "The collection includes works by Odile Brasquet and others.", "ORG"),
    ("ORG", "Climate Change", "In the case of Climate Change the protocol failed.", "ORG"),
    # ... but not organisations, places, possessives, lists or roles
    ("ORG", "Brasquet University", "Brasquet University awarded her a prize.", "ORG"),
    ("ORG", "King's College", "King's College was founded before the war.", "ORG"),
    # an organisation or bare name after a locative preposition is a place: where/what, never whom
    ("ORG", "Brasquet University", "She taught at Brasquet University for a decade.", "LOC"),
    ("ORG", "Kestle Green", "The students camped on Kestle Green for a week.", "LOC"),
    ("ORG", "Kestle Shale", "Fossils were found in the Kestle Shale and nearby rocks.", "LOC"),
    # a short number right after a capitalised word is a name ("Route 9"), not a count
    ("NUM", "9", "Traffic on Route 9 doubled.", "NONE"),
    ("NUM", "9", "In 9 cases the court agreed.", "NUM"),
    ("NUM", "12", "The fleet had 12 ships.", "NUM"),
    # weekdays and parts of the day are times
    ("TIME", "Monday and Friday mornings", "The market opens on Monday and Friday mornings.", "TIME"),
    ("ORG", "Harlow and Pike", "The firm of Harlow and Pike printed the map.", "ORG"),
    ("ORG", "the Royal Fenwick Society", "Fellows of the Royal Fenwick Society met monthly.", "ORG"),
    ("NP", "its chairman", "The board later served as its chairman until 1990.", "OTHER"),
    # broken spans: a preposition/determiner edge, or no token boundary on one side
    ("ORG", "Friends of Lanark in", "She joined the Friends of Lanark in Glasgow.", "NONE"),
    ("NP", "of the harbour", "The walls of the harbour were rebuilt.", "NONE"),
    ("NP", "the owners the", "They asked the owners the price.", "NONE"),
    ("NUM", "4", "Plants absorb CO\n4 molecules during the day.", "NONE"),          # line break in a sentence
    ("NUM", "2013", "The team was founded in mid-2013 by students.", "NONE"),         # hyphen-joined
    ("NUM", "340", "A fleet of A340 aircraft was ordered.", "NONE"),                  # inside a token
    ("NP", "Vitamin A", "Carrots are rich in Vitamin A and fibre.", "OTHER"),          # capital A is no article
    # time noun phrases ask when; quantity noun phrases ask how much / how many
    ("NP", "the following year", "The mill closed and reopened the following year.", "TIME"),
    ("TIME", "the present day", "The records run from 1700 to the present day.", "TIME"),
    ("NP", "that winter", "The river froze that winter for the first time.", "TIME"),
    ("NP", "a great deal", "The guild held a great deal of power in the town.", "QUANTITY"),
    ("NP", "a large number", "The shrine drew a large number of pilgrims.", "QUANTITY"),
    ("NP", "the number", "The census counted the number of mills.", "OTHER"),
])
def test_answer_class_rules(typ, answer, sentence, expected):
    assert cls_of(typ, answer, sentence) == expected


@pytest.mark.parametrize("typ,answer,sentence,question,fits", [
    ("ORG", "the Kangxi Emperor", "Silk exports grew under the Kangxi Emperor in the Qing period.",
     "Silk exports grew under what in the Qing period?", False),
    ("ORG", "the Kangxi Emperor", "Silk exports grew under the Kangxi Emperor in the Qing period.",
     "Silk exports grew under whom in the Qing period?", True),
    ("TIME", "the present day", "The records run from 1700 to the present day.",
     "The records run from 1700 to what?", False),
    ("TIME", "the present day", "The records run from 1700 to the present day.",
     "The records run from 1700 until when?", True),
    ("NP", "a great deal", "The guild held a great deal of power in the town.",
     "The guild held what of power in the town?", False),
    ("NP", "a great deal", "The guild held a great deal of power in the town.",
     "The guild held how much power in the town?", True),
    ("ORG", "Friends of Lanark in", "She joined the Friends of Lanark in Glasgow.",
     "She joined the what Glasgow?", False),
])
def test_filter_wh_check_uses_the_corrected_class(typ, answer, sentence, question, fits):
    start = sentence.index(answer)
    cls = answer_class(typ, answer, sentence, start, "en")
    assert wh_fits(question, sentence, cls, "en", answer) is fits


@pytest.mark.parametrize("typ,answer,context,wanted", [
    ("ORG", "the Kangxi Emperor", "Silk exports grew during the reign of the Kangxi Emperor in the Qing period.",
     "during the reign of whom in the Qing period?"),
    ("TIME", "the present day", "The ledgers cover every harvest from 1700 to the present day.",
     "from 1700 until when?"),
    ("NP", "a great deal", "The guild held a great deal of power in the town.", "held how much power in the town?"),
    ("NP", "a large number", "The shrine drew a large number of pilgrims every spring.", "drew how many pilgrims"),
])
def test_generator_asks_the_fitting_question_word(typ, answer, context, wanted):
    start = context.index(answer)
    gen = RuleQuestionGenerator("en")
    out = gen.generate(context, [Candidate(start, start + len(answer), answer, typ, 1.0)], 3)
    questions = [q for q, _ in out[0]]
    assert questions and any(wanted in q for q in questions), questions
    assert all(wh_fits(q, context, answer_class(typ, answer, context, start, "en"), "en", answer) for q in questions)


@pytest.mark.parametrize("typ,answer,sentence,expected", [
    ("NUM", "一座", "这是一座建于明代的石桥。", "NONE"),         # the indefinite article, not a count
    ("NUM", "三座", "镇上有三座石桥。", "NUM"),
    ("LOC", "北宋", "此桥于北宋时重修。", "TIME"),                # a period before 时, not a place
    ("LOC", "杭州", "此桥位于杭州。", "LOC"),
    ("TIME", "1亿8千年", "岩层记载了1亿8千年的历史。", "DURATION"),   # a span, never a date
    ("TIME", "1828年", "大道于1828年改名。", "TIME"),
    ("NUM", "2A级", "测出2A级致癌物。", "OTHER"),                  # a code, not a count
])
def test_zh_answer_class_rules(typ, answer, sentence, expected):
    assert answer_class(typ, answer, sentence, sentence.index(answer), "zh") == expected


def test_broken_spans_get_no_question():
    context = "She joined the Friends of Lanark in Glasgow."
    answer = "Friends of Lanark in"
    start = context.index(answer)
    out = RuleQuestionGenerator("en").generate(context, [Candidate(start, start + len(answer), answer, "ORG", 1.0)], 3)
    assert out == [[]]


@pytest.mark.parametrize("context,name,typ", [
    ("Painters in the collection include Marcus Pellow, Jan Vermaat and Odile Brasquet.", "Marcus Pellow", "PER"),
    ("The prize went to Jan Vermaat and the Fenwick Art Society.", "the Fenwick Art Society", "ORG"),
])
def test_an_org_name_listed_with_person_names_is_a_person(context, name, typ):
    """spaCy's small model tags "Marcus Pellow" ORG next to the PERSON "Jan Vermaat": a list of names is
    of one kind; an organisation cue word (Society) keeps an ORG an ORG."""
    from engines.readers.rule.candidates import candidate_spans

    ents = {sp.text: (sp.tag, sp.type) for sp in candidate_spans(context, "en") if sp.source == "ent"}
    assert ents[name] == ("ORG", typ) and "PERSON" in {tag for tag, _ in ents.values()}


def test_a_name_spacy_calls_person_elsewhere_is_a_person_everywhere():
    """spaCy's small model tags the first "Odile Brasquet" ORG and the bare "Brasquet" PERSON."""
    from engines.readers.rule.candidates import candidate_spans

    context = ("Painters in the collection include Marcus Pellow, Jan Vermaat and Odile Brasquet. "
               "Odile Brasquet studied in Lyon.")
    ents = {(sp.text, sp.tag): sp.type for sp in candidate_spans(context, "en") if sp.source == "ent"}
    assert ents[("Odile Brasquet", "ORG")] == "PER"                # spaCy said ORG; the surname is a PERSON
    assert ents[("Lyon", "ORG")] == "ORG"                          # no person of that name: unchanged
