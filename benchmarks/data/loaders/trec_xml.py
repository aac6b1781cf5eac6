"""Cranfield and Vaswani: TREC-style SGML/XML documents and topics, TREC qrels.

Both document files lack a root element, so they are wrapped in `<root>` on the same line
(line numbers in errors stay those of the file). Cranfield's qrels number topics 1..225 by
POSITION in cran.qry.xml, not by `<num>` (see shared/data/cranfield/README.md), so topics are
renumbered here, and its single grade-3 line (a conversion artefact) is binarised to 1.
"""
from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

from benchmarks.data.loaders import Collection
from core import DataError, read_text
from benchmarks.io.trec import read_qrels
from retrieval.types import Corpus, Document, Qrels, Queries


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def _parse(path: Path, *, wrap: bool) -> ET.Element:
    raw = read_text(path, what="XML file")
    if wrap:
        raw = "<root>" + raw.split("?>", 1)[1] if raw.startswith("<?xml") else "<root>" + raw
        raw += "</root>"
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        line, col = exc.position
        raise DataError(f"{path}:{line}: XML error at column {col} ({exc.msg if hasattr(exc, 'msg') else exc})") \
            from None


def _field(elem: ET.Element, tag: str, path: Path, what: str, index: int) -> str:
    child = elem.find(tag)
    if child is None:
        raise DataError(f"{path}: {what} #{index}: missing field <{tag}>")
    return child.text or ""


def _check_qrels(qrels: Qrels, queries: Queries, corpus: Corpus, path: Path) -> None:
    for qid, docs in qrels.items():
        if qid not in queries:
            raise DataError(f"{path}: qrels topic {qid} has no query in the topics file")
        for doc in docs:
            if doc not in corpus:
                raise DataError(f"{path}: qrels topic {qid} judges unknown document {doc}")


def load_cranfield(folder: Path) -> Collection:
    docs_path, topics_path, qrels_path = (folder / "cran.all.1400.xml", folder / "cran.qry.xml",
                                          folder / "cranqrel.trec.txt")
    corpus: Corpus = {}
    for i, elem in enumerate(_parse(docs_path, wrap=True).iter("doc"), 1):
        doc_id = _field(elem, "docno", docs_path, "document", i).strip()
        if not doc_id:
            raise DataError(f"{docs_path}: document #{i}: empty <docno>")
        if doc_id in corpus:
            raise DataError(f"{docs_path}: document #{i}: duplicate docno {doc_id}")
        corpus[doc_id] = Document(doc_id, _nfc(_field(elem, "text", docs_path, "document", i)),
                                  title=_nfc(_field(elem, "title", docs_path, "document", i)), lang="en")
    if not corpus:
        raise DataError(f"{docs_path}: empty corpus (no <doc> elements)")
    queries: Queries = {}
    for position, elem in enumerate(_parse(topics_path, wrap=False).iter("top"), 1):
        queries[str(position)] = _nfc(_field(elem, "title", topics_path, "topic", position))
    qrels = {q: {d: 1 if g > 0 else 0 for d, g in docs.items()} for q, docs in read_qrels(qrels_path).items()}
    _check_qrels(qrels, queries, corpus, qrels_path)
    return Collection(corpus, queries, qrels, notes={
        "topic_ids": "renumbered 1..225 by position in cran.qry.xml (the qrels' numbering), not <num>",
        "grades": "binary: the one grade-3 qrels line is a conversion artefact, mapped to 1",
        "document_text": "title + text (author and bib fields not indexed)"})


def load_vaswani(folder: Path) -> Collection:
    docs_path, topics_path, qrels_path = folder / "corpus" / "doc-text.trec", folder / "query-text.trec", folder / "qrels"
    corpus: Corpus = {}
    for i, elem in enumerate(_parse(docs_path, wrap=True).iter("DOC"), 1):
        doc_id = _field(elem, "DOCNO", docs_path, "document", i).strip()
        if doc_id in corpus:
            raise DataError(f"{docs_path}: document #{i}: duplicate DOCNO {doc_id}")
        body = (elem.find("DOCNO").tail or "")  # type: ignore[union-attr]
        corpus[doc_id] = Document(doc_id, _nfc(body), lang="en")
    if not corpus:
        raise DataError(f"{docs_path}: empty corpus (no <DOC> elements)")
    queries: Queries = {}
    for i, elem in enumerate(_parse(topics_path, wrap=True).iter("top"), 1):
        qid = _field(elem, "num", topics_path, "topic", i).strip()
        queries[qid] = _nfc(_field(elem, "title", topics_path, "topic", i))
    qrels = read_qrels(qrels_path)
    _check_qrels(qrels, queries, corpus, qrels_path)
    return Collection(corpus, queries, qrels, notes={"grades": "binary (all qrels are 1)"})
