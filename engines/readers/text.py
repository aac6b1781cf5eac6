"""Language helpers the loop, filter and rule modules share: sentences, normalisation, question types.

The filter's round-trip check needs an answer normaliser; builders may not import benchmarks, so the
SQuAD (en) and CMRC-style (zh) normalisations used for *filtering* live here (the official metrics
are in benchmarks.metrics).
"""
from __future__ import annotations

import re
import string
from collections import Counter

__all__ = ["split_sentences", "normalize", "answer_f1", "normalize_question", "is_interrogative",
           "question_type", "WH_EN", "WH_ZH", "tokens"]

_EN_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ZH_SENT = re.compile(r"(?<=[。！？；!?;\n])")
_ZH_PUNCT = set("，。：？！“”；’‘《》…·、「」（）－～『』【】〔〕,.:;?!\"'()[]-~ \t\n")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)

WH_EN = ("what", "who", "whom", "whose", "when", "where", "which", "why", "how")
WH_ZH = ("谁", "什么", "哪", "多少", "几", "何", "怎么", "怎样", "为什么", "为何", "是否", "吗")


def split_sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) character spans of sentences; regex rules, no model (fast and deterministic)."""
    pattern = _ZH_SENT if lang == "zh" else _EN_SENT
    spans: list[tuple[int, int]] = []
    start = 0
    for m in pattern.finditer(text):
        end = m.start() if lang != "zh" else m.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def tokens(text: str, lang: str) -> list[str]:
    """Tokens for overlap features: characters for zh (minus punctuation), lowercased words for en."""
    if lang == "zh":
        return [c for c in text if c not in _ZH_PUNCT and not c.isspace()]
    return re.findall(r"\w+", text.lower())


def normalize(answer: str, lang: str) -> str:
    if lang == "zh":
        return "".join(c for c in answer.lower() if c not in _ZH_PUNCT and not c.isspace())
    s = "".join(ch for ch in answer.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", s).split())


def answer_f1(pred: str, gold: str, lang: str) -> float:
    """Token F1 (en: words, zh: characters) after normalisation: the relaxed round-trip test."""
    p = list(normalize(pred, lang)) if lang == "zh" else normalize(pred, lang).split()
    g = list(normalize(gold, lang)) if lang == "zh" else normalize(gold, lang).split()
    same = sum((Counter(p) & Counter(g)).values())
    if not same:
        return 0.0
    prec, rec = same / len(p), same / len(g)
    return 2 * prec * rec / (prec + rec)


def normalize_question(q: str, lang: str) -> str:
    """Key for the no-duplicate rule: case, punctuation and spacing do not make a question new."""
    return normalize(q, "zh") if lang == "zh" else " ".join(re.findall(r"\w+", q.lower()))


def is_interrogative(q: str, lang: str) -> bool:
    q = q.strip()
    if q.endswith("?") or q.endswith("？"):
        return True
    if lang == "zh":
        return any(w in q for w in WH_ZH)
    first = q.split()[0].lower() if q.split() else ""
    return first in WH_EN or first in {"is", "are", "was", "were", "do", "does", "did", "can", "in", "on"}


def question_type(q: str, lang: str) -> str:
    """Expected answer type from the wording: PER / LOC / TIME / NUM / OTHER."""
    if lang == "zh":
        if "谁" in q:
            return "PER"
        if any(w in q for w in ("什么时候", "何时", "哪一年", "哪年", "几月", "哪天", "哪一天", "年代", "时间", "哪个朝代")):
            return "TIME"
        if any(w in q for w in ("哪里", "哪儿", "何地", "什么地方", "哪个国家", "哪个城市", "位于", "在哪")):
            return "LOC"
        if any(w in q for w in ("多少", "几", "多大", "多长", "多高", "多重")):
            return "NUM"
        return "OTHER"
    ql = q.lower()
    if re.search(r"\b(who|whom|whose)\b", ql):
        return "PER"
    if re.search(r"\bwhen\b|\bwhat (year|month|day|date|century|decade|time)\b|\bwhich (year|century)\b", ql):
        return "TIME"
    if re.search(r"\bwhere\b", ql):
        return "LOC"
    if re.search(r"\bhow (many|much|long|old|far|large|big|high)\b|\bwhat (percentage|percent|number)\b", ql):
        return "NUM"
    return "OTHER"
