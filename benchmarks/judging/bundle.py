"""The judgments bundle (a result's run file) and everything computed from it.

One JSONL file holds what the numbers need: a `meta` line (models, judge, sampling, prompt sha256s, the
bootstrap seed), then `question`, `answer` (side `model` or `baseline`), `single` and `pair` lines with
the judge's raw replies. `score_bundle` recomputes every metric from those lines; `recheck` is what
`bench verify` runs: it re-parses each reply, re-renders each judge request from the stored answers and
prompt files (comparing sha256s), checks completeness, and never calls a judge.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import DataError, atomic_write_jsonl, iter_jsonl
from benchmarks.judging import stats
from benchmarks.judging.judge import ORDERS, render_pair, render_single, request_sha
from benchmarks.judging.prompts import load_prompt, parse_rating, parse_verdict
from benchmarks.judging.questions import Question

FORMAT = "databench-judgments"
FORMAT_VERSION = 1


@dataclass
class Bundle:
    meta: dict[str, Any]
    questions: list[Question]
    answers: dict[str, dict[str, list[str]]]                 # side -> question id -> answers
    single: dict[str, dict[str, Any]] = field(default_factory=dict)               # qid -> record
    pairs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)     # qid -> order -> record

    def records(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"type": "meta", "format": FORMAT, "format_version": FORMAT_VERSION,
                                      **self.meta}]
        out += [{"type": "question", "question_id": q.id, "category": q.category, "turns": list(q.turns)}
                for q in self.questions]
        for side, by_q in self.answers.items():
            out += [{"type": "answer", "side": side, "question_id": q.id, "answers": by_q[q.id]}
                    for q in self.questions if q.id in by_q]
        out += [self.single[q.id] for q in self.questions if q.id in self.single]
        out += [self.pairs[q.id][o] for q in self.questions for o in ORDERS if o in self.pairs.get(q.id, {})]
        return out

    def save(self, path: Path) -> Path:
        return atomic_write_jsonl(path, self.records())


def is_bundle(path: Path) -> bool:
    """True when the file's first line is a judgments-bundle meta record."""
    import json

    try:
        with open(path, encoding="utf-8-sig") as f:
            first = json.loads(f.readline())
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(first, dict) and first.get("type") == "meta" and first.get("format") == FORMAT


def read_bundle(path: Path) -> Bundle:
    """Parse a bundle; a malformed line is a DataError naming file:line and field."""
    meta: dict[str, Any] | None = None
    questions: list[Question] = []
    answers: dict[str, dict[str, list[str]]] = defaultdict(dict)
    b = Bundle({}, questions, answers)
    for lineno, rec in iter_jsonl(path, error=DataError):
        kind, where = rec.get("type"), f"{path}:{lineno}"
        qid = rec.get("question_id")
        if kind != "meta" and not isinstance(qid, str):
            raise DataError(f"{where}: field question_id: expected a string")
        if kind == "meta":
            if rec.get("format") != FORMAT or rec.get("format_version") != FORMAT_VERSION:
                raise DataError(f"{where}: field format: expected {FORMAT} v{FORMAT_VERSION}")
            meta = {k: v for k, v in rec.items() if k not in ("type", "format", "format_version")}
        elif kind == "question":
            turns = rec.get("turns")
            if not isinstance(turns, list) or not turns or not all(isinstance(t, str) for t in turns):
                raise DataError(f"{where}: field turns: expected a non-empty list of strings")
            questions.append(Question(qid, str(rec.get("category", "")), tuple(turns)))
        elif kind == "answer":
            if rec.get("side") not in ("model", "baseline") or not isinstance(rec.get("answers"), list):
                raise DataError(f"{where}: fields side/answers: expected side model|baseline and a list")
            answers[rec["side"]][qid] = [str(a) for a in rec["answers"]]
        elif kind in ("single", "pair"):
            for key in ("prompt", "request_sha256", "judgment"):
                if not isinstance(rec.get(key), str):
                    raise DataError(f"{where}: field {key}: expected a string")
            if kind == "single":
                b.single[qid] = rec
            elif rec.get("order") in ORDERS:
                b.pairs.setdefault(qid, {})[rec["order"]] = rec
            else:
                raise DataError(f"{where}: field order: expected AB or BA")
        else:
            raise DataError(f"{where}: field type: unknown record type {kind!r}")
    if meta is None:
        raise DataError(f"{path}: no meta line (not a judgments bundle)")
    b.meta = meta
    return b


def _lengths(answers: list[str]) -> int:
    return sum(len(a) for a in answers)


