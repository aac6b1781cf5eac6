"""Check one result against its task: the task's metadata, the run file's hash, and a re-score.

The re-score calls the same `benchmarks.runner.run_task` that `bench run` uses, on the included
run (or predictions) file and in the result's declared mode (`Result.mode`, one of the task's
`modes`), so a submitted number is accepted only if our metric code reproduces it and its main
score is the one that mode declares. A result scored on a local data folder (`--data-dir`) is
re-scored only against a folder the checker names for its dataset (`data_dirs`), whose sha must match.
Each problem is one string naming the result file and the field (or run-file line).
"""
from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from benchmarks.results import Result
from core import sha256_file

TOLERANCE = 1e-9          # re-scoring is deterministic; this only absorbs float printing
MAX_LISTED = 5            # ids listed in a message before "... (N in all)"
MAX_PROBLEMS = 25         # stop listing per-query mismatches after this many

Rescorer = Callable[[Result, Path], Result]


def _listed(ids: Any) -> str:
    ids = sorted(ids, key=lambda s: (len(s), s))
    head = ", ".join(ids[:MAX_LISTED])
    return head + (f", ... ({len(ids)} in all)" if len(ids) > MAX_LISTED else "")


def run_queries(path: Path) -> tuple[set[str], int] | None:
    """(query ids, depth) of a TREC or JSON run, or None when the file is in a task-specific format
    or malformed (the task's own reader then judges it, with file and line, during the re-score)."""
    from core import DataError
    from benchmarks.io.trec import read_run_any

    try:
        run = read_run_any(path)
    except (DataError, UnicodeDecodeError):
        return None
    return set(run), max((len(docs) for docs in run.values()), default=0)


def is_predictions(result: Result) -> bool:
    """Re-score with --predictions (QA, actions) or --run (retrieval)?"""
    from benchmarks.tasks.registry import get_task

    if result.run_format is not None:
        return result.run_format == "predictions"
    return get_task(result.task).kind != "retrieval"


def declared_mode(result: Result, task: Any) -> tuple[Any, str | None]:
    """(the task's Mode this result claims, or None; why not). A pre-v3 result (mode null) claims the
    declared mode whose metric set and main metric its main score names."""
    if result.mode is None:
        found = [m for m in task.modes.values()
                 if (m.metric_set, m.main_score) == (result.main_score.get("set"), result.main_metric)]
        if found:
            return found[0], None
        return None, (f"field main_score.metric: {result.main_metric!r} (set {result.main_score.get('set')!r}) but "
                      f"task {task.name}'s declared modes rank by "
                      + ", ".join(f"{m.name}: {m.metric_set}/{m.main_score}" for m in task.modes.values()))
    if result.mode not in task.modes:
        return None, f"field mode: {result.mode!r} is not a mode of task {task.name} (valid: {', '.join(task.modes)})"
    return task.modes[result.mode], None


def _allowed_partial(result: Result) -> bool:
    """Was the result scored with `bench run --allow-partial`? Then its re-score is too (benchmarks.coverage)."""
    coverage = result.extra.get("coverage") if isinstance(result.extra, dict) else None
    return bool(isinstance(coverage, dict) and coverage.get("allow_partial"))


def runner_rescorer(result: Result, run_path: Path, *, k: int | None = None, mode: str | None = None,
                    data_dir: Path | None = None, task: Any = None) -> Result:
    """Re-score `run_path` as `bench run TASK --run/--predictions FILE --mode M -p K=V` (the result's
    scoring params) would, in a throw-away folder."""
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions

    predictions = is_predictions(result)
    with tempfile.TemporaryDirectory(prefix="bench-rescore-") as tmp:
        options = RunOptions(run_file=None if predictions else run_path,
                             predictions=run_path if predictions else None, data_dir=data_dir,
                             output=Path(tmp), split=result.split, mode=mode or result.mode,
                             params=dict(result.scoring_params), show_progress=False,
                             allow_partial=_allowed_partial(result))
        if k:
            options.k = max(k, options.k)
        fresh, _ = run_task(task if task is not None else result.task, options)
    return fresh


