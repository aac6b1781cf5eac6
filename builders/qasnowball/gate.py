"""The precision gate of the QA filter: keep a pair only when its answer's class is confident.

The class rules (`quality.answer_class`, `en_class`) correct spaCy's and jieba's labels where a general
shape says how; four held-out hand checks showed that what remains wrong is mostly names the tagger
labels wrongly with no cue either way ("Tesla" as ORG and asked "what", a garden tagged PERSON and asked
"whom"). No rule can tell those apart, so instead of guessing, `uncertain_type` names the signals that
make a class doubtful and the filter rejects such pairs (rule `uncertain_type`, counted per round):

English (spaCy's entity label of the exact span is looked up in the document's candidate spans):
- `proper_name`: a capitalised name whose class is an organisation or a thing while spaCy called it
  ORG, NORP, PRODUCT or no entity at all, with no head cue word ("... University", "Bank of ..."): such
  names are persons as often as things, so "what" may be wrong (and ORG is never asked "who");
- `place_like_person`: a person class with a sign of a place: a place cue word that is rarely a surname
  at the head ("... Park", "Gate of ..."), the same name tagged GPE/LOC/FAC elsewhere in the document, a
  locative preposition before it ("in X"), or an apposition/bracket after it naming a place ("X, a
  Roman fort", "X (the Saxon Garden)");
- `person_noun`: a common noun phrase whose head is a person noun ("a known client", "the winners",
  "a physicist") asked "what"/"which": who it is, not what;
- `wh_slot`: the question word sits where its class cannot: "where" after a preposition that does not
  take a place ("designed by where", "as where ends"), "who(m)" after a locative one ("in whom"): the
  slot says the answer is not what the class says.
Chinese (jieba):
- `zh_person_noun`: a noun phrase ending in a person suffix (者 员 师 手 人: 优秀者, 队员) asked 什么/哪个;
- `zh_modifier`: 哪里/谁 put in place of a word that directly modifies the noun after it (巴士|路线,
  东坡|家事): the answer is part of a compound, not a place or a person.
The fifth hand check (v5) found jieba's person/place tags on words of neither shape, and spans cut out of
a word; the shapes below are general (gate_shapes.py holds them):
- `zh_person_shape`: a person class whose text does not look like a person name (not 2-4 Han characters
  or a transliteration, or ending in a place/organisation suffix such as 区 道 科 队 超 without a surname);
- `zh_place_shape`: a place class asked 哪里 with no place suffix and not a known country/region word;
- `zh_cut_span`: a span whose edge cuts a word (a jieba token across it, or a one-character word beside
  it that forms a dictionary word with the span's edge: 金|华山);
- `zh_ordinal`: an ordinal (第四) or 一+classifier (一道) asked 几/多少;
- `zh_creed`: a religion or ideology (伊斯兰, …教, …主义) asked 哪里;
- `identifier_number` (en): a number after an identifier noun ("articles 9 and 10", "Flight 93") or before
  one ("the 180 Freeway") asked how many;
- `water_person` (en): a person class with a river's signs nearby ("the lower X", "X flowed", "X river").
The sixth hand check (v6) found new wrong names again (a company and a club asked 谁, Dolby Digital asked
who): for the classes the taggers get wrong most, gate_evidence.py asks for a sign that rules the class in
(a person's role word, verb or pronoun; a count's numeral and unit; a noun phrase with no verb inside and
no noun after it): `zh_person_evidence`, `zh_count_shape`, `zh_verb_in_span`, `zh_person_in_np`,
`zh_modifier_np`, `zh_joined_span`, `person_evidence`, `person_noun_suffix`, `relative_span`.
"""
from __future__ import annotations

import re

from engines.readers.rule.en_class import at_place
from builders.qasnowball.gate_evidence import en_evidence_gate, zh_evidence_gate
from builders.qasnowball.gate_shapes import en_shape_gate, zh_shape_gate
from builders.qasnowball.quality import WH_CLASS, answer_class, question_words

