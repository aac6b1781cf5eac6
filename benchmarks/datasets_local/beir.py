"""BEIR's on-disk layout: `corpus.jsonl` ({_id, title, text}), `queries.jsonl` ({_id, text}) and
`qrels/{split}.tsv` (`query-id  corpus-id  score`, header row), as beir's GenericDataLoader reads it."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from core import iter_jsonl
from benchmarks.datasets_local.base import LocalDataError, LocalFormat, make_collection, grade, iter_tsv, text_field
from retrieval.types import Corpus, Document, Qrels, Queries


def detect(folder: Path) -> str | None:
    if (folder / "corpus.jsonl").is_file() and (folder / "queries.jsonl").is_file() and (folder / "qrels").is_dir():
        return "corpus.jsonl + queries.jsonl + qrels/"
    return None


def splits(folder: Path) -> list[str]:
    return sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))


def _by_id(path: Path, id_fields: tuple[str, ...], what: str) -> Iterator[tuple[str, str, dict]]:
    """(where, id, record) of a JSONL file, streamed; a repeated id is an error naming its line."""
    seen: set[str] = set()
    for lineno, rec in iter_jsonl(path, error=LocalDataError):
        where = f"{path}:{lineno}"
        rid = text_field(rec, id_fields, where)
        if rid in seen:
            raise LocalDataError(f"{where}: field _id: duplicate {what} id {rid!r}")
        seen.add(rid)
        yield where, rid, rec


def read_corpus(path: Path) -> Corpus:
    """Streamed line by line; `_id` (or `id`) and `text` required, `title` optional."""
    return {doc_id: Document(doc_id, text_field(rec, ("text", "contents"), where),
                             text_field(rec, ("title",), where, required=False))
            for where, doc_id, rec in _by_id(path, ("_id", "id", "doc_id"), "document")}


def read_queries(path: Path) -> Queries:
    return {qid: text_field(rec, ("text", "query"), where)
            for where, qid, rec in _by_id(path, ("_id", "id", "query_id"), "query")}


def read_qrels_tsv(path: Path) -> Qrels:
    """BEIR qrels: 3 columns (query-id, corpus-id, score) with a header; TREC's 4-column lines also accepted."""
    qrels: Qrels = {}
    for lineno, cols in iter_tsv(path, columns=3, header=("query-id", "query_id", "qid")):
        cols = [c.strip() for c in cols]
        qid, doc_id, score = (cols[0], cols[2], cols[3]) if len(cols) == 4 else cols[:3]
        judged = qrels.setdefault(qid, {})
        if doc_id in judged:
            raise LocalDataError(f"{path}:{lineno}: duplicate judgement for query {qid} document {doc_id}")
        judged[doc_id] = grade(score, f"{path}:{lineno}", "score")
    return qrels


def load_retrieval(folder: Path, desc):  # Description -> Collection
    qrels_path = folder / "qrels" / f"{desc.split}.tsv"
    if not qrels_path.is_file():
        raise LocalDataError(f"{qrels_path}: no qrels for split {desc.split!r} (splits here: "
                             f"{', '.join(splits(folder)) or 'none'})")
    corpus = read_corpus(folder / "corpus.jsonl")
    queries = read_queries(folder / "queries.jsonl")
    qrels = read_qrels_tsv(qrels_path)
    return make_collection(folder, corpus, queries, qrels, "beir")


FORMAT = LocalFormat(name="beir", detect=detect, kind=lambda folder: "retrieval", load_retrieval=load_retrieval,
                     splits=splits)