def _compare_scores(problems: list[str], label: str, where: str, reported: dict[str, float],
                    fresh: dict[str, float]) -> None:
    for metric, value in reported.items():
        if metric not in fresh:
            problems.append(f"{label}: field {where}.{metric}: the task does not compute this metric")
        elif not math.isclose(float(value), float(fresh[metric]), rel_tol=0, abs_tol=TOLERANCE):
            problems.append(f"{label}: field {where}.{metric}: reported {value!r} but the run file "
                            f"gives {fresh[metric]!r}")


def _registry_sha(dataset: str) -> str | None:
    """The registry's sha of `dataset`, or None when it cannot be computed (reported by the metadata check)."""
    try:
        from benchmarks.data.registry import dataset_sha
        return dataset_sha(dataset)
    except Exception:  # noqa: BLE001 - _check_task_metadata names the reason
        return None


def _check_task_metadata(result: Result, task: Any, label: str, check_dataset_sha: bool) -> list[str]:
    """Version, dataset, dataset sha (registry data only), and the main score against the declared mode."""
    problems: list[str] = []
    if result.task_version != task.version:
        problems.append(f"{label}: field task_version: {result.task_version!r} but task {task.name} is "
                        f"version {task.version!r} (re-run with this databench)")
    if result.dataset != task.dataset:
        problems.append(f"{label}: field dataset: {result.dataset!r} but task {task.name} uses {task.dataset!r}")
    if check_dataset_sha:
        try:
            from benchmarks.data.registry import dataset_sha
            expected_sha = dataset_sha(task.dataset)
        except Exception as exc:  # noqa: BLE001 - registry unavailable: say so rather than pass silently
            problems.append(f"{label}: field dataset_sha: cannot compute the dataset's sha ({exc})")
        else:
            if result.dataset_sha != expected_sha:
                problems.append(f"{label}: field dataset_sha: {result.dataset_sha[:12]}... does not match "
                                f"dataset {task.dataset} ({expected_sha[:12]}...)")
    for key in sorted(set(result.scoring_params) - set(task.scoring_params)):
        problems.append(f"{label}: field scoring_params.{key}: not a scoring param of task {task.name} "
                        f"(declared: {', '.join(task.scoring_params) or 'none'})")
    mode, why = declared_mode(result, task)
    if mode is None:
        problems.append(f"{label}: {why}")
        return problems
    if (result.main_score.get("set"), result.main_metric) != (mode.metric_set, mode.main_score):
        problems.append(f"{label}: field main_score.metric: {result.main_metric!r} (set "
                        f"{result.main_score.get('set')!r}) but task {task.name}'s mode {mode.name!r} declares "
                        f"{mode.main_score!r} (set {mode.metric_set!r})")
    missing = [m for m in mode.metrics if m not in result.metrics.get(mode.metric_set, {})]
    if missing:
        problems.append(f"{label}: field metrics.{mode.metric_set}: missing metric(s) {', '.join(missing)} "
                        f"that mode {mode.name!r} of task {task.name} requires")
    return problems


def _compare_with_fresh(result: Result, fresh: Result, label: str) -> list[str]:
    problems: list[str] = []
    for set_name, scores in result.metrics.items():
        if set_name not in fresh.metrics:
            problems.append(f"{label}: field metrics.{set_name}: the task does not compute this metric set")
            continue
        _compare_scores(problems, label, f"metrics.{set_name}", scores, fresh.metrics[set_name])
    if (fresh.main_score.get("set"), fresh.main_metric) != (result.main_score.get("set"), result.main_metric):
        problems.append(f"{label}: field main_score: {result.main_score.get('set')}/{result.main_metric} but "
                        f"re-scoring in mode {fresh.mode!r} ranks by {fresh.main_score.get('set')}/{fresh.main_metric}")
    main_fresh = fresh.metrics.get(str(result.main_score.get("set")), {}).get(result.main_metric)
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
            _compare_scores(problems, label, f"per_query.{set_name}.{qid}", reported_queries[qid],
                            fresh_queries[qid])
            if len(problems) > MAX_PROBLEMS:
                return problems
    return problems


