"""Seed sets and unlabelled documents for the loop, from SQuAD-style files (questions of documents dropped).

Presets encode the two runs the project reports:
- `cmrc`: S0 = CMRC 2018 trial (Chinese), documents = the CMRC 2018 dev contexts (dev questions held out);
- `xquad-en` / `xquad-zh`: XQuAD articles split at random (by `seed`) into halves: S0 = the questions of
  one half, documents = the contexts of the other half (no English training set is mirrored here).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from annotation.squad import QADataError
from annotation.squad_io import load_qa_file, read_jsonl

__all__ = ["docs_from_records", "load_docs", "preset", "PRESETS"]

PRESETS = ("cmrc", "xquad-en", "xquad-zh")


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
