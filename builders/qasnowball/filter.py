"""The QA data filter: cheap rules, then round-trip consistency and confidence from the reader.

Every rule can be switched off and its rejections are counted (a pair is charged to the first rule it
fails, in the order of `RULES`), so a per-round log shows exactly where generated pairs are lost.
Quality rules (builders.qasnowball.quality): `wh_type` (the question word fits the answer's class),
`uncertain_type` (the answer's class is confident: builders.qasnowball.gate),
`copy` (the question is not its source sentence nearly verbatim), `span_duplicate` (one pair per
document and answer unless the questions differ: token Jaccard < span_jaccard) and `type_balance` (no
answer class, e.g. 《title》 spans, above max_type_share of a round's kept pairs). The last two depend on
what was kept before, like `duplicate`; `remember_record` replays kept pairs when a round resumes.

`type_balance` is a bound on the round's kept set, so a pair over it is deferred, not rejected: checked one
pair at a time, the cap deadlocked once two classes were left (at 10 + 10, an 11th pair of either is 11 of 21
> 50%, although 11 + 11 meets the bound). `admit_deferred` admits the deferred pairs at the end of the round,
round-robin over the classes (the smallest first), as long as the bound holds for the final kept set.
"""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from builders.qasnowball.gate import uncertain_type
from engines.readers.base import Candidate, Reader
from builders.qasnowball.quality import answer_class, copy_rate, jaccard, source_sentence, wh_fits
from engines.readers.text import answer_f1, is_interrogative, normalize, normalize_question

__all__ = ["FilterConfig", "Pair", "Verdict", "QAFilter", "RULES"]

RULES = ("length", "answer_length", "answer_in_question", "interrogative", "wh_type", "uncertain_type", "copy",
         "roundtrip", "confidence", "duplicate", "span_duplicate", "type_balance")


@dataclass
class FilterConfig:
    length: bool = True
    answer_length: bool = True
    answer_in_question: bool = True
    interrogative: bool = True
    roundtrip: bool = True
    confidence: bool = True
    duplicate: bool = True
    wh_type: bool = True                # the question word fits the answer's class (quality.wh_fits)
    uncertain_type: bool = True         # the answer's class is confident (gate.uncertain_type finds no doubt)
    copy: bool = True                   # the question is not (nearly) its source sentence verbatim
    span_duplicate: bool = True         # one pair per (document, answer) unless the questions differ
    type_balance: bool = True           # no answer class above max_type_share of a round's kept pairs
    max_copy: float = 0.9               # quality.copy_rate cap (share of question n-grams in the sentence)
    span_jaccard: float = 0.5           # questions on one answer with token Jaccard >= this are duplicates
    max_type_share: float = 0.5
    type_grace: int = 10                # each class may take this many pairs before the share cap applies
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
    signal: str | None = None      # for uncertain_type: the gate signal that fired (gate.GATES)
    deferred: bool = False         # over the type cap for now: admit_deferred decides at the end of the round


