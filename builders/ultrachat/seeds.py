"""Seed trees of the three sectors, grown level by level with an LLM, every node keeping its parent id.

Each level is a resumable job (builders.common.jobs): one JSONL line per expanded parent, so a killed
run redoes at most the parents in flight. Node ids are paths (`s1.c03.t007.q02.x04`), so an opening
line traces back to sector / meta-concept / subtopic / question, entity / meta question, material
type / instruction, or material / instruction / template.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from builders.common.jobs import run_items
from core import read_jsonl
from core.checkpointed import CheckpointedJsonl, JobError
from engines.llm.base import BackendError, ChatBackend, Sampling
from builders.ultrachat import prompts as P
from builders.ultrachat.config import SamplingConfig, UltraChatConfig

OPENING_KINDS = {"question", "expanded_question", "meta_question", "specific_question", "extended_question",
                 "instruction", "detailed_instruction", "opening"}


def call_seed(*parts: Any) -> int:
    """A per-call sampling seed derived from the run seed and the call's identity (order-independent)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def rng_for(*parts: Any) -> random.Random:
    return random.Random(call_seed(*parts))


# -- parsing a list the model wrote -----------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[-*\u2022]+|\(?\d{1,3}[.):]|\(?[a-zA-Z][.)])\s+")
_BOLD = re.compile(r"\*\*|__")


def parse_list(text: str, *, kind: str = "item", max_words: int = 80) -> list[str]:
    """Lines of a model-written list, bullets/numbers stripped; headers, chatter and repeats dropped."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = _BOLD.sub("", _BULLET.sub("", raw.strip())).strip().strip('"').strip()
        if not line or line.endswith(":") or len(line.split()) > max_words:
            continue
        low = line.lower()
        if low.startswith(("here are", "here is", "sure", "certainly", "these ", "i hope", "note:", "let me")):
            continue
        if kind == "question" and "?" not in line:
            continue
        if kind in ("instruction",) and len(line.split()) < 3:
            continue
        key = re.sub(r"\W+", " ", low).strip()
        if key and key not in seen:
            seen.add(key)
            out.append(line)
    return out


@dataclass
class Node:
    id: str
    parent_id: str | None
    sector: int
    kind: str
    text: str
    meta: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "sector": self.sector, "kind": self.kind,
                "text": self.text, "meta": self.meta}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Node":
        return cls(d["id"], d.get("parent_id"), int(d["sector"]), d["kind"], d["text"], dict(d.get("meta") or {}))


MATERIALS_NEEDED = ("sector 3 needs materials: set sector3.materials to a JSONL file of "
                    '{"text": ..., "source_url": ..., "material_type": ...} records (e.g. C4 pieces), or --materials')


def read_materials(path: str | Path) -> list[dict[str, Any]]:
    """Sector 3's materials (JSONL, a non-empty `text` each); an empty or bad file is a one-line JobError."""
    records = read_jsonl(path, error=JobError)
    if not records:
        raise JobError(f"{path}: no materials (empty file)")
    for i, rec in enumerate(records, 1):
        if not isinstance(rec.get("text"), str) or not rec["text"].strip():
            raise JobError(f"{path}: record {i} field text: missing or empty")
    return records


