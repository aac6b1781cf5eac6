"""The typed, versioned result of one (task, model) evaluation.

One JSON file per result. `schema_version` is bumped on any breaking change and
`load_result` keeps reading every older version through a chain of migrations (v1 -> v2 -> ...),
so results written by an old databench stay comparable (MTEB's results churn is the warning).
Validation collects every problem of a file at once, each naming the field, because a
submitter should fix a result in one pass (see benchmarks.submission for the task-level checks).

Schema history:
- v1: first release (task, dataset sha, model, metric sets, main score, per-query scores, run sha,
  package version, machine info with the device, date).
- v2: adds top-level `device` (was only inside `machine`) and `run_format` ("trec" for a run file,
  "predictions" for QA/action prediction files; null = the task's kind decides), which tells the
  submission checker whether to re-score with `--run` or `--predictions`.
- v3: adds `mode` (the task's declared mode the main score follows, see benchmarks.tasks.base.Mode;
  older files read as null, and the checker infers the mode from their main score) and `scoring_params`
  (the `--param`s that change how a given run is scored, e.g. muser's rel_threshold; re-scoring reuses them).
"""
from __future__ import annotations

import math
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable
from core import UserError, read_json

SCHEMA_VERSION = 3
RUN_FORMATS = ("trec", "predictions")


class ResultError(UserError):
    """A result file that does not follow the schema; the message names the file and field."""


def package_version() -> str:
    try:
        return metadata.version("databench")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def machine_info(device: str = "cpu") -> dict[str, Any]:
    return {
        "device": device,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }


@dataclass
class ModelInfo:
    name: str                       # retriever registry name, HF model id or "external-run"
    revision: str | None = None     # model hash / git revision when known
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    task: str
    task_version: str
    dataset: str
    dataset_sha: str                    # sha256 over the dataset's files (registry order)
    split: str
    model: ModelInfo
    metrics: dict[str, dict[str, float]]           # metric set name -> {metric: value}
    main_score: dict[str, Any]                     # {"metric": "nDCG@10", "set": "standard", "value": 0.4}
    per_query: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # set -> qid -> metric
    conventions: dict[str, str] = field(default_factory=dict)  # missing queries, ties, gain, cut-offs
    run_file: str | None = None
    run_sha256: str | None = None
    wall_time_s: float | None = None
    package_version: str = field(default_factory=package_version)
    machine: dict[str, Any] = field(default_factory=machine_info)
    date: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    device: str | None = None          # v2; filled from machine["device"] when not given
    run_format: str | None = None      # v2; "trec" | "predictions"; None = decided by the task's kind
    mode: str | None = None            # v3; the declared task mode (None = not recorded, pre-v3)
    scoring_params: dict[str, Any] = field(default_factory=dict)   # v3; Task.scoring_params given to the run

    def __post_init__(self) -> None:
        if self.device is None:
            self.device = str((self.machine or {}).get("device") or "cpu")

    @property
    def main_value(self) -> float:
        return float(self.main_score["value"])

    @property
    def main_metric(self) -> str:
        return str(self.main_score["metric"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: str | Path) -> Path:
        """Atomic write: a crashed run never leaves a half-written result."""
        from core import atomic_write_json

        return atomic_write_json(path, self.to_dict())


# --------------------------------------------------------------------------- migrations

def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    machine = data.get("machine") or {}
    data["device"] = str(machine.get("device") or "cpu") if isinstance(machine, dict) else "cpu"
    data["run_format"] = None           # v1 did not say; the task's kind decides (retrieval = run file)
    data["schema_version"] = 2
    return data


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["mode"] = None                 # v2 did not record it; the checker infers it from main_score
    data["scoring_params"] = {}
    data["schema_version"] = 3
    return data


# version N -> function turning a version-N dict into a version-(N+1) dict
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
}