class QAFilter:
    def __init__(self, reader: Reader, lang: str, config: FilterConfig | None = None):
        self.reader, self.lang = reader, lang
        self.config = config or FilterConfig()
        if self.config.roundtrip_mode not in ("em", "f1"):
            raise ValueError(f"roundtrip_mode must be 'em' or 'f1', got {self.config.roundtrip_mode!r}")
        self.rejected: Counter[str] = Counter()
        self.signals: Counter[str] = Counter()      # uncertain_type rejections by gate signal
        self.checked = 0
        self.span_questions: dict[tuple[str, str], list[str]] = {}   # (doc_id, answer) -> kept questions
        self.classes: Counter[str] = Counter()                        # answer classes kept this round
        self.type_deferred = 0                                        # pairs over the type cap, deferred
        self.type_admitted = 0                                        # of those, admitted at the end

    def _class(self, p: Pair) -> str:
        return answer_class(p.answer.type, p.answer.text, p.context, p.answer.start, self.lang)

    def remember(self, doc_id: str, question: str, cls: str, answer: str) -> None:
        """Count a kept pair in the stateful rules (also used to replay a resumed round)."""
        self.span_questions.setdefault((doc_id, normalize(answer, self.lang)), []).append(question)
        self.classes[cls] += 1

    def remember_record(self, rec: dict[str, Any]) -> None:
        """`remember` for a generated record (a resumed round replays its finished documents)."""
        self.remember(*self.record_key(rec))

    def record_key(self, rec: dict[str, Any]) -> tuple[str, str, str, str]:
        """(doc_id, question, answer class, answer) of a generated record: what the kept-pair rules read."""
        text, start = rec["answers"]["text"][0], rec["answers"]["answer_start"][0]
        cls = answer_class(rec["meta"].get("answer_type", "OTHER"), text, rec["context"], start, self.lang)
        return rec["meta"]["doc_id"], rec["question"], cls, text

    def pair_key(self, p: Pair) -> tuple[str, str, str, str]:
        """`record_key` of a pair."""
        return p.doc_id, p.question, self._class(p), p.answer.text

    def _over_cap(self, counts: Counter[str], cls: str) -> bool:
        """One more pair of `cls` would put it above max(type_grace, max_type_share x the kept pairs)."""
        c = self.config
        return counts[cls] + 1 > max(c.type_grace, c.max_type_share * (sum(counts.values()) + 1))

    def _bound_holds(self, counts: Counter[str]) -> bool:
        c = self.config
        cap = max(c.type_grace, c.max_type_share * sum(counts.values()))
        return all(n <= cap for n in counts.values())

    def _duplicate(self, doc_id: str, question: str, answer: str, seen: set[tuple[str, str]],
                   spans: dict[tuple[str, str], list[str]]) -> str | None:
        c = self.config
        if c.duplicate and (doc_id, normalize_question(question, self.lang)) in seen:
            return "duplicate"
        prev = spans.get((doc_id, normalize(answer, self.lang)), [])
        if c.span_duplicate and any(jaccard(question, q, self.lang) >= c.span_jaccard for q in prev):
            return "span_duplicate"
        return None

    def admit_deferred(self, items: Sequence[tuple[str, str, str, str]], seen: set[tuple[str, str]]) -> list[str | None]:
        """The end of a round: admit deferred pairs (`pair_key`/`record_key`, in the order they came), one
        class at a time, the class with the fewest kept pairs first (ties by name), and keep the longest such
        sequence after which no class is above the cap. Returns per item None (admitted) or the rule that
        rejects it (`type_balance`, or `duplicate`/`span_duplicate` against a pair kept before it); updates
        `seen`, the kept-pair state and the counts. Deterministic: a resumed round admits the same pairs."""
        queues: dict[str, deque[int]] = {}
        for i, (_, _, cls, _) in enumerate(items):
            queues.setdefault(cls, deque()).append(i)
        counts = Counter(self.classes)
        sim_seen = set(seen)
        sim_spans = {k: list(v) for k, v in self.span_questions.items()}
        order: list[int] = []                      # tentatively admitted, in admission order
        dups: dict[int, tuple[str, int]] = {}      # item -> (rule, admitted steps when it was found a duplicate)
        best = 0                                   # the longest prefix of `order` after which the bound holds
        while any(queues.values()):
            cls = min((k for k, q in queues.items() if q), key=lambda k: (counts[k], k))
            i = queues[cls].popleft()
            doc_id, question, _, answer = items[i]
            rule = self._duplicate(doc_id, question, answer, sim_seen, sim_spans)
            if rule:
                dups[i] = (rule, len(order))
                continue
            order.append(i)
            counts[cls] += 1
            sim_seen.add((doc_id, normalize_question(question, self.lang)))
            sim_spans.setdefault((doc_id, normalize(answer, self.lang)), []).append(question)
            if self._bound_holds(counts):
                best = len(order)
        out: list[str | None] = ["type_balance"] * len(items)
        for i in order[:best]:
            doc_id, question, cls, answer = items[i]
            self.remember(doc_id, question, cls, answer)
            seen.add((doc_id, normalize_question(question, self.lang)))
            out[i] = None
        for i, (rule, step) in dups.items():
            if step <= best:                       # a duplicate of a pair that is kept
                out[i] = rule
        self.type_admitted += best
        for reason in out:
            if reason:
                self.rejected[reason] += 1
        return out

    def _kept_state_rule(self, p: Pair, seen: set[tuple[str, str]]) -> str | None:
        """duplicate, span_duplicate and type_balance: they depend on the pairs kept before this one."""
        rule = self._duplicate(p.doc_id, p.question, p.answer.text, seen, self.span_questions)
        if rule:
            return rule
        cls = self._class(p)
        if self.config.type_balance and self._over_cap(self.classes, cls):
            return "type_balance"          # deferred by decide: admit_deferred decides at the end of the round
        self.remember(p.doc_id, p.question, cls, p.answer.text)
        return None

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
        if c.wh_type or c.uncertain_type or c.copy:
            sent = source_sentence(p.context, p.answer.start, self.lang)
            if c.wh_type and not wh_fits(p.question, sent, self._class(p), self.lang, p.answer.text):
                return "wh_type"
            signal = uncertain_type(p.answer.type, p.answer.text, p.context, p.answer.start, self.lang,
                                    p.question, sent) if c.uncertain_type else None
            if signal:
                return f"uncertain_type:{signal}"
            if c.copy and copy_rate(p.question, sent, self.lang) >= c.max_copy:
                return "copy"
        return None

    def check(self, pairs: Sequence[Pair], seen: set[tuple[str, str]]) -> list[Verdict]:
        """Verdicts for a batch; `seen` holds (doc_id, normalised question) already kept, and is updated
        (as are the span and answer-class counts of this filter)."""
        return self.decide(pairs, self.score(pairs), seen)

    def score(self, pairs: Sequence[Pair]) -> list[tuple[str | None, dict[str, float] | None]]:
        """The rules that look at one pair only (cheap rules, reader round trip and confidence):
        `(reason or None, scores)` per pair. Changes no state, so it can run in any process (a Ray worker)."""
        out: list[tuple[str | None, dict[str, float] | None]] = [(None, None)] * len(pairs)
        to_read: list[int] = []
        for i, p in enumerate(pairs):
            reason = self._cheap(p)
            if reason:
                out[i] = (reason, None)
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
            out[i] = (reason, scores)
        return out

    def decide(self, pairs: Sequence[Pair], scored: Sequence[tuple[str | None, dict[str, float] | None]],
               seen: set[tuple[str, str]]) -> list[Verdict]:
        """The rules that depend on the pairs kept before (duplicate, span duplicate, type balance), in
        order, on `score`'s output; updates `seen` and this filter's counts."""
        verdicts: list[Verdict] = []
        for p, (reason, scores) in zip(pairs, scored):
            if scores is not None:        # passed the cheap rules: it has scores
                if reason is None:
                    reason = self._kept_state_rule(p, seen)
                if reason is None:
                    seen.add((p.doc_id, normalize_question(p.question, self.lang)))
                verdicts.append(Verdict(reason is None, reason, scores, deferred=reason == "type_balance"))
            else:
                rule, _, signal = (reason or "?").partition(":")
                verdicts.append(Verdict(False, rule, signal=signal or None))
        for v in verdicts:
            self.checked += 1
            if v.deferred:
                self.type_deferred += 1
            elif not v.keep:
                self.rejected[v.reason or "?"] += 1
                if v.signal:
                    self.signals[v.signal] += 1
        return verdicts

    def counts(self) -> dict[str, Any]:
        """The round log's filter block: rejections by rule, uncertain_type's by gate signal, and the pairs
        the type cap deferred and admitted at the end (`kept` counts pairs still deferred, before
        admit_deferred has run)."""
        return {"checked": self.checked, "rejected": {r: self.rejected.get(r, 0) for r in RULES},
                "uncertain_type_signals": dict(self.signals.most_common()),
                "type_deferred": self.type_deferred, "type_admitted_at_end": self.type_admitted,
                "kept": self.checked - sum(self.rejected.values())}
