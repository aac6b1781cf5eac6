"""Turn a folder of submission zips into leaderboard rows, verifying each package first.

A package that fails verification is left off the board and reported with its reasons,
so one bad upload cannot break (or poison) the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import DataError
from benchmarks.results import Result


@dataclass
class Row:
    task: str
    dataset: str
    model: str                             # the display name: the submitter's, else the readable model id
    params: dict[str, Any]
    main_metric: str
    main_set: str
    main_value: float
    metrics: dict[str, float]              # the main set's metrics
    date: str
    submission: str                        # zip file name
    result: str                            # result path inside the zip
    record: Result | None = None           # the verified result itself (per-query scores, extra, run sha)
    zip_path: Path | None = None           # where the run can be read from to publish it
    org: str | None = None                 # submitter (bench submit --org)
    model_url: str | None = None           # bench submit --model-url
    model_id: str = ""                     # the technical model name (registry name, external-run, ...)

    @classmethod
    def from_result(cls, result: Result, submission: str, member: str, zip_path: Path | None = None) -> "Row":
        from benchmarks.leaderboard.labels import model_label

        main_set = str(result.main_score["set"])
        who = result.extra.get("submitter") if isinstance(result.extra.get("submitter"), dict) else {}
        return cls(task=result.task, dataset=result.dataset,
                   model=str(who.get("model_name") or model_label(result.model.name)),
                   params=dict(result.model.params), main_metric=result.main_metric, main_set=main_set,
                   main_value=result.main_value, metrics=dict(result.metrics.get(main_set, {})),
                   date=result.date, submission=submission, result=member, record=result, zip_path=zip_path,
                   org=who.get("org"), model_url=who.get("model_url"), model_id=result.model.name)

    @property
    def per_query_metric(self) -> str | None:
        """The metric whose per-query scores stand for this row: the main one, else the first stored."""
        queries = (self.record.per_query if self.record else {}).get(self.main_set) or {}
        first = next(iter(queries.values()), {})
        return self.main_metric if self.main_metric in first else next(iter(first), None)

    def per_query(self, metric: str | None = None) -> dict[str, float]:
        metric = metric or self.per_query_metric
        queries = (self.record.per_query if self.record else {}).get(self.main_set) or {}
        return {q: float(s[metric]) for q, s in queries.items() if metric in s}


@dataclass
class Board:
    rows: dict[str, list[Row]] = field(default_factory=dict)      # task -> rows, best first
    rejected: dict[str, list[str]] = field(default_factory=dict)  # zip name -> reasons


def _board_key(result: Result) -> str:
    """One table per (task, mode): a non-default mode ranks by another metric, so it gets its own table."""
    from benchmarks.tasks.registry import get_task

    if result.mode is None or result.mode == get_task(result.task).default_mode:
        return result.task
    return f"{result.task} ({result.mode})"


def collect(submissions_dir: str | Path, *, rescore: bool = True, **verify_kwargs: Any) -> Board:
    """Verify every `*.zip` under `submissions_dir` and group the accepted results by task."""
    from benchmarks.submission.verify import verify

    submissions_dir = Path(submissions_dir)
    if not submissions_dir.exists():
        raise DataError(f"{submissions_dir}: submissions folder not found")
    if not submissions_dir.is_dir():
        raise DataError(f"{submissions_dir}: not a folder (give the folder holding the submission zips)")
    board = Board()
    for path in sorted(submissions_dir.rglob("*.zip")):
        report = verify(path, rescore=rescore, **verify_kwargs)
        if not report.ok:
            board.rejected[path.name] = report.problems
            continue
        for acc in report.accepted:
            row = Row.from_result(acc.result, path.name, acc.entry["result"], path)
            board.rows.setdefault(_board_key(acc.result), []).append(row)
    for rows in board.rows.values():
        rows.sort(key=lambda r: (-r.main_value, r.model))
    return board