def upgrade(data: dict[str, Any], *, source: str = "<result>") -> dict[str, Any]:
    """Bring a result dict of any released schema version up to SCHEMA_VERSION."""
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ResultError(f"{source}: field schema_version: expected an integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise ResultError(f"{source}: field schema_version: {version} was written by a newer databench "
                          f"(this one reads 1..{SCHEMA_VERSION}); upgrade the package")
    if version < 1:
        raise ResultError(f"{source}: field schema_version: {version} is not a released version (1..{SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


# --------------------------------------------------------------------------- validation

_STR, _OPT_STR = (str,), (str, type(None))
_REQUIRED: dict[str, tuple[type, ...]] = {
    "task": _STR, "task_version": _STR, "dataset": _STR, "dataset_sha": _STR, "split": _STR,
    "model": (dict,), "metrics": (dict,), "main_score": (dict,),
}
_OPTIONAL: dict[str, tuple[type, ...]] = {
    "per_query": (dict,), "conventions": (dict,), "run_file": _OPT_STR, "run_sha256": _OPT_STR,
    "wall_time_s": (int, float, type(None)), "package_version": _STR, "machine": (dict,), "date": _STR,
    "extra": (dict,), "schema_version": (int,), "device": _OPT_STR, "run_format": _OPT_STR,
    "mode": _OPT_STR, "scoring_params": (dict,),
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_scores(problems: list[str], where: str, scores: Any) -> None:
    if not isinstance(scores, dict):
        problems.append(f"field {where}: expected an object of metric -> number")
        return
    for metric, value in scores.items():
        if not _is_number(value):
            problems.append(f"field {where}.{metric}: expected a finite number, got {value!r}")


def validate_dict(data: Any) -> list[str]:
    """Every schema problem of a (current-version) result dict, as 'field X: what is wrong'."""
    if not isinstance(data, dict):
        return [f"expected a JSON object, got {type(data).__name__}"]
    problems: list[str] = []
    for key, types in _REQUIRED.items():
        if key not in data:
            problems.append(f"field {key}: missing")
        elif not isinstance(data[key], types):
            problems.append(f"field {key}: expected {'/'.join(t.__name__ for t in types)}, "
                            f"got {type(data[key]).__name__}")
    for key, types in _OPTIONAL.items():
        if key in data and not isinstance(data[key], types):
            problems.append(f"field {key}: expected {'/'.join(t.__name__ for t in types)}, "
                            f"got {type(data[key]).__name__}")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        problems.append(f"field {unknown[0]}: unknown field (schema v{SCHEMA_VERSION}; put extras under 'extra')")
    if problems:
        return problems

    model = data["model"]
    if not isinstance(model.get("name"), str) or not model.get("name"):
        problems.append("field model.name: expected a non-empty string")
    if not isinstance(model.get("revision"), _OPT_STR):
        problems.append("field model.revision: expected a string or null")
    if not isinstance(model.get("params", {}), dict):
        problems.append("field model.params: expected an object")
    extra_model = sorted(set(model) - {"name", "revision", "params"})
    if extra_model:
        problems.append(f"field model.{extra_model[0]}: unknown field")

    if not data["metrics"]:
        problems.append("field metrics: no metric set")
    for set_name, scores in data["metrics"].items():
        _check_scores(problems, f"metrics.{set_name}", scores)

    main = data["main_score"]
    for key in ("metric", "set", "value"):
        if key not in main:
            problems.append(f"field main_score.{key}: missing")
    if not problems:
        if not _is_number(main["value"]):
            problems.append(f"field main_score.value: expected a finite number, got {main['value']!r}")
        reported = data["metrics"].get(main["set"], {}).get(main["metric"])
        if reported is None:
            problems.append(f"field main_score: {main['set']}/{main['metric']} is not in metrics")
        elif _is_number(main["value"]) and _is_number(reported) and not math.isclose(
                reported, main["value"], rel_tol=0, abs_tol=1e-12):
            problems.append(f"field main_score.value: {main['value']} differs from "
                            f"metrics.{main['set']}.{main['metric']} = {reported}")

    for set_name, queries in data.get("per_query", {}).items():
        if set_name not in data["metrics"]:
            problems.append(f"field per_query.{set_name}: no such metric set in metrics")
        if not isinstance(queries, dict):
            problems.append(f"field per_query.{set_name}: expected an object of query id -> scores")
            continue
        for qid, scores in queries.items():
            _check_scores(problems, f"per_query.{set_name}.{qid}", scores)
            if len(problems) > 20:
                return problems

    sha = data.get("run_sha256")
    if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
        problems.append(f"field run_sha256: expected 64 lowercase hex digits, got {sha!r}")
    if data.get("run_format") not in (None, *RUN_FORMATS):
        problems.append(f"field run_format: expected one of {', '.join(RUN_FORMATS)}, got {data['run_format']!r}")
    try:
        datetime.fromisoformat(data.get("date", "1970-01-01"))
    except ValueError:
        problems.append(f"field date: not an ISO 8601 date: {data['date']!r}")
    return problems


def result_from_dict(data: dict[str, Any], *, source: str = "<result>") -> Result:
    """Upgrade, validate and type a result dict; raises ResultError naming the source and field."""
    if not isinstance(data, dict):
        raise ResultError(f"{source}: expected a JSON object, got {type(data).__name__}")
    data = upgrade(data, source=source)
    problems = validate_dict(data)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ResultError(f"{source}: {problems[0]}{more}")
    data = dict(data)
    data["model"] = ModelInfo(**data["model"])
    return Result(**data)


def load_result(path: str | Path) -> Result:
    """Read any released schema version of a result file."""
    data = read_json(path, what="result file", error=ResultError)
    return result_from_dict(data, source=str(path))
