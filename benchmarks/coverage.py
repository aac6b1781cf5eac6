"""How much of a task a user's run or predictions file covers, said before the file becomes a number.

Scored as it is, a file made for another task or corpus gives 0.0000 everywhere (a query with no run
entry scores 0 under trec_eval -c; a question with no prediction scores 0), and that looks like a
result. So every `bench run TASK --run/--predictions FILE` (retrieval, MUSER, LeCaRD, QA, WebCPM)
comes through here: one coverage line is printed (and kept in the result's `extra.coverage`), and the
file is refused, unless `--allow-partial`, when the figure would mean nothing:
- no query the task scores retrieved a document the task knows (corpus, candidate pools or
  judgements), or no question the task scores has a prediction;
- most of the file's query ids (more than half) are unknown to the task's dataset (any split).
A file none of whose ids the task scores is refused even with `--allow-partial` (its figure is 0 by
construction). Predictions files are stricter: an unknown or repeated id is an error naming the first few.

The metric conventions do not change: a query or question missing from the file still scores 0 and
counts in the mean; this module only decides whether to score at all, and says what was scored.
"""
from __future__ import annotations

from collections.abc import Collection as SizedContainer
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.tasks.base import TaskError

__all__ = ["Coverage", "run_coverage", "predictions_coverage", "check", "first_few"]

LISTED = 5                 # ids named in a message before "... (N in all)"


def first_few(ids: Iterable[str], n: int = LISTED) -> str:
    """"a, b, c" or "a, b, c, d, e ... (12 in all)": the ids a message names."""
    ids = list(ids)
    head = ", ".join(str(i) for i in ids[:n])
    return head + (f" ... ({len(ids)} in all)" if len(ids) > n else "")


def _n(value: int) -> str:
    return f"{value:,}"


@dataclass(frozen=True)
class Coverage:
    """What a file holds against what the task scores (counts, and the unknown ids in file order)."""

    file: Path
    task: str
    kind: str                          # "run" | "predictions"
    scored: int                        # queries (questions) the task scores in this split
    ids: int                           # distinct query (question) ids in the file
    in_task: int                       # of those, ids the task scores
    answered: int                      # scored ids with a known document retrieved / with a prediction
    unknown: tuple[str, ...] = ()      # file ids the task's dataset does not know (any split)
    docs: int = 0                      # distinct documents in a run
    unknown_docs: tuple[str, ...] = ()

    @property
    def item(self) -> str:
        return "queries" if self.kind == "run" else "questions"

    @property
    def one(self) -> str:
        return "query" if self.kind == "run" else "question"

    def line(self) -> str:
        """One line for the terminal and the result: `coverage: FILE has 225/225 task queries ...`."""
        parts = [f"{self.file.name} has {_n(self.in_task)}/{_n(self.scored)} task {self.item}"]
        if self.kind == "run":
            parts[0] += f" ({_n(self.answered)} retrieved a known document)"
            parts.append(f"{_n(len(self.unknown))}/{_n(self.ids)} run query ids unknown to the task")
            parts.append(f"{_n(len(self.unknown_docs))}/{_n(self.docs)} documents unknown to the corpus")
        else:
            parts.append(f"{_n(len(self.unknown))}/{_n(self.ids)} ids unknown to the task")
        return "coverage: " + " · ".join(parts)

    def problem(self) -> str | None:
        """Why a figure from this file would mean nothing (refused unless --allow-partial), or None."""
        if self.answered == 0:
            what = ("retrieved a document the task knows (corpus, pools or judgements)" if self.kind == "run"
                    else "has a prediction")
            return f"no {self.one} of task {self.task} {what}: every score would be 0"
        if 2 * len(self.unknown) > self.ids:
            return (f"{_n(len(self.unknown))} of its {_n(self.ids)} {self.one} ids are unknown to task "
                    f"{self.task} ({first_few(self.unknown)}): a file for another task or corpus?")
        return None

    def to_dict(self) -> dict[str, Any]:
        """What the result keeps (`extra.coverage`): counts and the line, never a local path."""
        out: dict[str, Any] = {"file": self.file.name, "kind": self.kind, "task_ids": self.scored,
                               "file_ids": self.ids, "in_task": self.in_task, "answered": self.answered,
                               "unknown_ids": len(self.unknown), "line": self.line()}
        if self.kind == "run":
            out.update(documents=self.docs, unknown_documents=len(self.unknown_docs))
        return out