__all__ = ["uncertain_type", "GATES"]

GATES = ("proper_name", "place_like_person", "person_noun", "wh_slot", "zh_person_noun", "zh_modifier",
         "zh_person_shape", "zh_place_shape", "zh_cut_span", "zh_ordinal", "zh_creed", "identifier_number",
         "water_person", "zh_joined_span", "zh_count_shape", "zh_person_evidence", "zh_verb_in_span",
         "zh_person_in_np", "zh_modifier_np", "relative_span", "person_evidence", "person_noun_suffix",
         "zh_free_np", "zh_generic_org", "zh_count_tail", "possessive_span", "time_what", "people_what",
         "zh_particle_edge", "zh_unreliable_class", "zh_strict_place", "decimal_count", "number_unit_when",
         "zh_alnum_edge", "zh_age_word", "not_a_count", "comma_span", "verb_tail")

# spaCy labels whose call on a capitalised name is evidence of what it is
_CONFIDENT_LABELS = {"NORP", "PERSON", "GPE", "LOC", "FAC", "DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT",
                     "ORDINAL", "LANGUAGE", "LAW", "EVENT", "WORK_OF_ART"}
# head words of organisations, places, events and works (the name's last word, or its first before "of")
_HEAD_CUE = (
    "church|churches|university|college|school|academy|institute|institution|company|co|corp|corporation|inc|"
    "ltd|llc|group|society|association|council|committee|commission|party|parliament|assembly|congress|senate|"
    "court|board|bank|museum|gallery|library|hospital|foundation|trust|fund|agency|department|ministry|office|"
    "bureau|service|army|navy|force|forces|corps|league|union|federation|club|team|press|times|post|news|"
    "records|studios|airlines|airways|railway|railways|motors|systems|industries|network|empire|kingdom|"
    "republic|dynasty|state|states|province|county|city|town|village|island|islands|river|lake|sea|ocean|"
    "mountain|mountains|mount|hill|hills|valley|bay|street|road|avenue|lane|square|bridge|park|garden|gardens|"
    "gate|wall|fort|fortress|cathedral|abbey|chapel|temple|palace|castle|hall|house|tower|centre|center|"
    "stadium|airport|station|port|harbour|harbor|market|festival|prize|award|cup|monastery|mosque|synagogue|"
    "shrine|formation|desert|forest|peninsula|canal|plague|epidemic|games|war|revolution|act|treaty|bible|"
    "day|order|movement|project|program|programme|channel|television|radio|magazine|journal|review|medal|"
    "conference|convention|summit|olympics|championship|protocol|agreement|declaration|constitution|code|"
    "theory|law|principle|effect|model|series|show|album|film|novel|book|system|dam|mine|brotherhood|alliance|"
    "coalition|front|\\w+ism|\\w+ology|\\w+ics")
_HEAD_CUE_RE = re.compile(rf"^(?:{_HEAD_CUE})$", re.I)
# the cue words of a place that are rarely surnames ("Hyde Park", but "Stuart Hall", "Alonzo Church")
_PLACE_HEAD_RE = re.compile(r"^(?:street|square|garden|gardens|gate|park|river|bridge|palace|avenue|road|station|"
                            r"airport|cathedral|abbey|fort|fortress|mountains|lake|island|islands|valley|bay|canal|"
                            r"forest|desert|monastery|temple|mosque|stadium|university|college|museum|plaza|"
                            r"district|province|county|city|village|harbour|harbor)$", re.I)
_PLACE_NOUN = (r"garden|gardens|park|fort|fortress|bridge|street|square|river|castle|palace|town|city|village|"
               r"settlement|church|cathedral|building|station|hill|mountain|lake|island|district|quarter|region|"
               r"province|camp|gate|wall|harbour|harbor|port|road|avenue|market|temple|monastery|abbey|museum|"
               r"school|university|college|hall|tower|stadium|airport|neighbourhood|neighborhood|suburb|county|"
               r"valley|bay|canal|estate|plaza|park|forest|country|state|capital|colony|kingdom|site|ruins")
