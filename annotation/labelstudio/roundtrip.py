"""`export` (our records -> label config + tasks) and `import` (Label Studio JSON export -> our records).

Export folder: `label_config.xml`, `tasks.json` (Label Studio's import format, with predictions),
`export.json` (kind, source, counts, sha256 of both). Import folder: `records.jsonl` (one validated
record per submitted annotation), the kind's own files (`judgments.jsonl` for muser-pairs...),
`agreement.json`, `adjudication.jsonl` (every disagreement) and `import.json` (counts, warnings).
Both folders are built aside and swapped in (`atomic_folder`), so a failed import leaves no half output.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from core import atomic_folder, atomic_write_jsonl, read_json, sha256_text
from core.options import check_keys
from annotation.issues import Issue
from annotation.labelstudio.agree import Table, agreement_report, disagreements
from annotation.labelstudio.base import Context, LabelStudioError, Params, Record, annotator_name, int_param, results_by_name
from annotation.labelstudio.registry import get_kind


def where(issue: Issue) -> str:
    """`FILE task 12 field aqbq: message` (the one-line form every import problem is shown in)."""
    loc = issue.file + (f" {issue.record}" if issue.record else "") + (f" field {issue.field}" if issue.field else "")
    return f"{loc}: {issue.message}"


def raise_errors(issues: list[Issue], what: str) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        raise LabelStudioError(f"{what}: " + "; ".join(where(i) for i in errors[:3]) + more)


def export_kind(kind_name: str, src: str | Path, out: str | Path, params: Params | None = None) -> dict[str, Any]:
    """Write the label config and the tasks (with model pre-annotations) of `src` to folder `out`."""
    kind, params = get_kind(kind_name), dict(params or {})
    check_keys(params, ("limit", *kind.export_params), flag="--param", what=f"`bench annotate export {kind_name}`",
               error=LabelStudioError)
    src = Path(src)
    if not src.exists():
        raise LabelStudioError(f"{src}: source not found")
    config = kind.label_config(params)
    tasks = kind.make_tasks(src, params)
    limit = int_param(params, "limit", 0)
    tasks = tasks[:limit] if limit else tasks
    if not tasks:
        raise LabelStudioError(f"{src}: no tasks to export for {kind_name}")
    tasks_text = json.dumps(tasks, ensure_ascii=False, indent=1)
    manifest = {"kind": kind_name, "source": str(src), "params": params, "tasks": len(tasks),
                "predictions": sum(1 for t in tasks if t.get("predictions")),
                "label_config_sha256": sha256_text(config), "tasks_sha256": sha256_text(tasks_text)}
    with atomic_folder(Path(out)) as tmp:
        (tmp / "label_config.xml").write_text(config, encoding="utf-8")
        (tmp / "tasks.json").write_text(tasks_text, encoding="utf-8")
        (tmp / "export.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_export(path: str | Path) -> list[dict[str, Any]]:
    """A Label Studio JSON export: a list of tasks `{id, data, annotations: [...]}`."""
    data = read_json(path, what="Label Studio export", error=LabelStudioError)
    if not isinstance(data, list):
        raise LabelStudioError(f"{path}: expected a JSON list of tasks (Label Studio's JSON export), "
                               f"got {type(data).__name__}")
    for i, task in enumerate(data):
        if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
            raise LabelStudioError(f"{path} task #{i + 1} field data: expected an object with a 'data' object")
        if not isinstance(task.get("annotations", []), list):
            raise LabelStudioError(f"{path} task {task.get('id', f'#{i + 1}')} field annotations: expected a list")
    return [dict(t) for t in data]


def parse_export(kind_name: str, export: str | Path, params: Params | None = None,
                 users: Mapping[str, str] | None = None) -> tuple[list[Record], list[Issue], Table, dict]:
    """Every submitted annotation through the kind's parser: records, issues, agreement table, predictions."""
    kind, params = get_kind(kind_name), dict(params or {})
    check_keys(params, kind.import_params, flag="--param", what=f"`bench annotate import {kind_name}`",
               error=LabelStudioError)
    file = str(export)
    records: list[Record] = []
    issues: list[Issue] = []
    table: Table = {}
    predicted: dict[tuple[str, str], Any] = {}
    task_of: dict[str, str] = {}
    for n, task in enumerate(read_export(export)):
        tid = str(task.get("id", f"#{n + 1}"))
        latest: dict[str, dict[str, Any]] = {}
        for ann in task.get("annotations", []):
            if not isinstance(ann, Mapping) or ann.get("was_cancelled"):
                continue
            who = annotator_name(ann, users or {})
            if who in latest:
                issues.append(Issue(file, f"annotator {who!r} has several annotations; the latest is kept",
                                    f"task {tid}", "annotations", None, "warning"))
                if str(ann.get("updated_at", "")) < str(latest[who].get("updated_at", "")):
                    continue
            latest[who] = dict(ann)
        for who, ann in sorted(latest.items()):
            ctx = Context(file, tid, who)
            rec = kind.parse(task["data"], results_by_name(ann.get("result")), ctx, params)
            issues += ctx.issues
            if rec is not None and not any(i.severity == "error" for i in ctx.issues):
                records.append({"task_id": tid, "annotator": who, **rec})
        preds = [p for p in task.get("predictions", []) if isinstance(p, Mapping)]   # objects in files we wrote,
        preds += [a["prediction"] for a in task.get("annotations", [])                  # ids in server exports
                  if isinstance(a, Mapping) and isinstance(a.get("prediction"), Mapping) and a["prediction"].get("result")]
        for pred in preds[:1]:
            if isinstance(pred, Mapping):
                rec = kind.parse(task["data"], results_by_name(pred.get("result")), Context(file, tid, "model"), params)
                for item, fld, value in kind.units(rec) if rec else ():
                    predicted[(item, fld)] = value
    seen: dict[str, set[str]] = {}          # item -> annotators who judged it
    for rec in records:
        for item, fld, value in kind.units(rec):
            table.setdefault(fld, {}).setdefault(item, {})[rec["annotator"]] = value
            task_of[item] = rec["task_id"]
            seen.setdefault(item, set()).add(rec["annotator"])
    for fld, items in table.items():        # per-label presence fields: not chosen = 0 on every judged item
        if fld.startswith("label:"):
            for item, who in seen.items():
                for a in who:
                    items.setdefault(item, {}).setdefault(a, 0)
    return records, issues, table, {"predicted": predicted, "task_of": task_of}