class _Known:
    """Membership in any of several containers (a corpus dict, judged ids, pools) without copying them."""

    def __init__(self, *parts: Container[str]) -> None:
        self.parts = parts

    def __contains__(self, item: object) -> bool:
        return any(item in part for part in self.parts)


def known(*parts: Container[str]) -> Container[str]:
    """The ids a task knows, as one container (`known(corpus, judged_docs)`)."""
    return _Known(*parts)


def run_coverage(path: str | Path, run: Mapping[str, Iterable[str]], *, task: str, scored: SizedContainer[str],
                 known_queries: Container[str] = (), known_docs: Container[str] | None = None) -> Coverage:
    """Coverage of a run `{qid: docs}` (a doc -> score mapping or a ranked list) of task `task`.

    `scored`: the queries the task averages over; `known_queries`: other query ids of its dataset (other
    splits, unjudged queries), which are not unknown; `known_docs`: None = every document counts as known.
    """
    unknown = tuple(q for q in run if q not in scored and q not in known_queries)
    docs: dict[str, None] = {}
    answered = in_task = 0
    for qid, ranked in run.items():
        hit = False
        for doc in ranked:
            docs[doc] = None
            hit = hit or known_docs is None or doc in known_docs
        if qid in scored:
            in_task += 1
            answered += hit
    unknown_docs = () if known_docs is None else tuple(d for d in docs if d not in known_docs)
    return Coverage(Path(path), task, "run", len(scored), len(run), in_task, answered, unknown, len(docs),
                    unknown_docs)


def predictions_coverage(path: str | Path, ids: Iterable[str], *, task: str, scored: SizedContainer[str],
                         known_ids: Container[str] = (), lines: Iterable[int] | None = None) -> Coverage:
    """Coverage of the ids of a predictions file; a repeated or unknown id is a TaskError naming the first few.

    `lines`: each id's line (JSONL), so a repeated id is named with both lines.
    """
    ids = [str(i) for i in ids]
    where = list(lines) if lines is not None else None
    seen: dict[str, int] = {}
    repeated: list[str] = []
    for n, qid in enumerate(ids):
        if qid in seen:
            at = f" (lines {where[seen[qid]]} and {where[n]})" if where else ""
            repeated.append(f"{qid}{at}")
        else:
            seen[qid] = n
    if repeated:
        raise TaskError(f"{path}: {len(repeated)} repeated id(s): {first_few(repeated)}; each question may be "
                        f"predicted once")
    unknown = [q for q in ids if q not in scored and q not in known_ids]
    if unknown:
        raise TaskError(f"{path}: {len(unknown)} of its {len(ids)} ids are not questions of task {task}: "
                        f"{first_few(unknown)}")
    in_task = sum(1 for q in ids if q in scored)
    return Coverage(Path(path), task, "predictions", len(scored), len(ids), in_task, in_task)


def check(coverage: Coverage, *, allow_partial: bool = False) -> dict[str, Any]:
    """Refuse a meaningless figure (a TaskError naming the file), else the dict for `extra.coverage`.

    A file none of whose ids the task scores is refused even with --allow-partial."""
    if coverage.ids == 0:
        raise TaskError(f"{coverage.file}: no {'query' if coverage.kind == 'run' else 'prediction'} in it")
    if coverage.in_task == 0:
        first = f" ({first_few(coverage.unknown)} unknown)" if coverage.unknown else ""
        raise TaskError(f"{coverage.file}: none of its {_n(coverage.ids)} {coverage.one} ids is scored by "
                        f"task {coverage.task}{first}")
    why = coverage.problem()
    if why and not allow_partial:
        raise TaskError(f"{coverage.file}: {why} [{coverage.line()}]; pass --allow-partial to score it anyway")
    return {**coverage.to_dict(), "allow_partial": allow_partial}
