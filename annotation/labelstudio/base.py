"""What every Label Studio KIND provides, and the pieces of a Label Studio export they all read.

A KIND (one module each, listed in `registry.py`) turns our records into a labeling config (XML) and
tasks (`{"data": {...}, "predictions": [{"model_version", "result": [...]}]}`: the model's guess
shown to annotators as a pre-annotation), and turns each submitted annotation of an export back into
one record of ours (`task_id`, `annotator`, kind fields), checked against our schema. Problems are
collected as `Issue`s naming the export file, the task id and the field, so one import lists them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping
from xml.sax.saxutils import quoteattr

from core import UserError, iter_jsonl, read_json
from annotation.issues import Issue


class LabelStudioError(UserError, ValueError):
    """Bad input to an export/import or a refused server request; one line naming file, task and field."""


Params = Mapping[str, Any]
Record = dict[str, Any]


def read_source(src: Path, what: str) -> list[tuple[int | None, Any]]:
    """(line, record) of a JSONL file, or (None, record) of a JSON file (a list, or one object)."""
    if Path(src).suffix == ".jsonl":
        return list(iter_jsonl(src, error=LabelStudioError))
    data = read_json(src, what=what, error=LabelStudioError)
    return [(None, r) for r in (data if isinstance(data, list) else [data])]


def attr(value: object) -> str:
    """An XML attribute value, quoted and escaped (label names hold quotes, <, & in real schemas)."""
    return quoteattr(str(value))


def choice_result(from_name: str, to_name: str, values: Iterable[object]) -> dict[str, Any]:
    return {"from_name": from_name, "to_name": to_name, "type": "choices",
            "value": {"choices": [str(v) for v in values]}}


def rating_result(from_name: str, to_name: str, rating: int) -> dict[str, Any]:
    return {"from_name": from_name, "to_name": to_name, "type": "rating", "value": {"rating": int(rating)}}


def span_result(from_name: str, to_name: str, start: int, end: int, text: str, label: str) -> dict[str, Any]:
    return {"from_name": from_name, "to_name": to_name, "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": [label]}}


def prediction(model_version: str, result: list[dict[str, Any]], score: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"model_version": model_version, "result": result}
    if score is not None:
        out["score"] = score
    return out


@dataclass
class Context:
    """Where a parsed annotation came from; kinds report problems through it."""

    file: str
    task_id: str
    annotator: str
    issues: list[Issue] = field(default_factory=list)

    def error(self, fld: str, message: str, severity: str = "error") -> None:
        self.issues.append(Issue(self.file, message, f"task {self.task_id}", fld, None, severity))

    def warn(self, fld: str, message: str) -> None:
        self.error(fld, message, "warning")


def results_by_name(result: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in result if isinstance(result, list) else []:
        if isinstance(r, Mapping) and isinstance(r.get("from_name"), str):
            out.setdefault(r["from_name"], []).append(dict(r))
    return out


def choices(results: dict[str, list[dict[str, Any]]], name: str) -> list[str] | None:
    """The chosen values of control `name` (None when the annotator left it empty)."""
    got = results.get(name)
    if not got:
        return None
    vals: list[str] = []
    for r in got:
        v = (r.get("value") or {})
        if "choices" in v:
            vals += [str(x) for x in v["choices"]]
        elif "taxonomy" in v:   # a flat taxonomy: each path is [label]; we keep the leaf
            vals += [str(p[-1]) for p in v["taxonomy"] if p]
        elif "rating" in v:
            vals.append(str(v["rating"]))
        elif "number" in v:
            vals.append(str(v["number"]))
    return vals


def one_int(ctx: Context, results: dict[str, list[dict[str, Any]]], name: str, allowed: Iterable[int],
            required: bool = True) -> int | None:
    """A single integer answer of control `name`, checked against `allowed` (error otherwise)."""
    allowed = list(allowed)
    vals = choices(results, name)
    if not vals:
        if required:
            ctx.error(name, "no answer")
        return None
    if len(vals) > 1:
        ctx.error(name, f"{len(vals)} answers {vals}, expected one")
        return None
    raw = vals[0].strip().split()[0] if vals[0].strip() else vals[0]
    try:
        value = int(raw)
    except ValueError:
        ctx.error(name, f"answer {vals[0]!r} is not a number")
        return None
    if value not in allowed:
        ctx.error(name, f"answer {value} not in {allowed}")
        return None
    return value


def annotator_name(annotation: Mapping[str, Any], users: Mapping[str, str]) -> str:
    """`completed_by` as an email: exports carry a user id (int) or a user object."""
    who = annotation.get("completed_by")
    if isinstance(who, Mapping):
        return str(who.get("email") or who.get("username") or who.get("id"))
    if who is None:
        return "unknown"
    return users.get(str(who), f"user-{who}")


def int_param(params: Params, key: str, default: int) -> int:
    """`-p KEY=N` as an integer >= 0 (`default` when absent or empty); anything else is a one-line error."""
    raw = params.get(key)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = -1
    if value < 0:
        raise LabelStudioError(f"--param {key}={raw}: expected an integer >= 0")
    return value


class Kind:
    """One annotation job type. Subclasses set the class attributes and implement the four methods."""

    name: str = ""
    description: str = ""
    fields: dict[str, str] = {}          # agreement field -> level of measurement (nominal / ordinal / interval)
    outputs: tuple[str, ...] = ("records.jsonl",)
    export_params: tuple[str, ...] = ()  # `-p` keys `bench annotate export` reads (besides `limit`)
    import_params: tuple[str, ...] = ()  # `-p` keys `bench annotate import` reads

    def label_config(self, params: Params) -> str:
        raise NotImplementedError

    def make_tasks(self, src: Path, params: Params) -> list[dict[str, Any]]:
        raise NotImplementedError

    def parse(self, data: Mapping[str, Any], results: dict[str, list[dict[str, Any]]], ctx: Context,
              params: Params) -> Record | None:
        """One annotation -> one record (None when it is unusable; the reason is in ctx.issues)."""
        raise NotImplementedError

    def units(self, rec: Record) -> Iterable[tuple[str, str, Any]]:
        """(item key, field, value) triples that agreement is computed over."""
        raise NotImplementedError

    def extra_outputs(self, records: list[Record], params: Params) -> dict[str, list[dict[str, Any]]]:
        """More JSONL files to write next to records.jsonl ({file name: rows}), e.g. judgments.jsonl."""
        return {}

    def validate_outputs(self, folder: Path) -> list[Issue]:
        """Run the room's own validator on what was written (a second, independent check)."""
        return []
