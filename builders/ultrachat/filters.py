"""Filters and dedup for opening lines and finished dialogues, with a report of what each removed.

Order (each record is counted under the first rule that removes it): schema -> refusal / "As an AI"
phrases -> placeholder (unfilled template slot in a user turn) -> role_confusion (assistant-only phrase in
a simulated user turn) -> exact duplicate opening line (normalised) -> exact duplicate dialogue (hash of normalised
turns) -> near-duplicate opening line (MinHash LSH over word 3-gram shingles) -> decontamination
(normalised n-gram overlap of user turns with evaluation questions: the real UltraChat eval set plus
any user set). Records are processed in id order, so which duplicate survives is deterministic.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from core import iter_jsonl, read_json, read_text, require_file
from core.checkpointed import JobError
from builders.ultrachat.config import FilterConfig
from builders.ultrachat.dialogue import REFUSAL_PHRASES
from builders.ultrachat.turn_rules import placeholder_problem, role_confusion_problem

_WS = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalise(text: str) -> str:
    """NFC/NFKC, lowercase, punctuation to space, collapsed whitespace: the key for dedup and n-grams."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _WS.sub(" ", _PUNCT.sub(" ", text)).strip()


def dialogue_hash(messages: Sequence[dict[str, str]]) -> str:
    joined = "\x1e".join(f"{m['role']}\x1f{normalise(m['content'])}" for m in messages)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def schema_problem(rec: dict[str, Any]) -> str | None:
    """Strict user/assistant alternation starting with the user, even length >= 2, non-empty strings."""
    msgs = rec.get("messages")
    if not isinstance(msgs, list) or len(msgs) < 2:
        return "fewer than 2 messages"
    if len(msgs) % 2:
        return "odd number of messages"
    for i, m in enumerate(msgs):
        want = "user" if i % 2 == 0 else "assistant"
        if not isinstance(m, dict) or m.get("role") != want:
            return f"messages[{i}].role is not {want!r}"
        if not isinstance(m.get("content"), str) or not m["content"].strip():
            return f"messages[{i}].content is empty"
    return None


def refusal_problem(rec: dict[str, Any], phrases: Sequence[str] = REFUSAL_PHRASES) -> str | None:
    for m in rec.get("messages", []):
        if m.get("role") == "assistant":
            low = m.get("content", "").lower().replace("\u2019", "'")
            for p in phrases:
                if p in low:
                    return p
    return None


def user_turn_rule(rec: dict[str, Any], cfg: FilterConfig, is_dialogue: bool = True) -> tuple[str, str] | None:
    """(rule, detail) for the first user turn hit by `placeholder` or `role_confusion`, else None.

    Placeholders: every user turn, the opening included (Sector 3: its instruction, since C4 material may
    hold brackets of its own); for an opening node, its text. Role confusion: simulated user turns only
    (messages[2], [4], ...), the opening line is not the simulator's."""
    meta = rec.get("meta") or {}
    if is_dialogue:
        users = [m.get("content", "") for m in rec.get("messages", []) if m.get("role") == "user"]
    else:
        users = [rec.get("text") or ""]
    if users and meta.get("instruction") and meta.get("material_id") is not None:
        users[0] = meta["instruction"]
    for i, text in enumerate(users):
        if cfg.placeholder and (p := placeholder_problem(text, cfg.placeholder_cues,
                                                         cfg.placeholder_meta_words)) is not None:
            return "placeholder", f"user turn {i}: {p}"
        if cfg.role_confusion and is_dialogue and i > 0 and (
                p := role_confusion_problem(text, cfg.role_confusion_patterns)) is not None:
            return "role_confusion", f"user turn {i}: {p}"
    return None