class SeedTreeBuilder:
    """Grows the seed trees into `out_dir/seeds/*.jsonl` and returns the opening-line nodes."""

    def __init__(self, cfg: UltraChatConfig, backend: ChatBackend, out_dir: Path, *, resume: bool,
                 workers: int = 1, show_progress: bool = True) -> None:
        self.cfg, self.backend, self.resume = cfg, backend, resume
        self.dir = Path(out_dir) / "seeds"
        self.workers, self.show_progress = workers, show_progress
        self.level_stats: dict[str, dict[str, Any]] = {}
        self.meters = [m for m in [getattr(backend, "meter", None)] if m is not None]

    # -- LLM helpers ---------------------------------------------------------------------------
    def _sampling(self, s: SamplingConfig, seed: int, max_tokens: int | None = None) -> Sampling:
        return Sampling(temperature=s.temperature, top_p=s.top_p, max_tokens=max_tokens or s.max_tokens, seed=seed)

    def ask_list(self, prompt: str, n: int, node_id: str, purpose: str, kind: str) -> list[str]:
        """Up to n unique items; re-asks (new seed) up to `list_retries` times when the list is short."""
        items: list[str] = []
        seen: set[str] = set()
        for attempt in range(self.cfg.list_retries + 1):
            resp = self.backend.chat([{"role": "user", "content": prompt}],
                                     self._sampling(self.cfg.seeds_sampling,
                                                    call_seed(self.cfg.seed, node_id, purpose, attempt)))
            for item in parse_list(resp.text, kind=kind, max_words=12 if kind == "topic" else 80):
                key = item.lower()
                if key not in seen:
                    seen.add(key)
                    items.append(item)
            if len(items) >= n:
                break
        return items[:n]

    def ask_one(self, prompt: str, node_id: str, purpose: str) -> str | None:
        resp = self.backend.chat([{"role": "user", "content": prompt}],
                                 self._sampling(self.cfg.seeds_sampling, call_seed(self.cfg.seed, node_id, purpose)))
        if resp.finish_reason == "length":
            return None
        text = _BOLD.sub("", resp.text).strip().strip('"').strip()
        text = re.sub(r"^(rewritten request|request)\s*:\s*", "", text, flags=re.I).strip()
        return text or None

    # -- one level = one resumable job ---------------------------------------------------------
    def level(self, name: str, parents: Sequence[Node], expand: Callable[[Node], list[Node]]) -> list[Node]:
        # always "resume": the build refuses a used folder up front, so an existing level file is ours
        writer = CheckpointedJsonl(self.dir / f"{name}.jsonl").open(resume=True)
        try:
            stats = run_items(parents, key=lambda n: n.id,
                              work=lambda n: {"id": n.id, "children": [c.to_dict() for c in expand(n)]},
                              writer=writer, workers=self.workers, description=f"seeds {name}",
                              show_progress=self.show_progress, meters=self.meters, retry_errors=(BackendError,))
        finally:
            writer.close()
        self.level_stats[name] = stats.to_dict()
        if stats.failed:
            raise JobError(f"seed level {name}: {stats.failed} parents failed ({stats.errors[0]}); "
                           "rerun with --resume to retry them")
        by_parent = {r["id"]: r["children"] for r in read_jsonl(writer.path)}
        children = [Node.from_dict(c) for p in parents for c in by_parent.get(p.id, [])]
        self.level_stats[name]["children"] = len(children)
        return children

    # -- sectors -------------------------------------------------------------------------------
    def sector1(self) -> list[Node]:
        c = self.cfg.sector1
        concepts = [Node(f"s1.c{i:02d}", "s1", 1, "meta_concept", t, {"meta_topic": t})
                    for i, t in enumerate(c.meta_concepts)]

        def subtopics(p: Node) -> list[Node]:
            n = rng_for(self.cfg.seed, p.id, "n_subtopics").randint(*c.subtopics_per_concept)
            items = self.ask_list(P.SUBTOPICS.format(n=n, concept=p.text), n, p.id, "subtopics", "topic")
            return [Node(f"{p.id}.t{j:03d}", p.id, 1, "subtopic", t, {**p.meta, "subtopic": t})
                    for j, t in enumerate(items)]

        def questions(p: Node) -> list[Node]:
            n = c.questions_per_subtopic
            items = self.ask_list(P.QUESTIONS.format(n=n, subtopic=p.text, concept=p.meta["meta_topic"]),
                                  n, p.id, "questions", "question")
            return [Node(f"{p.id}.q{j:02d}", p.id, 1, "question", t, dict(p.meta)) for j, t in enumerate(items)]

        def expanded(p: Node) -> list[Node]:
            n = c.expanded_per_question
            items = self.ask_list(P.EXPANDED.format(n=n, question=p.text), n, p.id, "expanded", "question")
            return [Node(f"{p.id}.x{j:02d}", p.id, 1, "expanded_question", t, {**p.meta, "seed_question": p.text})
                    for j, t in enumerate(items)]

        subs = self.level("s1_subtopics", concepts, subtopics)
        qs = self.level("s1_questions", subs, questions)
        xs = self.level("s1_expanded", qs, expanded) if c.expanded_per_question > 0 else []
        out = qs + xs
        if c.entities:
            out += self._entity_branch()
        return out

    def _entity_branch(self) -> list[Node]:
        c = self.cfg.sector1
        ents = [Node(f"s1.e{i:05d}", "s1", 1, "entity", e, {"entity": e}) for i, e in enumerate(c.entities)]

        def meta_q(p: Node) -> list[Node]:
            n = c.meta_questions_per_entity
            items = self.ask_list(P.ENTITY_META.format(n=n, entity=p.text), n, p.id, "meta", "question")
            return [Node(f"{p.id}.m{j}", p.id, 1, "meta_question", t, dict(p.meta)) for j, t in enumerate(items)]

        def specific(p: Node) -> list[Node]:
            n = c.specific_per_meta_question
            items = self.ask_list(P.ENTITY_SPECIFIC.format(n=n, entity=p.meta["entity"], question=p.text),
                                  n, p.id, "specific", "question")
            return [Node(f"{p.id}.s{j:02d}", p.id, 1, "specific_question", t, {**p.meta, "seed_question": p.text})
                    for j, t in enumerate(items)]

        def extended(p: Node) -> list[Node]:
            n = c.extended_per_meta_question
            items = self.ask_list(P.ENTITY_EXTENDED.format(n=n, entity=p.meta["entity"], question=p.text),
                                  n, p.id, "extended", "question")
            return [Node(f"{p.id}.g{j:02d}", p.id, 1, "extended_question", t, {**p.meta, "seed_question": p.text})
                    for j, t in enumerate(items)]

        metas = self.level("s1_entity_meta", ents, meta_q)
        out = list(metas)
        if c.specific_per_meta_question > 0:
            out += self.level("s1_entity_specific", metas, specific)
        if c.extended_per_meta_question > 0:
            out += self.level("s1_entity_extended", metas, extended)
        return out

    def sector2(self) -> list[Node]:
        c = self.cfg.sector2
        types = [Node(f"s2.m{i:02d}", "s2", 2, "material_type", t, {"material_type": t})
                 for i, t in enumerate(c.material_types)]

        def instructions(p: Node) -> list[Node]:
            n = c.instructions_per_type
            items = self.ask_list(P.WRITING_INSTRUCTIONS.format(n=n, material_type=p.text), n, p.id,
                                  "instructions", "instruction")
            return [Node(f"{p.id}.i{j:03d}", p.id, 2, "instruction", t, dict(p.meta)) for j, t in enumerate(items)]

        def rewrite(p: Node) -> list[Node]:
            text = self.ask_one(P.REWRITE_DETAILED.format(instruction=p.text), p.id, "rewrite")
            if not text:
                return []
            return [Node(f"{p.id}.r", p.id, 2, "detailed_instruction", text, {**p.meta, "original_instruction": p.text})]

        ins = self.level("s2_instructions", types, instructions)
        chosen = [n for n in ins if rng_for(self.cfg.seed, n.id, "rewrite?").random() < c.rewrite_fraction]
        rewritten = self.level("s2_rewrites", chosen, rewrite) if chosen else []
        replaced = {n.parent_id for n in rewritten}
        return [n for n in ins if n.id not in replaced] + rewritten

    def sector3(self) -> list[Node]:
        c = self.cfg.sector3
        if not c.materials:
            raise JobError(MATERIALS_NEEDED)
        mats = []
        for i, rec in enumerate(read_materials(c.materials)):
            text = rec["text"]
            meta = {"material_id": str(rec.get("id", i)), "source_url": rec.get("source_url"),
                    "material_type": rec.get("material_type"), "material_license": rec.get("license")}
            mats.append(Node(f"s3.d{i:06d}", "s3", 3, "material", text.strip()[: c.max_material_chars],
                             {k: v for k, v in meta.items() if v is not None}))

        def instructions(p: Node) -> list[Node]:
            n = c.instructions_per_material
            items = self.ask_list(P.MATERIAL_INSTRUCTIONS.format(n=n, text=p.text), n, p.id,
                                  "instructions", "instruction")
            out = []
            for j, ins in enumerate(items):
                t = rng_for(self.cfg.seed, p.id, j, "template").randrange(len(c.templates))
                text = c.templates[t].format(text=p.text, instruction=ins.rstrip())
                out.append(Node(f"{p.id}.i{j}", p.id, 3, "opening", text,
                                {**p.meta, "instruction": ins, "template_id": t}))
            return out

        return self.level("s3_instructions", mats, instructions)

    def build(self) -> list[Node]:
        """All opening-line nodes of the configured sectors, in id order."""
        out: list[Node] = []
        for s in self.cfg.sectors:
            out += {1: self.sector1, 2: self.sector2, 3: self.sector3}[s]()
        return sorted(out, key=lambda n: n.id)