def score_bundle(b: Bundle) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]]]:
    """(metric sets, per-question scores) from the stored judgments alone (replies are re-parsed here)."""
    seed, n_boot = int(b.meta.get("seed", 0)), int(b.meta.get("n_boot", 1000))
    metrics: dict[str, dict[str, float]] = {}
    per: dict[str, dict[str, dict[str, float]]] = {}
    cats: dict[str, float] = {}
    if b.single:
        qs = [q for q in b.questions if q.id in b.single]
        scores = [parse_rating(b.single[q.id]["judgment"]) for q in qs]
        metrics["single"] = stats.single_summary(scores, seed=seed, n_boot=n_boot)
        per["single"] = {q.id: {"score": s or 0.0, "valid": float(s is not None)} for q, s in zip(qs, scores)}
        cats.update({f"single/{k}": v for k, v in stats.by_category([q.category for q in qs], scores, "single").items()})
    if b.pairs:
        qs = [q for q in b.questions if q.id in b.pairs]
        outcomes, consistent, deltas = [], [], []
        first_pos = valid_orders = invalid_orders = 0
        parsed: list[str] = []
        per["pairwise"] = {}
        for q in qs:
            v = {o: parse_verdict(b.pairs[q.id][o]["judgment"]) for o in ORDERS}
            outcome, ok = stats.combine_orders(v["AB"], v["BA"])
            delta = float(_lengths(b.answers["model"][q.id]) - _lengths(b.answers["baseline"][q.id]))
            outcomes.append(outcome)
            consistent.append(ok)
            deltas.append(delta)
            for verdict in v.values():
                if verdict == "invalid":
                    invalid_orders += 1
                else:
                    parsed.append(verdict)
                if verdict in ("A", "B"):
                    valid_orders += 1
                    first_pos += verdict == "A"
            # `score` first: the main score's own per-question value (what the leaderboard plots and tests)
            per["pairwise"][q.id] = {"score": stats.OUTCOME_VALUE[outcome], "win": float(outcome == "win"),
                                     "tie": float(outcome == "tie"), "loss": float(outcome == "loss"),
                                     "consistent": float(ok), "length_delta": delta}
        metrics["pairwise"] = stats.pairwise_summary(outcomes, consistent, deltas, first_pos, valid_orders,
                                                     invalid_orders, seed=seed, n_boot=n_boot,
                                                     degenerate=stats.constant_verdict(parsed) is not None)
        cats.update({f"pairwise/{k}": v for k, v in
                     stats.by_category([q.category for q in qs], outcomes, "pairwise").items()})
    if cats:
        metrics["by_category"] = cats
    return {k: stats.finite(v) for k, v in metrics.items()}, per


MIN_VALID = 0.5      # below this share of parseable replies in a metric set, a run is refused