# -- evaluation sets for decontamination --------------------------------------------------------
def load_eval_questions(path: str | Path) -> list[str]:
    """Questions of an eval set: ultra_eval.json style ([{"data": ...}]), JSON list of str, JSONL
    ({"question"|"prompt"|"turns"|"data"|"text": ...}), or plain text (one per line)."""
    path = require_file(path, "eval set", error=JobError)
    out: list[str] = []

    def take(obj: Any, where: str) -> None:
        if isinstance(obj, str):
            out.append(obj)
            return
        if isinstance(obj, dict):
            for key in ("data", "question", "prompt", "instruction", "text", "turns"):
                if key in obj:
                    val = obj[key]
                    for v in (val if isinstance(val, list) else [val]):
                        if isinstance(v, str):
                            out.append(v)
                    return
        raise JobError(f"{where}: no question field (data/question/prompt/instruction/text/turns)")

    if path.suffix == ".json":
        data = read_json(path, what="eval set", error=JobError)
        for i, obj in enumerate(data if isinstance(data, list) else [data]):
            take(obj, f"{path} item {i}")
    elif path.suffix == ".jsonl":
        for i, obj in iter_jsonl(path, error=JobError):
            take(obj, f"{path}:{i}")
    else:
        out = [line for line in read_text(path, what="eval set", error=JobError).splitlines() if line.strip()]
    questions = [q.strip() for q in out if q.strip()]
    if not questions:
        raise JobError(f"{path}: no questions in the eval set (empty file)")
    return questions


class Decontaminator:
    """Flags text sharing a normalised n-gram with any eval question (or containing a whole eval
    question shorter than n tokens: short questions cannot be matched by n-grams at all)."""

    def __init__(self, questions: Iterable[str], n: int = 5) -> None:
        self.n = n
        self.ngrams: dict[tuple[str, ...], int] = {}
        self.short: dict[str, int] = {}
        self.questions = list(questions)
        for qi, q in enumerate(self.questions):
            toks = normalise(q).split()
            if not toks:
                continue
            if len(toks) < n:
                self.short.setdefault(" ".join(toks), qi)
            for i in range(len(toks) - n + 1):
                self.ngrams.setdefault(tuple(toks[i:i + n]), qi)

    def match(self, text: str) -> int | None:
        """Index of the first eval question that overlaps `text`, else None."""
        toks = normalise(text).split()
        for i in range(len(toks) - self.n + 1):
            hit = self.ngrams.get(tuple(toks[i:i + self.n]))
            if hit is not None:
                return hit
        if self.short:
            padded = f" {' '.join(toks)} "
            for q, qi in self.short.items():
                if f" {q} " in padded:
                    return qi
        return None


def build_decontaminator(cfg: FilterConfig, ultra_eval: str | Path | None = None
                         ) -> tuple[Decontaminator | None, list[str]]:
    """The n-gram decontaminator over UltraChat's eval questions (`ultra_eval`: the path of ultra_eval.json,
    which the caller resolves - `bench` through the data registry; builders never import benchmarks) and
    the user's extra eval sets."""
    questions: list[str] = []
    sources: list[str] = []
    if cfg.use_ultra_eval:
        if ultra_eval is None:
            raise JobError("filters.use_ultra_eval is on but no ultra_eval.json path was given "
                           "(bench finds it through the data registry; or set filters.use_ultra_eval false)")
        questions += load_eval_questions(ultra_eval)
        sources.append(str(ultra_eval))
    for extra in cfg.eval_sets:
        questions += load_eval_questions(extra)
        sources.append(str(extra))
    return (Decontaminator(questions, cfg.decontam_ngram) if questions else None), sources


# -- the chain ------------------------------------------------------------------------------------
@dataclass
class FilterReport:
    stage: str
    input: int = 0
    kept: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def remove(self, rule: str, rid: str, detail: str) -> None:
        self.removed[rule] = self.removed.get(rule, 0) + 1
        ex = self.examples.setdefault(rule, [])
        if len(ex) < 5:
            ex.append({"id": rid, "detail": detail[:200]})

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "input": self.input, "kept": self.kept, "removed": dict(self.removed),
                "examples": self.examples, "settings": self.settings}


def _shingles(text: str, k: int = 3) -> set[str]:
    toks = normalise(text).split()
    if len(toks) < k:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1)}