def check_data_dirs(data_dirs: Mapping[str, Path] | None, datasets: Any) -> None:
    """A `--data-dir NAME=FOLDER` whose NAME no result uses would be ignored without a word (a typo, and the
    results are re-scored on the registry's data instead): refuse it, naming the datasets the results use."""
    from benchmarks.submission import SubmissionError
    from core.options import check_keys

    check_keys(data_dirs or {}, {d for d in datasets if isinstance(d, str)}, flag="--data-dir",
               what="the datasets these results were scored on", error=SubmissionError)


def _task_of(result: Result, data_dirs: Mapping[str, Path] | None) -> tuple[Any, Path | None, str]:
    """(the task a result is checked against, the data folder to re-score on or None, why no task)."""
    from benchmarks.tasks.base import TaskError
    from benchmarks.tasks.registry import get_task

    if result.task.startswith("local:"):   # a user's own folder (`bench run --dataset`): benchmarks.datasets_local
        from benchmarks.datasets_local import task_for_result

        task, why = task_for_result(result, data_dirs)
        if task is None:
            return None, None, str(why)
        return task, Path(task.desc.path), ""
    try:
        task = get_task(result.task)
    except TaskError as exc:
        return None, None, f"field task: {exc}"
    data_dir = (data_dirs or {}).get(result.dataset)
    if data_dir is not None and result.dataset_sha == _registry_sha(task.dataset):
        data_dir = None                 # scored on the registry's data: re-score there, not on the folder
    return task, data_dir, ""


def mode_used(result: Result, data_dirs: Mapping[str, Path] | None = None) -> str | None:
    """The mode a result is checked and re-scored in: its own, or for a pre-v3 result (mode null) the
    declared mode its main score names (None when there is none; check_result says why)."""
    if result.mode is not None:
        return result.mode
    task, _, _ = _task_of(result, data_dirs)
    mode = declared_mode(result, task)[0] if task is not None else None
    return mode.name if mode is not None else None


def check_result(result: Result, run_path: Path | None, *, label: str,
                 rescorer: Rescorer | None = None, check_dataset_sha: bool = True,
                 data_dirs: Mapping[str, Path] | None = None) -> list[str]:
    """Every reason `result` cannot be accepted (empty list = accepted).

    `data_dirs` ({dataset: folder}) re-scores results of that dataset on the given folder instead of
    the registry's; the result's dataset_sha must then equal the sha the task computes of the folder."""
    task, data_dir, why = _task_of(result, data_dirs)
    if task is None:
        return [f"{label}: {why}"]
    problems = _check_task_metadata(result, task, label, check_dataset_sha and data_dir is None)

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
    if problems:
        return problems                 # do not re-score a run we already know is wrong

    summary = run_queries(run_path) if not is_predictions(result) else None
    try:
        fresh = (rescorer(result, run_path) if rescorer is not None
                 else runner_rescorer(result, run_path, k=summary[1] if summary else None,
                                      mode=declared_mode(result, task)[0].name, data_dir=data_dir, task=task))
    except Exception as exc:  # noqa: BLE001 - a run the task cannot score is a refusal, with the task's reason
        reason = str(exc).replace(str(run_path), str(result.run_file))
        return [f"{label}: re-scoring {result.run_file} failed: {reason}"]

    problems = _compare_with_fresh(result, fresh, label)
    if data_dir is not None and check_dataset_sha and fresh.dataset_sha != result.dataset_sha:
        problems.append(f"{label}: field dataset_sha: {result.dataset_sha[:12]}... but the data given for "
                        f"{result.dataset} ({data_dir}) hashes to {fresh.dataset_sha[:12]}...")
    if summary is not None and fresh.per_query:
        task_queries = set(next(iter(fresh.per_query.values())))
        absent = task_queries - summary[0]
        if absent:
            problems.append(f"{label}: run {result.run_file}: no line for queries {_listed(absent)} "
                            f"(every query of the task must be answered)")
    return problems
