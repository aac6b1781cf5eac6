"""TREC-style folders: a topics file, a qrels file and a documents file, found by name
(`*qrel*`, `*topic*`/`*quer*`, `*doc*`/`*corpus*`/`*collection*`) or named in databench.yaml `files:`.

Documents: TREC SGML (`<DOC><DOCNO>id</DOCNO> ... </DOC>`, streamed document by document), read as
Terrier's TRECCollection and Anserini's TrecCollection read it: every text inside `<DOC>` is the
document, whether in `<TEXT>`, `<P>`, any other element or bare after `<DOCNO>` (the classic test
collections Terrier ships, e.g. Vaswani/NPL, have no `<TEXT>`), except the identifiers and headers in
`META_TAGS`; `<TITLE>`/`<HEADLINE>` become the title. A file whose documents are all empty is an error.
JSONL (BEIR records) or TSV (`id<TAB>text`, or `id<TAB>title<TAB>text`). Topics: TREC SGML/XML
(`<top><num>` + `<title>`, `<desc>` ignored) or TSV (`id<TAB>text`). Qrels: `QID ITER DOCID REL`.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from core import iter_lines, read_text
from benchmarks.datasets_local.base import LocalDataError, LocalFormat, iter_tsv, make_collection
from retrieval.types import Corpus, Document, Queries

ROLES = {"qrels": ("qrel",), "topics": ("topic", "quer"), "docs": ("doc", "corpus", "collection")}
_TAG = re.compile(r"<[^>]+>")
META_TAGS = ("DOCNO", "DOCHDR", "DOCOLDNO", "DOCID")    # ids and HTTP headers: not text (Terrier skips DOCHDR)
TITLE_TAGS = ("TITLE", "HEADLINE")
_DOCNO = re.compile(r"<DOCNO\b[^>]*>(.*?)</DOCNO\s*>", re.S | re.I)
_TITLES = re.compile(rf"<({'|'.join(TITLE_TAGS)})\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_NOT_TEXT = re.compile(rf"<({'|'.join(META_TAGS + TITLE_TAGS)})\b[^>]*>.*?</\1\s*>", re.S | re.I)


def _candidates(folder: Path, role: str) -> list[Path]:
    keys = ROLES[role]
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != "README.md"]
    hits = [p for p in files if any(k in p.name.lower() for k in keys)]
    if role == "docs":       # "queries.jsonl" must not count as documents
        hits = [p for p in hits if not any(k in p.name.lower() for k in ROLES["qrels"] + ROLES["topics"])]
    return sorted(hits)


def role_files(folder: Path, files: dict[str, str] | None = None, *, strict: bool = True) -> dict[str, Path] | None:
    """{role: file}; names from `files` win; otherwise exactly one file per role must match."""
    out: dict[str, Path] = {}
    for role in ROLES:
        if files and role in files:
            out[role] = folder / files[role]
            if strict and not out[role].is_file():
                raise LocalDataError(f"{out[role]}: file not found (databench.yaml files.{role})")
            continue
        found = _candidates(folder, role)
        if len(found) != 1:
            if not strict:
                return None
            what = "no file" if not found else f"{len(found)} files ({', '.join(p.name for p in found)})"
            raise LocalDataError(f"{folder}: trec layout: {what} for the {role}; name it in databench.yaml "
                                 f"files.{role}")
        out[role] = found[0]
    return out


def detect(folder: Path) -> str | None:
    found = role_files(folder, strict=False)
    if found is None:
        return None
    return " + ".join(f"{role} {p.name}" for role, p in found.items())


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def iter_sgml_docs(path: Path) -> Iterator[Document]:
    """`<DOC>...</DOC>` blocks, read line by line (a 1M-document file is never held whole)."""
    block: list[str] = []
    start = 0
    for lineno, line in iter_lines(path, what="TREC SGML file", error=LocalDataError):
        if "<DOC>" in line.upper() and not block:
            start = lineno
        if start:
            block.append(line)
        if start and "</DOC>" in line.upper():
            yield _sgml_doc("".join(block), f"{path}:{start}")
            block, start = [], 0
    if block:
        raise LocalDataError(f"{path}:{start}: <DOC> without </DOC>")


def _sgml_doc(raw: str, where: str) -> Document:
    """One `<DOC>` block: its DOCNO, the text of its title elements, and all the rest of its text."""
    body = re.sub(r"(?is)^.*?<DOC>|</DOC>.*$", "", raw)
    docno = _DOCNO.search(body)
    doc_id = _clean(docno.group(1)) if docno else ""
    if not doc_id:
        raise LocalDataError(f"{where}: field DOCNO: missing")
    title = _clean(" ".join(m.group(2) for m in _TITLES.finditer(body)))
    return Document(doc_id, _clean(_NOT_TEXT.sub(" ", body)), title)


def read_docs(path: Path) -> Corpus:
    corpus: Corpus = {}
    if path.suffix == ".jsonl":
        from benchmarks.datasets_local.beir import read_corpus
        return read_corpus(path)
    if path.suffix in (".tsv", ".txt") and not _looks_sgml(path):
        for lineno, cols in iter_tsv(path, columns=2, header=("id", "_id", "docid", "doc_id")):
            doc = Document(cols[0].strip(), cols[-1], cols[1] if len(cols) >= 3 else "")
            if doc.doc_id in corpus:
                raise LocalDataError(f"{path}:{lineno}: duplicate document id {doc.doc_id!r}")
            corpus[doc.doc_id] = doc
        return corpus
    for doc in iter_sgml_docs(path):
        if doc.doc_id in corpus:
            raise LocalDataError(f"{path}: duplicate DOCNO {doc.doc_id!r}")
        corpus[doc.doc_id] = doc
    if corpus and not any(doc.text or doc.title for doc in corpus.values()):
        raise LocalDataError(f"{path}: all {len(corpus)} documents are empty (no text inside <DOC> besides "
                             f"{', '.join(f'<{t}>' for t in META_TAGS)})")
    return corpus


def _looks_sgml(path: Path) -> bool:
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return f.read(4096).lstrip().startswith("<")


def read_topics(path: Path) -> Queries:
    if not path.is_file():
        raise LocalDataError(f"{path}: file not found")
    if not _looks_sgml(path):
        return {cols[0].strip(): cols[1] for _, cols in iter_tsv(path, columns=2, header=("id", "_id", "qid", "query-id"))}
    text = read_text(path, what="TREC topic file", error=LocalDataError)      # topic files are small
    queries: Queries = {}
    for m in re.finditer(r"(?is)<top>(.*?)</top>", text):
        line = text[: m.start()].count("\n") + 1
        num = re.search(r"(?is)<num>\s*(?:number:)?\s*([^<\s]+)", m.group(1))
        title = re.search(r"(?is)<title>\s*(?:topic:)?(.*?)(?=<(?:/title|desc|narr|/top)|$)", m.group(1))
        if not num:
            raise LocalDataError(f"{path}:{line}: field num: missing in <top>")
        if not title or not _clean(title.group(1)):
            raise LocalDataError(f"{path}:{line}: field title: missing in topic {num.group(1)}")
        queries[num.group(1)] = _clean(title.group(1))
    if not queries:
        raise LocalDataError(f"{path}: no <top> topics and not a TSV (id<TAB>text) file")
    return queries


def load_retrieval(folder: Path, desc):  # Description -> Collection
    from benchmarks.io.trec import read_qrels

    files = role_files(folder, desc.files)
    qrels = read_qrels(files["qrels"])
    return make_collection(folder, read_docs(files["docs"]), read_topics(files["topics"]), qrels, "trec")


FORMAT = LocalFormat(name="trec", detect=detect, kind=lambda folder: "retrieval", load_retrieval=load_retrieval)
