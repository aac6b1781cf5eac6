"""What every local-dataset format provides, and the helpers the format modules share.

A format is one module with a module-level `FORMAT` (a `LocalFormat`): `detect(folder)` says whether
(and why) a folder looks like this format, `kind(folder)` whether it holds retrieval or QA data, and
`load_retrieval` / `qa_records` read it. Corpora are read record by record (jsonl lines, parquet
batches, SGML documents), never with one whole-file `json.load`. Every read error is a
`LocalDataError` naming the file and the line, record or field.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import DataError, iter_lines

if TYPE_CHECKING:
    from benchmarks.data.loaders import Collection
    from benchmarks.datasets_local.description import Description

DESCRIPTION_FILE = "databench.yaml"
PARQUET_BATCH = 4096          # rows per parquet batch while streaming a corpus


class LocalDataError(DataError):
    """A user's dataset folder that cannot be read: one line naming file and line/record/field."""


@dataclass(frozen=True)
class LocalFormat:
    name: str
    detect: Callable[[Path], "str | None"]          # folder -> evidence ("corpus.jsonl + qrels/") or None
    kind: Callable[[Path], str]                     # folder -> "retrieval" | "qa"
    load_retrieval: Callable[[Path, "Description"], "Collection"] | None = None
    qa_records: Callable[[Path, "Description"], Iterator[dict[str, Any]]] | None = None
    splits: Callable[[Path], list[str]] = lambda folder: []
    language: Callable[[Path], str | None] = lambda folder: None   # declared by the folder itself, if at all
    ranking: Callable[[Path], str] = lambda folder: "full"          # "rerank" when the folder ships pools
    default_name: Callable[[Path], str] = lambda folder: folder.name


def data_files(folder: Path) -> list[Path]:
    """Every file under `folder` that is data (not hidden, not the description), sorted by relative path."""
    out = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith(".") or (Path(root) == folder and name == DESCRIPTION_FILE):
                continue
            out.append(Path(root) / name)
    return sorted(out, key=lambda p: p.relative_to(folder).as_posix())


def folder_sha(folder: Path, only: list[Path] | None = None) -> str:
    """Content sha256 of a dataset folder: over (relative path, sha256_file) of each data file in sorted
    order (or of the `only` files). `databench.yaml` is left out: the result records the description."""
    from core import sha256_tree

    return sha256_tree(folder, sorted(only) if only is not None else data_files(folder))


def text_field(rec: dict[str, Any], names: tuple[str, ...], where: str, *, required: bool = True) -> str:
    """The first of `names` present in `rec`, as a string (ids may be numbers); missing -> LocalDataError."""
    for name in names:
        value = rec.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise LocalDataError(f"{where}: field {name}: expected a string, got {type(value).__name__}")
        return str(value)
    if required:
        raise LocalDataError(f"{where}: field {names[0]}: missing")
    return ""


def grade(value: Any, where: str, field: str) -> int:
    """A relevance grade: an integer (or a string/float holding one)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LocalDataError(f"{where}: field {field}: {value!r} is not an integer grade") from None
    if not number.is_integer():
        raise LocalDataError(f"{where}: field {field}: {value!r} is not an integer grade")
    return int(number)


def iter_tsv(path: Path, *, columns: int, header: tuple[str, ...] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of a tab-separated file, streamed; a header row (first field in `header`) is skipped."""
    for lineno, line in iter_lines(path, what="tab-separated file", error=LocalDataError):
        cols = line.rstrip("\r\n").split("\t")
        if lineno == 1 and header and cols[0].strip().lower() in header:
            continue
        if len(cols) < columns:
            raise LocalDataError(f"{path}:{lineno}: expected {columns} tab-separated columns, got {len(cols)}")
        yield lineno, cols


def make_collection(folder: Path, corpus: dict, queries: dict, qrels: dict, what: str,
                    pools: dict[str, list[str]] | None = None) -> "Collection":
    """The scored collection: queries without judgements are dropped (as BEIR and MTEB do), and so are
    judgements of unknown queries (counted in `notes`); an empty part is a one-line LocalDataError."""
    from benchmarks.data.loaders import Collection

    if not corpus:
        raise LocalDataError(f"{folder}: {what}: the corpus is empty")
    if not any(doc.text.strip() or doc.title.strip() for doc in corpus.values()):
        raise LocalDataError(f"{folder}: {what}: all {len(corpus)} documents of the corpus are empty (no title, no text)")
    if not queries:
        raise LocalDataError(f"{folder}: {what}: no queries")
    if not qrels:
        raise LocalDataError(f"{folder}: {what}: no relevance judgements (qrels)")
    judged = {q: docs for q, docs in qrels.items() if q in queries}
    if not judged:
        raise LocalDataError(f"{folder}: {what}: no judged query is among the queries (first judged id: "
                             f"{next(iter(qrels))})")
    notes = {}
    if len(judged) < len(qrels):
        notes["qrels_unknown_queries"] = f"{len(qrels) - len(judged)} judged query ids are not in the queries: ignored"
    if len(judged) < len(queries):
        notes["queries_unjudged"] = f"{len(queries) - len(judged)} queries without judgements: not scored"
    kept = {q: queries[q] for q in queries if q in judged}
    if pools is not None:
        pools = {q: pool for q, pool in pools.items() if q in kept}
    return Collection(corpus, kept, judged, pools=pools, notes=notes,
                      other_queries=frozenset(q for q in queries if q not in judged))