# "X, a Roman fort", "X (the Saxon Garden)", "X, now a park": an apposition naming a place
_PLACE_APPOSITION = re.compile(rf"^\s*(?:,|\(|–|—|-)\s*(?:now\s+|once\s+)?(?:the|a|an)?\s*(?:[\w'-]+\s+){{0,3}}?"
                               rf"(?:{_PLACE_NOUN})(?:\s*[,.;:)]|\s+(?:of|in|on|at|near|across|over|and|that|which|"
                               rf"where|built)\b|\s*$)", re.I)
_PERSON_NOUNS = set(
    "man men woman women people person persons child children boy boys girl girls client clients customer "
    "customers winner winners loser member members leader leaders founder founders owner owners author authors "
    "writer writers artist artists painter painters poet poets composer composers musician musicians singer "
    "singers actor actors actress player players soldier soldiers officer officers captain king kings queen "
    "prince princes emperor emperors ruler rulers president presidents minister ministers priest priests monk "
    "monks bishop bishops student students teacher teachers professor professors scholar scholars doctor "
    "doctors engineer engineers architect architects worker workers farmer farmers merchant merchants trader "
    "traders settler settlers immigrant immigrants citizen citizens resident residents inhabitant inhabitants "
    "friend friends wife husband son sons daughter daughters father mother brother brothers sister sisters "
    "parent parents heir successor predecessor rival rivals opponent opponents employer employee employees "
    "buyer buyers seller sellers patient patients victim victims hero heroes heroine coach manager managers "
    "director directors chairman judge judges lawyer lawyers politician politicians candidate candidates "
    "voter voters fan fans follower followers disciple disciples missionary missionaries explorer explorers "
    "inventor inventors researcher researchers designer designers founder pupil pupils apprentice wizard "
    "guru gurus saint saints sage sages prophet prophets mentor mentors teacher disciples pilgrim pilgrims "
    "knight knights lord lords nobleman noblemen peasant peasants slave slaves servant servants".split())
_PERSON_SUFFIX = re.compile(r"[a-z]{3,}(ist|ists|ician|icians|ologist|ologists)$")
_EN_OTHER_WH = {"what", "which"}
_ZH_OTHER_WH = {"什么", "哪个", "哪些", "哪部"}
_ZH_PERSON_SUFFIX = re.compile(r"(?<!机器)(者|员|师|手|人)$")
_ZH_SLOT_WH = {"哪里", "哪儿", "何地", "谁", "什么地方"}
_ZH_PLACE = re.compile(r"(省|市|县|区|镇|乡|村|州|国|岛|山|河|湖|江|海|站|港|城|京)$")


def _label(context: str, start: int, text: str) -> tuple[str | None, set[str]]:
    """spaCy's entity label of exactly this span (None: no entity), and the names it tags GPE/LOC/FAC
    anywhere in the document."""
    from engines.readers.rule.candidates import candidate_spans  # loads spaCy

    spans = [sp for sp in candidate_spans(context, "en") if sp.source == "ent"]
    label = next((sp.tag for sp in spans if sp.start == start and sp.end == start + len(text)), None)
    return label, {re.sub(r"^the\s+|['’]s$", "", sp.text) for sp in spans if sp.tag in ("GPE", "LOC", "FAC")}


def _name_words(text: str) -> list[str]:
    return re.sub(r"^(the|The)\s+", "", text.strip()).split()


def _proper(words: list[str]) -> bool:
    """Capitalised content words ("Pons Aelius", "River Song", "Bank of England")."""
    content = [w for w in words if w.lower() not in ("of", "de", "the", "and", "von", "van", "la", "du", "da")]
    return bool(content) and all(w[:1].isupper() for w in content)


def _head_cue(words: list[str], cues: re.Pattern[str] = _HEAD_CUE_RE) -> bool:
    """A cue word at the name's head: its last word, or its first before "of" ("Treaty of ...")."""
    last = re.sub(r"[^\w]", "", words[-1]) if words else ""
    return bool(cues.match(last)) or (len(words) > 2 and words[1] == "of" and bool(cues.match(words[0])))