class NearDup:
    """MinHash LSH (datasketch) over opening-line shingles; `seen_near(id, text)` inserts as it goes."""

    def __init__(self, threshold: float, num_perm: int, seed: int = 1) -> None:
        from datasketch import MinHash, MinHashLSH

        self._MinHash = MinHash
        self.num_perm, self.seed = num_perm, seed
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)

    def seen_near(self, rid: str, text: str) -> str | None:
        mh = self._MinHash(num_perm=self.num_perm, seed=self.seed)
        for s in _shingles(text):
            mh.update(s.encode("utf-8"))
        hits = self.lsh.query(mh)
        if hits:
            return sorted(hits)[0]
        self.lsh.insert(rid, mh)
        return None


def filter_records(records: Iterable[dict[str, Any]], cfg: FilterConfig, *, stage: str = "dialogues",
                   decontaminator: Decontaminator | None = None,
                   sources: Sequence[str] = ()) -> tuple[list[dict[str, Any]], list[dict[str, Any]], FilterReport]:
    """(kept, removed-with-reason, report). Stage "openings" takes nodes ({id, text}) and skips the
    dialogue-only rules; stage "dialogues" takes canonical dialogue records."""
    is_dialogue = stage != "openings"
    recs = sorted(records, key=lambda r: str(r["id"]))
    report = FilterReport(stage=stage, input=len(recs), settings={
        "near_dup_threshold": cfg.near_dup_threshold, "num_perm": cfg.num_perm,
        "decontam_ngram": cfg.decontam_ngram, "eval_sources": list(sources),
        "placeholder": cfg.placeholder, "role_confusion": cfg.role_confusion,
        "eval_questions": len(decontaminator.questions) if decontaminator else 0})
    # near-dup scopes: Sector 3 openings of one material share its text, so they are compared by their
    # instruction and only with each other; every other opening line is compared with all others
    near: dict[str, NearDup] = {}
    seen_open: dict[str, str] = {}
    seen_hash: dict[str, str] = {}
    kept: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []

    def drop(rec: dict[str, Any], rule: str, detail: str) -> None:
        report.remove(rule, str(rec["id"]), detail)
        removed.append({"id": rec["id"], "rule": rule, "detail": detail})

    for rec in recs:
        rid = str(rec["id"])
        opening = rec.get("opening_line") or rec.get("text") or (
            rec["messages"][0]["content"] if rec.get("messages") else "")
        if is_dialogue:
            if (p := schema_problem(rec)) is not None:
                drop(rec, "schema", p)
                continue
            if (p := refusal_problem(rec)) is not None:
                drop(rec, "refusal", p)
                continue
        if (p := user_turn_rule(rec, cfg, is_dialogue)) is not None:
            drop(rec, *p)
            continue
        key = normalise(opening)
        if not key:
            drop(rec, "empty_opening", "")
            continue
        if key in seen_open:
            drop(rec, "dup_opening", f"same opening line as {seen_open[key]}")
            continue
        seen_open[key] = rid
        if is_dialogue:
            h = dialogue_hash(rec["messages"])
            if h in seen_hash:
                drop(rec, "dup_dialogue", f"same dialogue as {seen_hash[h]}")
                continue
            seen_hash[h] = rid
        if cfg.near_dup_threshold < 1:
            meta = rec.get("meta") or {}
            scope, near_text = "", opening
            if meta.get("instruction") and meta.get("material_id") is not None:
                scope, near_text = f"material:{meta['material_id']}", meta["instruction"]
            if scope not in near:
                near[scope] = NearDup(cfg.near_dup_threshold, cfg.num_perm)
            if (other := near[scope].seen_near(rid, near_text)) is not None:
                drop(rec, "near_dup_opening", f"near-duplicate of {other}")
                continue
        if decontaminator is not None:
            texts = [opening]
            if is_dialogue:
                texts = [m["content"] for m in rec["messages"]
                         if m["role"] == "user" or cfg.check_assistant_turns]
            hit = next((q for q in (decontaminator.match(t) for t in texts) if q is not None), None)
            if hit is not None:
                drop(rec, "contaminated", f"overlaps eval question {hit}: {decontaminator.questions[hit]}")
                continue
        kept.append(rec)
    report.kept = len(kept)
    return kept, removed, report
