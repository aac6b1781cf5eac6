"""TREC run and qrels files: the formats trec_eval, pytrec_eval, ir_measures and ranx all read.

Run line:   `QID Q0 DOCID RANK SCORE TAG`  (6 whitespace-separated columns)
Qrels line: `QID ITER DOCID REL`           (4 columns; REL an integer grade)

Readers name the file, the 1-based line and the field of the first bad line (DataError), and
reject duplicate (qid, docid) pairs, which trec_eval would otherwise silently mis-score.
Writers are atomic (temp file + rename) and write runs in trec_eval's own order: score desc,
then doc id desc, so rank numbers agree with how the run is scored.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

from core import DataError, atomic_output, iter_lines, read_json
from retrieval.types import Qrels, Run

__all__ = ["read_run", "write_run", "read_qrels", "write_qrels", "ranked", "read_run_any"]


def _lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, columns) of every non-blank line; a BOM and CRLF are fine, bad UTF-8 names its line."""
    for lineno, line in iter_lines(path, what="TREC file"):
        yield lineno, line.split()


def read_qrels(path: str | Path) -> Qrels:
    """`QID ITER DOCID REL` lines -> {qid: {docid: rel}}."""
    path = Path(path)
    qrels: Qrels = {}
    for lineno, cols in _lines(path):
        if len(cols) != 4:
            raise DataError(f"{path}:{lineno}: qrels line needs 4 columns (QID ITER DOCID REL), got {len(cols)}")
        qid, _, docid, rel = cols
        try:
            grade = int(rel)
        except ValueError:
            raise DataError(f"{path}:{lineno}: field REL: {rel!r} is not an integer grade") from None
        judged = qrels.setdefault(qid, {})
        if docid in judged:
            raise DataError(f"{path}:{lineno}: duplicate judgement for query {qid} document {docid}")
        judged[docid] = grade
    if not qrels:
        raise DataError(f"{path}: no qrels lines")
    return qrels


def read_run(path: str | Path) -> Run:
    """`QID Q0 DOCID RANK SCORE TAG` lines -> {qid: {docid: score}} (scores decide the order, as in trec_eval)."""
    path = Path(path)
    run: Run = {}
    for lineno, cols in _lines(path):
        if len(cols) != 6:
            raise DataError(f"{path}:{lineno}: run line needs 6 columns (QID Q0 DOCID RANK SCORE TAG), got {len(cols)}")
        qid, _, docid, rank, score, _tag = cols
        try:
            value = float(score)
        except ValueError:
            raise DataError(f"{path}:{lineno}: field SCORE: {score!r} is not a number") from None
        if not math.isfinite(value):
            raise DataError(f"{path}:{lineno}: field SCORE: {score!r} is not finite")
        try:
            int(rank)
        except ValueError:
            raise DataError(f"{path}:{lineno}: field RANK: {rank!r} is not an integer") from None
        docs = run.setdefault(qid, {})
        if docid in docs:
            raise DataError(f"{path}:{lineno}: document {docid} appears twice for query {qid}")
        docs[docid] = value
    if not run:
        raise DataError(f"{path}: no run lines")
    return run


def read_run_any(path: str | Path) -> Run:
    """A TREC run, or a JSON run `{qid: {docid: score}}` when the file name ends in .json."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        return read_run(path)
    data = read_json(path, what="JSON run file")
    if not isinstance(data, dict):
        raise DataError(f"{path}: a JSON run must be an object {{qid: {{docid: score}}}}")
    run: Run = {}
    for qid, docs in data.items():
        if not isinstance(docs, dict):
            raise DataError(f"{path}: query {qid}: expected {{docid: score}}, got {type(docs).__name__}")
        try:
            run[str(qid)] = {str(d): float(s) for d, s in docs.items()}
        except (TypeError, ValueError):
            raise DataError(f"{path}: query {qid}: every score must be a number") from None
    if not run:
        raise DataError(f"{path}: empty run (no queries)")
    return run


def ranked(docs: dict[str, float]) -> list[tuple[str, float]]:
    """trec_eval's order: score descending, ties broken by doc id descending (string order)."""
    return sorted(docs.items(), key=lambda item: (item[1], item[0]), reverse=True)


def _atomic_write(path: Path, lines: Iterator[str]) -> Path:
    with atomic_output(path) as f:
        f.writelines(lines)
    return path


def write_run(run: Run, path: str | Path, tag: str = "databench") -> Path:
    """Write a TREC run atomically; ids must not contain whitespace."""
    tag = "".join(tag.split()) or "databench"

    def lines() -> Iterator[str]:
        for qid in run:
            for rank, (docid, score) in enumerate(ranked(run[qid]), 1):
                if any(c.isspace() for c in qid + docid):
                    raise DataError(f"{path}: id {qid!r}/{docid!r} contains whitespace; TREC files cannot hold it")
                yield f"{qid} Q0 {docid} {rank} {score!r} {tag}\n"

    return _atomic_write(Path(path), lines())


def write_qrels(qrels: Qrels, path: str | Path) -> Path:
    return _atomic_write(Path(path), (f"{q} 0 {d} {g}\n" for q, docs in qrels.items() for d, g in docs.items()))