def _sentence_initial_word(text: str, context: str, start: int) -> bool:
    """One word capitalised only because it starts a sentence: its lowercase form occurs in the document."""
    t = text.strip()
    return " " not in t and re.match(r"^\s*$|.*[.!?:]\s*$", context[max(start - 3, 0):start], re.S) is not None \
        and re.search(rf"\b{re.escape(t.lower())}\b", context) is not None


def _acronym(words: list[str]) -> bool:
    return len(words) == 1 and bool(re.fullmatch(r"[A-Z][A-Z0-9&.-]{1,}", words[0]))


_WHERE_SLOT = re.compile(r"\b(by|of|for|with|about|than|as|like|against)\s+where\b", re.I)
_WHO_SLOT = re.compile(r"\b(in|on|at|into|onto|near|inside|within)\s+(who|whom)\b", re.I)


def _en_gate(answer_type: str, text: str, context: str, start: int, cls: str, asked: set[str],
             question: str) -> str | None:
    words = _name_words(text)
    if not words:
        return None
    shape = en_shape_gate(text, context, start, cls, asked)
    if shape:
        return shape
    if ("where" in asked and _WHERE_SLOT.search(question)) or (asked & {"who", "whom"} and _WHO_SLOT.search(question)):
        return "wh_slot"
    if cls in ("ORG", "OTHER") and _proper(words) and not _head_cue(words) and not _acronym(words) and \
            not _sentence_initial_word(text, context, start):
        label, _ = _label(context, start, text)
        if label not in _CONFIDENT_LABELS:
            return "proper_name"
    if cls == "PER":
        label, places = _label(context, start, text)
        before, after = context[max(start - 20, 0):start], context[start + len(text):start + len(text) + 60]
        stripped = " ".join(words)
        if _head_cue(words, _PLACE_HEAD_RE) or stripped in places or text in places or at_place(before) or \
                _PLACE_APPOSITION.match(after):
            return "place_like_person"
    if cls == "OTHER" and asked & _EN_OTHER_WH and not _proper(words):
        head = re.sub(r"[^\w]", "", words[-1]).lower()
        if head in _PERSON_NOUNS or _PERSON_SUFFIX.match(head):
            return "person_noun"
    return en_evidence_gate(text, context, start, cls, asked, answer_type)


def _zh_next_is_noun(context: str, end: int) -> bool:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    rest = context[end:end + 12]
    if not rest or not re.match(r"[\u4e00-\u9fff]", rest):
        return False
    first = next(iter(pseg.cut(rest)), None)
    return first is not None and first.flag == "n" and first.word not in ("时", "时候", "中", "上", "内")


def _zh_gate(text: str, context: str, start: int, cls: str, asked: set[str], answer_type: str = "") -> str | None:
    t = text.strip()
    if cls in ("OTHER", "ORG") and asked & _ZH_OTHER_WH and len(t) >= 2 and _ZH_PERSON_SUFFIX.search(t):
        return "zh_person_noun"
    if asked & _ZH_SLOT_WH and len(t) <= 2 and not _ZH_PLACE.search(t) and _zh_next_is_noun(context, start + len(text)):
        return "zh_modifier"
    return zh_shape_gate(text, context, start, cls, asked) or \
        zh_evidence_gate(text, context, start, cls, asked, answer_type)


def uncertain_type(answer_type: str, text: str, context: str, start: int, lang: str, question: str,
                   sentence: str) -> str | None:
    """The gate (see the module docstring) that finds this pair's answer class uncertain, or None."""
    cls = answer_class(answer_type, text, context, start, lang)
    asked = set(question_words(question, sentence, lang))
    asked &= {w for w, _ in WH_CLASS[lang]}
    return _en_gate(answer_type, text, context, start, cls, asked, question) if lang == "en" else \
        _zh_gate(text, context, start, cls, asked, answer_type)
