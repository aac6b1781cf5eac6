"""Sentence data for the tagger: read, deduplicate identical sentences, split by a seed.

Why dedupe first: the real file holds 12,489 records but only 8,740 distinct sentences (one
occurs 30 times); a random split over records would put copies of a test sentence in training.
Identical sentences with the same label set collapse to one; those whose copies disagree
(90 in the real file) are dropped, and the count is reported.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from core import UserError, read_json, read_jsonl, require_file


class TaggerDataError(UserError, ValueError):
    """A sentence file is malformed; the message names the file, the record and the field."""


@dataclass
class Example:
    sentence: str
    labels: list[str]


@dataclass
class Prepared:
    train: list[Example]
    test: list[Example]
    stats: dict[str, int] = field(default_factory=dict)


def read_sentences(path: str | Path) -> list[Example]:
    """A JSON array (or JSONL) of {"sentence": str, "labels": [str, ...]}."""
    path = require_file(path, "sentence file", error=TaggerDataError)
    with open(path, "rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        rows = read_json(path, what="sentence file", error=TaggerDataError)
    else:
        rows = read_jsonl(path, error=TaggerDataError)
    if not rows:
        raise TaggerDataError(f"{path}: no sentences (empty file)")
    out: list[Example] = []
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or not isinstance(r.get("sentence"), str):
            raise TaggerDataError(f"{path}: record {i}: field sentence must be a string")
        labels = r.get("labels", r.get("label"))
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise TaggerDataError(f"{path}: record {i}: field labels must be a list of strings")
        out.append(Example(r["sentence"], sorted(set(labels))))
    return out


def dedupe(examples: list[Example]) -> tuple[list[Example], dict[str, int]]:
    """One example per distinct sentence; sentences whose copies disagree on labels are dropped."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    for ex in examples:
        groups.setdefault(ex.sentence, []).append(tuple(ex.labels))
    kept: list[Example] = []
    conflicting = conflicting_records = 0
    for sent, label_sets in groups.items():
        if len(set(label_sets)) > 1:
            conflicting += 1
            conflicting_records += len(label_sets)
            continue
        kept.append(Example(sent, list(label_sets[0])))
    stats = {"records": len(examples), "distinct_sentences": len(groups),
             "duplicate_records_merged": len(examples) - len(groups) - (conflicting_records - conflicting),
             "conflicting_sentences_dropped": conflicting, "conflicting_records_dropped": conflicting_records,
             "kept": len(kept)}
    return kept, stats


def prepare(path: str | Path, *, test_fraction: float = 0.2, seed: int = 13, limit: int | None = None) -> Prepared:
    """Dedupe, shuffle with `seed`, split; `limit` keeps only the first N distinct sentences (tests)."""
    examples, stats = dedupe(read_sentences(path))
    examples.sort(key=lambda e: e.sentence)          # order-independent of the input file
    random.Random(seed).shuffle(examples)
    if limit:
        examples = examples[:limit]
    n_test = max(1, round(len(examples) * test_fraction))
    prepared = Prepared(train=examples[n_test:], test=examples[:n_test], stats=stats)
    prepared.stats.update(train=len(prepared.train), test=len(prepared.test))
    return prepared
