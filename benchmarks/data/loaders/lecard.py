"""LeCaRD: Chinese legal case retrieval, re-ranking each query's own candidate pool.

Read shared/data/lecard/README.md first. What this loader uses, and why:
- queries: `data/query/query.json` (JSON Lines; `ridx` = query id, `q` = fact description);
- qrels: `data/label/label_top30_dict.json` graded 0-3; unjudged candidates count as 0 (LeCaRD README);
- pools: `data/candidates/<qid>/<cid>.json` (only 25 queries have them here); a pool is the set of
  files in the folder, NOT `combined_top100.json` order (pooling put judged docs first there);
- document text: `ajjbqk` (the basic facts), as LeCaRD's own BM25/TF-IDF/LM pooling code indexes it;
  `ajName` is the title. `doc_field=qw` uses the full judgment instead.
Splits: "candidates" = the 25 queries with pools (default); "test" = LeCaRD's 20-query test subset
(label-file keys at positions 0, 5, ..., 95, = the keys of `bert.json`).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from benchmarks.data.loaders import Collection
from core import DataError, iter_jsonl, read_json
from retrieval.types import Corpus, Document, Qrels, Queries

SPLITS = ("candidates", "test")
DOC_FIELDS = ("ajjbqk", "qw", "cpfxgc", "pjjg")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _load_json(path: Path) -> object:
    return read_json(path)


def _queries(path: Path) -> Queries:
    queries: Queries = {}
    for lineno, record in iter_jsonl(path):
        for key in ("ridx", "q"):
            if key not in record:
                raise DataError(f"{path}:{lineno}: missing field {key!r}")
        queries[str(record["ridx"])] = _nfc(str(record["q"]))
    return queries


def _qrels(path: Path) -> Qrels:
    data = _load_json(path)
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected an object {{qid: {{candidate_id: grade}}}}")
    qrels: Qrels = {}
    for qid, labels in data.items():
        if not isinstance(labels, dict):
            raise DataError(f"{path}: query {qid}: expected {{candidate_id: grade}}")
        for cid, grade in labels.items():
            if not isinstance(grade, int) or not 0 <= grade <= 3:
                raise DataError(f"{path}: query {qid} candidate {cid}: field grade must be an integer 0-3, got {grade!r}")
        qrels[str(qid)] = {str(c): int(g) for c, g in labels.items()}
    return qrels


def load_lecard(folder: Path, split: str = "candidates", doc_field: str = "ajjbqk") -> Collection:
    if split not in SPLITS:
        raise DataError(f"lecard: unknown split {split!r}; known: {', '.join(SPLITS)}")
    if doc_field not in DOC_FIELDS:
        raise DataError(f"lecard: unknown doc_field {doc_field!r}; known: {', '.join(DOC_FIELDS)}")
    data = folder / "data"
    queries_all = _queries(data / "query" / "query.json")
    labels = _qrels(data / "label" / "label_top30_dict.json")
    cand_root = data / "candidates"
    if not cand_root.is_dir():
        raise DataError(f"{cand_root}: candidate folder not found")
    with_pools = sorted((p.name for p in cand_root.iterdir() if p.is_dir()), key=lambda q: int(q))
    if split == "test":
        keys = list(labels)
        qids = [keys[i] for i in range(0, min(len(keys), 100), 5)]
        missing = [q for q in qids if q not in with_pools]
        if missing:
            raise DataError(f"{cand_root}: test queries without a candidate pool: {', '.join(missing)}")
    else:
        qids = with_pools
    corpus: Corpus = {}
    pools: dict[str, list[str]] = {}
    for qid in qids:
        if qid not in queries_all:
            raise DataError(f"{data / 'query' / 'query.json'}: no query with ridx {qid} (it has a candidate pool)")
        if qid not in labels:
            raise DataError(f"{data / 'label' / 'label_top30_dict.json'}: no labels for query {qid}")
        pool: list[str] = []
        for path in sorted((cand_root / qid).glob("*.json"), key=lambda p: int(p.stem)):
            cid = path.stem
            pool.append(cid)
            if cid in corpus:
                continue
            record = _load_json(path)
            if not isinstance(record, dict):
                raise DataError(f"{path}: expected a JSON object")
            text = record.get(doc_field)
            if not isinstance(text, str):
                raise DataError(f"{path}: missing field {doc_field!r}")
            corpus[cid] = Document(cid, _nfc(text), title=_nfc(str(record.get("ajName", ""))), lang="zh")
        if not pool:
            raise DataError(f"{cand_root / qid}: empty candidate pool")
        pools[qid] = pool
    return Collection(corpus, {q: queries_all[q] for q in qids}, {q: labels[q] for q in qids}, pools=pools, notes={
        "pools": "each query re-ranks only its own candidate folder (files in data/candidates/<qid>/)",
        "unjudged": "candidates without a label count as grade 0 (LeCaRD README)",
        "document_text": f"ajName (title) + {doc_field}",
        "split": split}, other_queries=frozenset(queries_all) - set(qids))
