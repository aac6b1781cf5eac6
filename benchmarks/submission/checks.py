"""Check one result against its task: the task's metadata, the run file's hash, and a re-score.

The re-score calls the same `benchmarks.runner.run_task` that `bench run` uses, on the included
run (or predictions) file, so a submitted number is accepted only if our metric code reproduces it.
Each problem is one string naming the result file and the field (or run-file line).
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchmarks.results import Result, sha256_file

TOLERANCE = 1e-9          # re-scoring is deterministic; this only absorbs float printing
MAX_LISTED = 5            # ids listed in a message before "... (N in all)"

Rescorer = Callable[[Result, Path], Result]


@dataclass
class RunSummary:
    queries: set[str]
    depth: int                       # most documents returned for one query


def _listed(ids: Any) -> str:
    ids = sorted(ids, key=lambda s: (len(s), s))
    head = ", ".join(ids[:MAX_LISTED])
    return head + (f", ... ({len(ids)} in all)" if len(ids) > MAX_LISTED else "")


def read_trec_run_summary(path: Path, problems: list[str], label: str) -> RunSummary:
    """Query ids and depth of a TREC run (`qid Q0 docid rank score tag`); bad lines become problems."""
    counts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 6:
                problems.append(f"{label}: line {lineno}: expected 6 columns (qid Q0 docid rank score tag), "
                                f"got {len(parts)}")
                continue
            qid, _, docid, rank, score, _ = parts
            try:
                float(score)
                int(rank)
            except ValueError:
                problems.append(f"{label}: line {lineno}: rank/score not numeric ({rank!r}, {score!r})")
                continue
            if (qid, docid) in seen:
                problems.append(f"{label}: line {lineno}: document {docid} appears twice for query {qid}")
            seen.add((qid, docid))
            counts[qid] = counts.get(qid, 0) + 1
            if len(problems) > 20:
                break
    return RunSummary(queries=set(counts), depth=max(counts.values(), default=0))


def runner_rescorer(result: Result, run_path: Path, *, k: int | None = None) -> Result:
    """Re-score `run_path` with `bench run TASK --run/--predictions FILE` in a throw-away folder."""
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions

    mode = result.extra.get("mode") if isinstance(result.extra, dict) else None
    with tempfile.TemporaryDirectory(prefix="bench-rescore-") as tmp:
        options = RunOptions(
            run_file=run_path if result.run_format != "predictions" else None,
            predictions=run_path if result.run_format == "predictions" else None,
            output=Path(tmp), split=result.split, mode=mode, show_progress=False,
            **({"k": k} if k else {}))
        fresh, _ = run_task(result.task, options)
    return fresh


def _compare_scores(problems: list[str], label: str, where: str, reported: dict[str, float],
                    fresh: dict[str, float]) -> None:
    for metric, value in reported.items():
        if metric not in fresh:
            problems.append(f"{label}: field {where}.{metric}: the task does not compute this metric")
        elif not math.isclose(float(value), float(fresh[metric]), rel_tol=0, abs_tol=TOLERANCE):
            problems.append(f"{label}: field {where}.{metric}: reported {value!r} but the run file "
                            f"gives {fresh[metric]!r}")


def check_result(result: Result, run_path: Path | None, *, label: str,
                 rescorer: Rescorer | None = None, check_dataset_sha: bool = True) -> list[str]:
    """Every reason `result` cannot be accepted (empty list = accepted)."""
    from benchmarks.tasks.base import TaskError
    from benchmarks.tasks.registry import get_task

    problems: list[str] = []
    try:
        task = get_task(result.task)
    except TaskError as exc:
        return [f"{label}: field task: {exc}"]

    if result.task_version != task.version:
        problems.append(f"{label}: field task_version: {result.task_version!r} but task {task.name} is "
                        f"version {task.version!r} (re-run with this databench)")
    if result.dataset != task.dataset:
        problems.append(f"{label}: field dataset: {result.dataset!r} but task {task.name} uses {task.dataset!r}")
    if check_dataset_sha:
        try:
            from benchmarks.data.registry import dataset_sha
            expected_sha = dataset_sha(task.dataset)
        except Exception as exc:  # registry unavailable: say so rather than pass silently
            problems.append(f"{label}: field dataset_sha: cannot compute the dataset's sha ({exc})")
        else:
            if result.dataset_sha != expected_sha:
                problems.append(f"{label}: field dataset_sha: {result.dataset_sha[:12]}... does not match "
                                f"dataset {task.dataset} ({expected_sha[:12]}...)")
    if result.main_metric != task.main_score:
        problems.append(f"{label}: field main_score.metric: {result.main_metric!r} but task {task.name}'s "
                        f"main score is {task.main_score!r}")
    reported_metrics = {m for scores in result.metrics.values() for m in scores}
    missing = [m for m in task.metrics if m not in reported_metrics]
    if missing:
        problems.append(f"{label}: field metrics: missing required metric(s) {', '.join(missing)}")

    if run_path is None or not result.run_file:
        problems.append(f"{label}: field run_file: no run file given (a result must ship its run)")
        return problems
    if not run_path.is_file():
        problems.append(f"{label}: field run_file: {result.run_file} not found")
        return problems
    actual_sha = sha256_file(run_path)
    if result.run_sha256 != actual_sha:
        problems.append(f"{label}: field run_sha256: {str(result.run_sha256)[:12]}... but {result.run_file} "
                        f"hashes to {actual_sha[:12]}... (run file changed after scoring)")

    run_summary: RunSummary | None = None
    if result.run_format != "predictions":
        run_summary = read_trec_run_summary(run_path, problems, f"{label}: run {result.run_file}")
    if problems:
        return problems                 # do not re-score a run we already know is wrong

    try:
        if rescorer is None:
            depth = run_summary.depth if run_summary else None
            fresh = runner_rescorer(result, run_path, k=depth or None)
        else:
            fresh = rescorer(result, run_path)
    except Exception as exc:  # a run the task cannot score is a refusal, with the task's reason
        return [f"{label}: re-scoring {result.run_file} failed: {exc}"]

    for set_name, scores in result.metrics.items():
        if set_name not in fresh.metrics:
            problems.append(f"{label}: field metrics.{set_name}: the task does not compute this metric set")
            continue
        _compare_scores(problems, label, f"metrics.{set_name}", scores, fresh.metrics[set_name])
    main_fresh = fresh.metrics.get(result.main_score.get("set"), {}).get(result.main_metric)
    if main_fresh is not None and not math.isclose(result.main_value, main_fresh, rel_tol=0, abs_tol=TOLERANCE):
        problems.append(f"{label}: field main_score.value: reported {result.main_value!r} but the run file "
                        f"gives {main_fresh!r}")

    for set_name, fresh_queries in fresh.per_query.items():
        reported_queries = result.per_query.get(set_name)
        if reported_queries is None:
            problems.append(f"{label}: field per_query.{set_name}: missing (scores for all "
                            f"{len(fresh_queries)} queries are required)")
            continue
        absent = set(fresh_queries) - set(reported_queries)
        if absent:
            problems.append(f"{label}: field per_query.{set_name}: missing queries {_listed(absent)}")
        unknown = set(reported_queries) - set(fresh_queries)
        if unknown:
            problems.append(f"{label}: field per_query.{set_name}: queries not in the task: {_listed(unknown)}")
        for qid in sorted(set(fresh_queries) & set(reported_queries)):
            before = len(problems)
            _compare_scores(problems, label, f"per_query.{set_name}.{qid}", reported_queries[qid],
                            fresh_queries[qid])
            if len(problems) - before and len(problems) > 20:
                break

    if run_summary is not None and fresh.per_query:
        task_queries = set(next(iter(fresh.per_query.values())))
        absent = task_queries - run_summary.queries
        if absent:
            problems.append(f"{label}: run {result.run_file}: no line for queries {_listed(absent)} "
                            f"(every query of the task must be answered)")
    return problems
