"""Feature dicts for the rule extractor (is this span answer-like?) and the rule reader (does it answer q?)."""
from __future__ import annotations

import logging
import math
from functools import lru_cache

from engines.readers.rule.candidates import Span
from engines.readers.text import question_type, split_sentences, tokens

__all__ = ["span_features", "QuestionView", "reader_features", "sentence_ranks"]

_ZH_STOP = set("的了是在和与及或也都而就被把对从为以之其这那有个中上下一不")
_EN_STOP = {"the", "a", "an", "of", "in", "on", "at", "to", "for", "and", "or", "is", "was", "are", "were", "be",
            "by", "with", "as", "that", "this", "it", "its", "from", "did", "do", "does", "what", "which", "who",
            "whom", "whose", "when", "where", "why", "how", "many", "much", "has", "have", "had"}
_ZH_WH = ("什么时候", "为什么", "哪一年", "哪些", "哪个", "哪里", "多少", "什么", "怎么", "怎样", "如何", "哪", "谁", "几", "何")


def _bin(x: float, edges: tuple[float, ...]) -> int:
    return sum(x >= e for e in edges)


def span_features(sp: Span, context: str, lang: str) -> dict[str, float]:
    n = len(sp.text) if lang == "zh" else len(sp.text.split())
    edges = (2, 4, 7, 12, 20, 35) if lang == "zh" else (2, 3, 5, 8, 13)
    rel = sp.start / max(len(context), 1)
    f = {f"type={sp.type}": 1.0, f"src={sp.source}": 1.0, f"tag={sp.tag}": 1.0,
         f"type={sp.type}|len={_bin(n, edges)}": 1.0, f"len={_bin(n, edges)}": 1.0,
         f"pos={int(rel * 5)}": 1.0, f"sent={min(sp.sent, 4)}": 1.0,
         f"count={min(context.count(sp.text), 3)}": 1.0, "bias": 1.0}
    if any(ch.isdigit() for ch in sp.text):
        f["digit"] = 1.0
    if lang == "en":
        first = sp.text.split()[0].lower()
        if first in ("the", "a", "an"):
            f["det"] = 1.0
        if sp.text[:1].isupper():
            f["cap"] = 1.0
    else:
        f[f"end={sp.text[-1]}"] = 1.0
    return f


class QuestionView:
    """What the reader needs from a question, computed once."""

    def __init__(self, question: str, lang: str):
        self.lang = lang
        self.text = question
        self.qtype = question_type(question, lang)
        stop = _ZH_STOP if lang == "zh" else _EN_STOP
        toks = tokens(question, lang)
        if lang == "zh":
            q = question
            for w in _ZH_WH:
                q = q.replace(w, " ")
            toks = tokens(q, lang)
        self.tokens = set(t for t in toks if t not in stop)
        self.bm25_tokens = _bm25_tokens(question, lang)
        if lang == "zh":
            self.wh = next((w for w in _ZH_WH if w in question), "none")
        else:
            words = question.lower().split()
            wi = next((i for i, w in enumerate(words) if w.strip("?,.") in
                       ("what", "which", "who", "whom", "whose", "when", "where", "why", "how")), None)
            self.wh = " ".join(w.strip("?,.") for w in words[wi:wi + 2]) if wi is not None else "none"


def _bm25_tokens(text: str, lang: str) -> list[str]:
    if lang == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)
        return [w for w in jieba.lcut(text) if w.strip() and w not in _ZH_STOP and not all(
            c in "，。？！、；：“”《》（）" for c in w)]
    return [t for t in tokens(text, lang) if t not in _EN_STOP]


@lru_cache(maxsize=4096)
def _sentence_index(context: str, lang: str):
    from rank_bm25 import BM25Okapi

    sents = split_sentences(context, lang) or [(0, len(context))]
    docs = [_bm25_tokens(context[s:e], lang) or ["<empty>"] for s, e in sents]
    return sents, BM25Okapi(docs)


def sentence_ranks(context: str, qv: QuestionView) -> tuple[list[int], list[float]]:
    """BM25 rank (0 = best) and score/max score of every sentence for this question."""
    sents, bm25 = _sentence_index(context, qv.lang)
    scores = bm25.get_scores(qv.bm25_tokens) if qv.bm25_tokens else [0.0] * len(sents)
    order = sorted(range(len(sents)), key=lambda i: (-scores[i], i))
    ranks = [0] * len(sents)
    for r, i in enumerate(order):
        ranks[i] = r
    top = max(max(scores), 1e-9)
    return ranks, [s / top for s in scores]


def reader_features(sp: Span, context: str, qv: QuestionView, ranks: list[int], rel: list[float]) -> dict[str, float]:
    lang = qv.lang
    sent = min(sp.sent, len(ranks) - 1)
    cand_toks = tokens(sp.text, lang)
    overlap = sum(t in qv.tokens for t in cand_toks) / max(len(cand_toks), 1)
    win = 20 if lang == "zh" else 60
    left = set(tokens(context[max(0, sp.start - win):sp.start], lang))
    right = set(tokens(context[sp.end:sp.end + win], lang))
    nq = max(len(qv.tokens), 1)
    n = len(sp.text) if lang == "zh" else len(sp.text.split())
    lbin = _bin(n, (2, 4, 7, 12, 20, 35) if lang == "zh" else (2, 3, 5, 8, 13))
    r = min(ranks[sent], 4)
    return {
        "bias": 1.0,
        f"qt={qv.qtype}|ct={sp.type}": 1.0,
        f"wh={qv.wh}|ct={sp.type}": 1.0,
        f"wh={qv.wh}|len={lbin}": 1.0,
        f"qt={qv.qtype}|src={sp.source}": 1.0,
        f"tag={sp.tag}": 1.0,
        f"srank={r}": 1.0,
        f"srank={r}|ct={sp.type}": 1.0,
        "srel": rel[sent],
        "overlap": overlap,
        f"overlap={_bin(overlap, (0.01, 0.34, 0.67, 0.99))}": 1.0,
        "left": len(left & qv.tokens) / nq,
        "right": len(right & qv.tokens) / nq,
        "near": math.sqrt(len((left | right) & qv.tokens) / nq),
        f"len={lbin}": 1.0,
    }
