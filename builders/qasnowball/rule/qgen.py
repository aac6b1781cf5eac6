"""The rule question generator: cloze-to-question by answer type, with wh-words and fluency learned from S.

Following Lewis et al. 2019's rule baseline: take the answer's clause or sentence, replace the answer by
a question word and end with "?"/"？". What is fitted on the seed set S (and so changes when S is
re-seeded): P(question word | answer type), counted from S's questions and the type of their gold
answers, and a smoothed bigram model of S's questions (characters for zh, words for en) that scores
each variant. `generate` returns the n best variants by that score.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any, Sequence

from engines.readers.base import Candidate
from engines.readers.rule.en_class import quantity_wh
from builders.qasnowball.quality import answer_class, copy_rate, source_sentence
from engines.readers.rule.candidates import candidate_spans
from engines.readers.text import split_sentences

__all__ = ["RuleQuestionGenerator", "WH_INVENTORY"]

WH_INVENTORY = {
    "zh": ("什么时候", "哪一年", "多久", "为什么", "哪里", "哪个", "哪些", "多少", "什么", "如何", "谁", "几"),
    "en": ("what percentage", "how many", "how much", "how long", "what year", "what", "who", "when", "where",
           "which", "why", "how"),
}
_ZH_BOUND = re.compile(r"[，,；;。！？!?\n：:]")
# question words the generator may use for each answer class (quality.answer_class); the fitted
# P(wh | type) and the fluency model choose among these only, so "When ...?" never asks for a thing
WH_FOR_CLASS = {
    "zh": {"PER": ("谁",), "LOC": ("哪里",), "TIME": ("什么时候",), "DURATION": ("多久",), "YEAR": ("哪一年", "什么时候"),
           "NUM": ("多少", "几"), "ORG": ("什么", "哪个"), "TITLE": ("什么",), "OTHER": ("什么",),
           "CLAUSE": ("什么",)},
    "en": {"PER": ("who",), "LOC": ("where", "what"), "TIME": ("when",), "DURATION": ("how long",),
           "PERCENT": ("what percentage",), "MONEY": ("how much",), "PEOPLE": ("who",),
           "NONE": (), "YEAR": ("what year", "when"), "QUANTITY": ("how much",),
           "NUM": ("how many", "how much"), "ORG": ("what", "which"), "TITLE": ("what",), "OTHER": ("what",),
           "CLAUSE": ("what",)},
}
_YEAR = re.compile(r"^(公元前?)?\d{3,4}年?$|^(in )?\d{3,4}$")
_EMPTY_PARENS = re.compile(r"（\s*）|\(\s*\)|-\{\}-")
_EN_ARTICLE = re.compile(r"\s*\b(a|an|the)$", re.I)
_EN_PREP_END = re.compile(r"\b(of|in|on|at|to|for|by|with|from|about|against|between|among|under|over|behind)$", re.I)
_EN_OF_NOUN = re.compile(r"^of\s+(?!(the|a|an|this|that|these|those|his|her|its|their|our|my|your)\b)", re.I)


def _question_wh(q: str, lang: str) -> str | None:
    ql = q.lower()
    for wh in WH_INVENTORY[lang]:          # longest first by construction of the inventory
        if (wh in ql) if lang == "zh" else re.search(rf"\b{wh}\b", ql):
            return wh
    return None


class RuleQuestionGenerator:
    name = "rule-qg"

    def __init__(self, lang: str, *, seed: int = 0, max_length: int | None = None, max_copy: float = 0.9):
        self.lang, self.seed, self.max_copy = lang, seed, max_copy
        self.max_length = max_length if max_length is not None else (60 if lang == "zh" else 40)
        self.wh_counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self.unigrams: Counter[str] = Counter()
        self.n_fit = 0

    # ---- fitting ------------------------------------------------------------------------------
    def _answer_type(self, context: str, start: int, text: str) -> str:
        for sp in candidate_spans(context, self.lang):
            if sp.start == start and sp.text == text:
                return sp.type
        return "LONG" if len(text) > (12 if self.lang == "zh" else 40) else "OTHER"

    def _units(self, q: str) -> list[str]:
        body = [c for c in q if not c.isspace()] if self.lang == "zh" else re.findall(r"\w+|[^\w\s]", q.lower())
        return ["<s>", *body, "</s>"]

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        if not warm_start:
            self.wh_counts, self.bigrams, self.unigrams, self.n_fit = defaultdict(Counter), Counter(), Counter(), 0
        for ex in examples:
            wh = _question_wh(ex["question"], self.lang)
            if wh is not None and ex["answers"]["text"]:
                typ = self._answer_type(ex["context"], ex["answers"]["answer_start"][0], ex["answers"]["text"][0])
                self.wh_counts[typ][wh] += 1
            units = self._units(ex["question"])
            self.unigrams.update(units[:-1])
            self.bigrams.update(zip(units, units[1:]))
        self.n_fit += len(examples)

    # ---- scoring ------------------------------------------------------------------------------
    def _p_wh(self, typ: str, wh: str) -> float:
        counts = self.wh_counts.get(typ) or Counter()
        inv = WH_INVENTORY[self.lang]
        return (counts[wh] + 0.5) / (sum(counts.values()) + 0.5 * len(inv))

    def _lm(self, q: str) -> float:
        units = self._units(q)
        vocab = len(self.unigrams) + 1
        lp = sum(math.log((self.bigrams[(a, b)] + 0.1) / (self.unigrams[a] + 0.1 * vocab))
                 for a, b in zip(units, units[1:]))
        return lp / max(len(units) - 1, 1)

    # ---- generation ---------------------------------------------------------------------------
    def _frames(self, context: str, a: Candidate) -> list[tuple[int, int]]:
        """Text windows around the answer to turn into questions: clause(s) and the sentence."""
        sents = split_sentences(context, self.lang) or [(0, len(context))]
        s, e = next(((s, e) for s, e in sents if s <= a.start < e), (0, len(context)))
        frames = [(s, max(e, a.end))]
        if self.lang == "zh":
            bounds = [m.start() for m in _ZH_BOUND.finditer(context, s, e)]
            left = max([b + 1 for b in bounds if b < a.start], default=s)
            right = min([b for b in bounds if b >= a.end], default=e)
            if left == a.start:                      # answer opens its clause: keep the clause before it
                left = max([b + 1 for b in bounds if b < left - 1], default=s)
            frames.insert(0, (left, max(right, a.end)))
        else:
            m = re.search(r"[,;]", context[a.end:e])
            right = a.end + m.start() if m else max(e, a.end)
            if m:
                frames.insert(0, (s, right))
            cuts = [s + c.end() for c in re.finditer(r"[,;]\s+", context[s:a.start])]
            if cuts and len(context[cuts[-1]:right].split()) >= 5:     # the clause around the answer
                frames.insert(0, (cuts[-1], right))
        return list(dict.fromkeys(frames))

    def _cloze(self, context: str, frame: tuple[int, int], a: Candidate, wh: str, amount: bool = False) -> str:
        s, e = frame
        before, after = context[s:a.start], context[a.end:e]
        if self.lang == "zh":
            q = _EMPTY_PARENS.sub("", before + wh + after).strip().rstrip("，,；;。！？!?：: \n")
            return q + "？"
        before = _EN_ARTICLE.sub("", before.strip())      # "a string over an what" -> "a string over what"
        after = after.strip().rstrip(".;,:!? ")
        if amount:
            after = _EN_OF_NOUN.sub("", after)             # "a great deal of control" -> "how much control"
        if wh == "when" and re.search(r"\b(to|till)$", before):
            before = re.sub(r"\b(to|till)$", "until", before)  # "from 1900 to the present day" -> "until when"
        if wh == "who" and _EN_PREP_END.search(before):
            wh = "whom"                                     # "the reign of whom"
        if not before:
            q = f"{wh[:1].upper()}{wh[1:]} {after}"
        else:
            q = f"{before} {wh} {after}"
        return re.sub(r"\s+([,;:)])", r"\1", re.sub(r"\(\s+", "(", " ".join(q.split()))).rstrip() + "?"

    def generate(self, context: str, answers: Sequence[Candidate], n: int) -> list[list[tuple[str, float]]]:
        out: list[list[tuple[str, float]]] = []
        for a in answers:
            typ = a.type if a.type != "NP" or len(a.text) <= 40 else "LONG"
            options: dict[str, float] = {}
            cls = answer_class(a.type, a.text, context, a.start, self.lang)
            if cls == "TIME" and _YEAR.match(a.text.strip()):
                cls = "YEAR"
            if cls == "NUM" and self.lang == "en" and re.search(r"%|\bpercent\b", a.text):
                cls = "PERCENT"
            if self.lang == "en" and re.match(r"[\w-]", context[a.end:a.end + 1] + " ") \
                    or self.lang == "en" and re.match(r"[\w-]", (context[a.start - 1:a.start] or " ")):
                out.append([])       # the span is part of a word ("Six-time"): no sensible question
                continue
            if a.text.count("(") != a.text.count(")") or a.text.count("（") != a.text.count("）"):
                out.append([])       # an unclosed bracket: the span is cut in the middle of a phrase
                continue
            if cls == "NONE":
                out.append([])       # e.g. "at one time": no question word asks for it
                continue
            whs = WH_FOR_CLASS[self.lang].get(cls, WH_FOR_CLASS[self.lang]["OTHER"])
            if cls == "QUANTITY":
                whs = (quantity_wh(a.text, context[a.end:]),)   # "a number of states": how many
            for wh in whs:
                pw = math.log(self._p_wh(typ, wh))
                for frame in self._frames(context, a):
                    q = self._cloze(context, frame, a, wh, cls == "QUANTITY")
                    score = pw + self._lm(q)
                    if q not in options or score > options[q]:
                        options[q] = score
            size = (lambda q: len(q)) if self.lang == "zh" else (lambda q: len(q.split()))
            sent = source_sentence(context, a.start, self.lang)
            ranked = sorted(options.items(), key=lambda kv: (size(kv[0]) > self.max_length,
                                                             copy_rate(kv[0], sent, self.lang) >= self.max_copy,
                                                             -kv[1], kv[0]))
            best = ranked[:n]           # over-long or near-verbatim variants only when nothing better exists
            out.append(best)
        return out

    def params(self) -> dict[str, Any]:
        return {"generator": self.name, "lang": self.lang, "fitted_on": self.n_fit,
                "types": {t: dict(c.most_common(3)) for t, c in sorted(self.wh_counts.items())}}
