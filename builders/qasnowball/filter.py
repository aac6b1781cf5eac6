"""The QA data filter: cheap rules, then round-trip consistency and confidence from the reader.

Every rule can be switched off and its rejections are counted (a pair is charged to the first rule it
fails, in the order of `RULES`), so a per-round log shows exactly where generated pairs are lost.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from builders.qasnowball.modules import Candidate, Reader
from builders.qasnowball.text import answer_f1, is_interrogative, normalize, normalize_question

__all__ = ["FilterConfig", "Pair", "Verdict", "QAFilter", "RULES"]

RULES = ("length", "answer_length", "answer_in_question", "interrogative", "roundtrip", "confidence", "duplicate")


@dataclass
class FilterConfig:
    length: bool = True
    answer_length: bool = True
    answer_in_question: bool = True
    interrogative: bool = True
    roundtrip: bool = True
    confidence: bool = True
    duplicate: bool = True
    roundtrip_mode: str = "em"          # "em" (normalised exact match, PAQ) or "f1" (relaxed)
    f1_threshold: float = 0.8
    min_confidence: float = 0.1         # PaddleNLP's qa-filter default
    min_question: int | None = None     # chars (zh) / words (en); None = language default
    max_question: int | None = None
    max_answer_tokens: int = 30

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Pair:
    doc_id: str
    context: str
    answer: Candidate
    question: str
    qg_score: float = 0.0


@dataclass
class Verdict:
    keep: bool
    reason: str | None = None
    scores: dict[str, float] = field(default_factory=dict)


class QAFilter:
    def __init__(self, reader: Reader, lang: str, config: FilterConfig | None = None):
        self.reader, self.lang = reader, lang
        self.config = config or FilterConfig()
        if self.config.roundtrip_mode not in ("em", "f1"):
            raise ValueError(f"roundtrip_mode must be 'em' or 'f1', got {self.config.roundtrip_mode!r}")
        self.rejected: Counter[str] = Counter()
        self.checked = 0

    def _qlen(self, q: str) -> int:
        return len(q.strip()) if self.lang == "zh" else len(q.split())

    def _cheap(self, p: Pair) -> str | None:
        c = self.config
        lo = c.min_question if c.min_question is not None else (6 if self.lang == "zh" else 4)
        hi = c.max_question if c.max_question is not None else (60 if self.lang == "zh" else 40)
        if c.length and not (lo <= self._qlen(p.question) <= hi):
            return "length"
        if c.answer_length:
            n = len(p.answer.text) if self.lang == "zh" else len(p.answer.text.split())
            if n > c.max_answer_tokens or not normalize(p.answer.text, self.lang):
                return "answer_length"
        if c.answer_in_question:
            a = normalize(p.answer.text, self.lang)
            qn = normalize(p.question, self.lang)
            if a and (a in qn if self.lang == "zh" else f" {a} " in f" {qn} "):
                return "answer_in_question"
        if c.interrogative and not is_interrogative(p.question, self.lang):
            return "interrogative"
        return None

    def check(self, pairs: Sequence[Pair], seen: set[tuple[str, str]]) -> list[Verdict]:
        """Verdicts for a batch; `seen` holds (doc_id, normalised question) already kept, and is updated."""
        verdicts: list[Verdict | None] = [None] * len(pairs)
        to_read: list[int] = []
        for i, p in enumerate(pairs):
            reason = self._cheap(p)
            if reason:
                verdicts[i] = Verdict(False, reason)
            else:
                to_read.append(i)
        need_reader = self.config.roundtrip or self.config.confidence
        answers = self.reader.answer([(pairs[i].context, pairs[i].question) for i in to_read]) if need_reader else []
        for j, i in enumerate(to_read):
            p = pairs[i]
            scores: dict[str, float] = {"qg": p.qg_score, "ae": p.answer.score}
            reason = None
            if need_reader:
                ans = answers[j]
                f1 = answer_f1(ans.text, p.answer.text, self.lang)
                em = float(normalize(ans.text, self.lang) == normalize(p.answer.text, self.lang))
                scores.update(reader_confidence=ans.score, roundtrip_f1=f1, roundtrip_em=em)
                ok = em == 1.0 if self.config.roundtrip_mode == "em" else f1 >= self.config.f1_threshold
                if self.config.roundtrip and not ok:
                    reason = "roundtrip"
                elif self.config.confidence and ans.score < self.config.min_confidence:
                    reason = "confidence"
                scores["filter"] = ans.score * f1
            else:
                scores["filter"] = p.answer.score
            if reason is None and self.config.duplicate:
                key = (p.doc_id, normalize_question(p.question, self.lang))
                if key in seen:
                    reason = "duplicate"
                else:
                    seen.add(key)
            verdicts[i] = Verdict(reason is None, reason, scores)
        for v in verdicts:
            self.checked += 1
            if v is not None and not v.keep:
                self.rejected[v.reason or "?"] += 1
        return [v for v in verdicts if v is not None]

    def counts(self) -> dict[str, Any]:
        return {"checked": self.checked, "rejected": {r: self.rejected.get(r, 0) for r in RULES},
                "kept": self.checked - sum(self.rejected.values())}