def import_export(kind_name: str, export: str | Path, out: str | Path, params: Params | None = None,
                  users: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Validate a Label Studio export and write records, agreement and adjudication to folder `out`."""
    kind = get_kind(kind_name)
    records, issues, table, extra = parse_export(kind_name, export, params, users)
    raise_errors(issues, f"{export}: annotations do not fit the {kind_name} schema")
    if not records:
        raise LabelStudioError(f"{export}: no submitted annotations to import")
    agreement = agreement_report(table, kind.fields)
    adjudication = disagreements(table, extra["predicted"], extra["task_of"])
    summary = {"kind": kind_name, "export": str(export), "records": len(records),
               "tasks": len({r["task_id"] for r in records}),
               "annotators": sorted({r["annotator"] for r in records}), "disagreements": len(adjudication),
               "warnings": [where(i) for i in issues if i.severity == "warning"]}
    with atomic_folder(Path(out)) as tmp:
        atomic_write_jsonl(tmp / "records.jsonl", records)
        for name, rows in kind.extra_outputs(records, dict(params or {})).items():
            atomic_write_jsonl(tmp / name, rows)
        (tmp / "agreement.json").write_text(json.dumps(agreement, ensure_ascii=False, indent=2), encoding="utf-8")
        atomic_write_jsonl(tmp / "adjudication.jsonl", adjudication)
        (tmp / "import.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        raise_errors(kind.validate_outputs(tmp), f"{out}: written records fail the {kind_name} validator")
    return {**summary, "agreement": agreement}