def _example(text: str, width: int = 60) -> str:
    """A judge reply shown inside a one-line error: whitespace folded, cut to `width` characters."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[:width - 3] + "...")


def unreadable(b: Bundle, *, min_valid: float = MIN_VALID) -> str | None:
    """Why these judgments cannot give a score (None when they can): in some metric set, fewer than
    `min_valid` of the judge's replies hold a verdict the parsers read. A mean of the few readable
    ones (or 0 when none is) would be a number the judge never gave."""
    sets = []
    if b.single:
        replies = [b.single[q.id]["judgment"] for q in b.questions if q.id in b.single]
        bad = [r for r in replies if parse_rating(r) is None]
        sets.append(("single judgments hold no [[rating]] 1-10", replies, bad))
    if b.pairs:
        replies = [b.pairs[q.id][o]["judgment"] for q in b.questions for o in ORDERS if o in b.pairs.get(q.id, {})]
        bad = [r for r in replies if parse_verdict(r) == "invalid"]
        sets.append(("pairwise replies hold no single [[A]]/[[B]]/[[C]] verdict", replies, bad))
    for what, replies, bad in sets:
        if replies and (len(replies) - len(bad)) < min_valid * len(replies):
            return f"{len(bad)} of {len(replies)} {what} (e.g. {_example(bad[0])})"
    return None


def refusal(path: str | Path, why: str) -> str:
    """The one-line error for judgments `unreadable` found wanting."""
    return (f"{path}: the judge's replies cannot be read: {why}; no score is given for them (try "
            f"-p judge_grammar=true on a llama.cpp server, a larger -p judge_max_tokens, or a stronger judge)")


def degenerate(b: Bundle) -> list[str]:
    """One warning per metric set in which the judge gave a single constant verdict."""
    out = []
    if b.single:
        ratings = [r for r in (parse_rating(b.single[q.id]["judgment"]) for q in b.questions if q.id in b.single)
                   if r is not None]
        const = stats.constant_verdict(ratings)
        if const is not None:
            out.append(f"degenerate judge: it rated all {len(ratings)} readable answers {const:g}; the single "
                       f"score and its interval say nothing about the model (metrics.single.degenerate = 1)")
    if b.pairs:
        verdicts = [v for v in (parse_verdict(r["judgment"]) for by in b.pairs.values() for r in by.values())
                    if v != "invalid"]
        const = stats.constant_verdict(verdicts)
        if const is not None:
            pick = {"A": 'picked "A" (the first position)', "B": 'picked "B" (the second position)',
                    "tie": "called a tie"}[str(const)]
            out.append(f"degenerate judge: it {pick} in all {len(verdicts)} readable pairwise verdicts; the "
                       f"pairwise scores say nothing about the model (metrics.pairwise.degenerate = 1)")
    return out


def recheck(b: Bundle, *, label: str = "bundle") -> list[str]:
    """Every reason the stored judgments do not support the stored numbers (empty = consistent).

    Checks: prompt files hash as recorded; each judge request re-renders (from the stored question,
    answers and prompt) to the recorded sha256; every question has its judgments; a stored parsed value,
    when present, matches a re-parse of the raw reply. The metrics themselves are then recomputed by
    `score_bundle` and compared with the result by the submission checks.
    """
    problems: list[str] = []
    recorded = b.meta.get("prompts") or {}
    for name, sha in sorted(recorded.items()):
        try:
            current = load_prompt(name).sha256
        except DataError as exc:
            problems.append(f"{label}: meta.prompts.{name}: {exc}")
            continue
        if current != sha:
            problems.append(f"{label}: meta.prompts.{name}: sha256 {str(sha)[:12]}... but this databench's "
                            f"prompt file hashes to {current[:12]}... (a changed prompt needs a new file name)")
    model, baseline = b.answers.get("model", {}), b.answers.get("baseline", {})
    for q in b.questions:
        if q.id not in model:
            problems.append(f"{label}: question {q.id}: no model answer")
            continue
        if len(model[q.id]) != len(q.turns):
            problems.append(f"{label}: question {q.id}: {len(model[q.id])} answers for {len(q.turns)} turns")
            continue
        checks: list[tuple[dict[str, Any], list[dict[str, str]] | None]] = []
        if "single" in b.meta.get("modes", []):
            rec = b.single.get(q.id)
            if rec is None:
                problems.append(f"{label}: question {q.id}: no single judgment")
            else:
                checks.append((rec, _safe_render(lambda: render_single(q, model[q.id], load_prompt(rec["prompt"])))))
                if "score" in rec and rec["score"] != parse_rating(rec["judgment"]):
                    problems.append(f"{label}: question {q.id}: field score {rec['score']!r} but the judgment "
                                    f"parses to {parse_rating(rec['judgment'])!r}")
        if "pairwise" in b.meta.get("modes", []):
            if q.id not in baseline:
                problems.append(f"{label}: question {q.id}: no baseline answer")
                continue
            for order in ORDERS:
                rec = b.pairs.get(q.id, {}).get(order)
                if rec is None:
                    problems.append(f"{label}: question {q.id}: no pairwise judgment in order {order}")
                    continue
                first, second = (model[q.id], baseline[q.id]) if order == "AB" else (baseline[q.id], model[q.id])
                checks.append((rec, _safe_render(lambda: render_pair(q, first, second, load_prompt(rec["prompt"])))))
                if "verdict" in rec and rec["verdict"] != parse_verdict(rec["judgment"]):
                    problems.append(f"{label}: question {q.id} order {order}: field verdict {rec['verdict']!r} but "
                                    f"the judgment parses to {parse_verdict(rec['judgment'])!r}")
        for rec, messages in checks:
            if rec["prompt"] not in recorded:
                problems.append(f"{label}: question {q.id}: prompt {rec['prompt']} is not listed in meta.prompts")
            elif messages is None or request_sha(messages) != rec["request_sha256"]:
                problems.append(f"{label}: question {q.id}: {rec['type']} judgment {rec.get('order', '')}: the "
                                f"stored answers and prompt do not render to the judged request (request_sha256)")
        if len(problems) > 25:
            break
    return problems


def _safe_render(fn: Any) -> list[dict[str, str]] | None:
    try:
        return fn()
    except (DataError, KeyError, IndexError):
        return None
