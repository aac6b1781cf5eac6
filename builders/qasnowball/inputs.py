"""Seed sets and unlabelled documents for the loop, from SQuAD-style files (questions of documents dropped).

Presets encode the two runs the project reports:
- `cmrc`: S0 = CMRC 2018 trial (Chinese), documents = the CMRC 2018 dev contexts (dev questions held out);
- `xquad-en` / `xquad-zh`: XQuAD articles split at random (by `seed`) into halves: S0 = the questions of
  one half, documents = the contexts of the other half (no English training set is mirrored here);
- `xquad-en-3way` / `xquad-zh-3way`: the articles split (by `seed`) into three disjoint groups, S0 (1/4),
  documents (1/2) and a held-out evaluation group (1/4) that the loop never sees, so a reader trained on
  S0 and the generated data can be scored on questions and contexts no stage has read
  (`three_way_split`; bench/experiments/qasnowball_neural.py checks the disjointness).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from annotation.squad import QADataError
from annotation.squad_io import load_qa_file, read_jsonl

__all__ = ["docs_from_records", "load_docs", "preset", "PRESETS", "three_way_split", "THREE_WAY"]

PRESETS = ("cmrc", "xquad-en", "xquad-zh", "xquad-en-3way", "xquad-zh-3way")
THREE_WAY = (1, 2, 1)          # S0 : documents : evaluation, in articles (XQuAD: 12 / 24 / 12 of 48)


def docs_from_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unique contexts of QA records as documents, in first-seen order; doc_id from a hash of the text."""
    docs: dict[str, dict[str, Any]] = {}
    for r in records:
        ctx = r["context"]
        if ctx not in docs:
            doc_id = hashlib.sha1(ctx.encode("utf-8")).hexdigest()[:16]
            docs[ctx] = {"doc_id": doc_id, "title": r.get("title") or "", "context": ctx}
    return list(docs.values())


def load_docs(path: str | Path) -> list[dict[str, Any]]:
    """Documents from a JSONL file ({doc_id, title?, context|text}) or the contexts of a SQuAD file."""
    path = Path(path)
    if path.suffix == ".jsonl":
        rows = read_jsonl(path)
        if rows and "question" not in rows[0]:
            docs = []
            for i, r in enumerate(rows, 1):
                ctx = r.get("context", r.get("text"))
                if not isinstance(ctx, str) or not ctx.strip():
                    raise QADataError(f"{path}:{i} field context: empty or missing")
                docs.append({"doc_id": str(r.get("doc_id", r.get("id", i))), "title": r.get("title") or "",
                             "context": ctx})
            return docs
    docs = docs_from_records(load_qa_file(path).records)
    if not docs:
        raise QADataError(f"{path}: no documents (empty file, or no record with a context)")
    return docs


def preset(name: str, data_root: Path, seed: int = 0) -> tuple[str, list[dict], list[dict], dict[str, Any]]:
    """(lang, seed records, documents, description) for a named preset."""
    if name == "cmrc":
        trial = load_qa_file(data_root / "cmrc2018" / "cmrc2018_trial.json")
        dev = load_qa_file(data_root / "cmrc2018" / "cmrc2018_dev.json")
        return "zh", trial.records, docs_from_records(dev.records), {
            "seed": "cmrc2018_trial.json", "docs": "cmrc2018_dev.json contexts (questions held out)",
            "seed_load": trial.summary()}
    if name in ("xquad-en-3way", "xquad-zh-3way"):
        lang = name.split("-")[1]
        recs = load_qa_file(data_root / "xquad" / f"xquad.{lang}.json").records
        groups = three_way_split(sorted({r["title"] for r in recs}), seed)
        seed_recs = [r for r in recs if r["title"] in groups["s0"]]
        docs = docs_from_records([r for r in recs if r["title"] in groups["docs"]])
        return lang, seed_recs, docs, {
            "seed": f"xquad.{lang}.json, {len(groups['s0'])} articles chosen with seed {seed}",
            "docs": f"contexts of {len(groups['docs'])} other articles",
            "held_out": f"{len(groups['eval'])} articles never read by the loop (evaluation)",
            **{f"{k}_titles": sorted(v) for k, v in groups.items()}}
    if name in ("xquad-en", "xquad-zh"):
        lang = name.split("-")[1]
        recs = load_qa_file(data_root / "xquad" / f"xquad.{lang}.json").records
        titles = sorted({r["title"] for r in recs})
        order = np.random.default_rng(seed).permutation(len(titles))
        seed_titles = {titles[i] for i in order[: len(titles) // 2]}
        seed_recs = [r for r in recs if r["title"] in seed_titles]
        docs = docs_from_records([r for r in recs if r["title"] not in seed_titles])
        return lang, seed_recs, docs, {"seed": f"xquad.{lang}.json, {len(seed_titles)} articles chosen with seed {seed}",
                                       "docs": f"contexts of the other {len(titles) - len(seed_titles)} articles",
                                       "seed_titles": sorted(seed_titles)}
    raise QADataError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")


def three_way_split(titles: list[str], seed: int, parts: tuple[int, int, int] = THREE_WAY) -> dict[str, set[str]]:
    """Articles split at random (by `seed`) into disjoint groups s0 / docs / eval in the ratio `parts`.

    Split by article, not by question, so no evaluation context (nor a paragraph of the same article)
    reaches the seed set or the documents the loop generates from."""
    titles = sorted(set(titles))
    if len(titles) < 3:
        raise QADataError(f"a three-way split needs at least 3 articles, got {len(titles)}")
    order = [titles[i] for i in np.random.default_rng(seed).permutation(len(titles))]
    total = sum(parts)
    n_s0 = max(1, len(titles) * parts[0] // total)
    n_docs = max(1, len(titles) * parts[1] // total)
    groups = {"s0": set(order[:n_s0]), "docs": set(order[n_s0:n_s0 + n_docs]), "eval": set(order[n_s0 + n_docs:])}
    if not groups["eval"]:
        raise QADataError(f"a three-way split of {len(titles)} articles left no evaluation article")
    return groups
