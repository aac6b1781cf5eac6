"""KIND `muser-elements`: legal-element labels of single sentences, on MUSER's three-level schema.

One task per sentence. The view is a parameter (`view=zyjd`, the default, for dispute focus on 本院认为
sentences; `view=aqbq` for legal facts on 本院查明 sentences). Each level of the view is one flat
Taxonomy (searchable; the schema stores no parent links for aqbq/zyjd, so no tree can be shown), level
3 also offers `other` (MUSER's sentence data uses it for "no schema label"). Sources:
- a `cases_pool.json` (dict or list of case records): every sentence of the view's section, with the
  case's existing labels for that sentence as the pre-annotation;
- a sentence list `[{"sentence": str, "labels": [level-3 names]}]` like `label_pred/all_test_sent_data_zy.json`,
  its labels as the pre-annotation (`limit=N` keeps the first N).
Import checks every label against the schema per (view, level) - a name alone does not give its level -
accepting the whitespace alias (`以股抵债 `) with a warning, as the MUSER validator does.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from core import read_json
from annotation.labelstudio.base import Context, Kind, LabelStudioError, Params, Record, attr, prediction
from annotation.muser.files import LAYOUT
from annotation.muser.schema import LABEL_KEY_TO_VIEW, VIEWS, LabelSchema, SchemaError

OTHER = "other"
BINARY_PREFIX = "label:"


def schema_dir(params: Params, src: Path | None = None) -> Path:
    """`schema=DIR`, else the source folder's own legal_items/, else the mirror's MUSER schema."""
    if params.get("schema"):
        return Path(str(params["schema"]))
    if src is not None:
        for cand in (src / LAYOUT["schema"], src.parent.parent / LAYOUT["schema"]):
            if cand.is_dir():
                return cand
    mirror = os.environ.get("BENCH_DATA_MIRROR")
    if mirror and (Path(mirror) / "muser" / LAYOUT["schema"]).is_dir():
        return Path(mirror) / "muser" / LAYOUT["schema"]
    raise LabelStudioError("muser-elements needs the label schema: pass -p schema=DIR (a legal_items/ folder) "
                           "or set BENCH_DATA_MIRROR")


def _view(params: Params) -> str:
    view = str(params.get("view", "zyjd"))
    if view not in LABEL_KEY_TO_VIEW.values():
        raise LabelStudioError(f"muser-elements: view {view!r} has no sentence labels; use aqbq or zyjd")
    return view


def _load_schema(params: Params, src: Path | None = None) -> LabelSchema:
    try:
        return LabelSchema.load(schema_dir(params, src))
    except SchemaError as exc:
        raise LabelStudioError(str(exc)) from None


def _taxonomy(labels: dict[str, list[str]], view: str, level: str, schema: LabelSchema) -> list[dict[str, Any]]:
    paths = [[x] for x in labels.get(level, []) if schema.canonical(view, level, x) is not None or x == OTHER]
    return [{"from_name": level, "to_name": "text", "type": "taxonomy", "value": {"taxonomy": paths}}] if paths else []


class MuserElements(Kind):
    name = "muser-elements"
    description = "MUSER sentence legal-element labels (three levels; view=zyjd or aqbq)"
    fields = {"level1": "nominal", "level2": "nominal", "level3": "nominal", "label": "nominal"}
    export_params = import_params = ("view", "schema")

    def label_config(self, params: Params) -> str:
        view = _view(params)
        schema = _load_schema(params)
        blocks = []
        for level in schema.level_names(view):
            opts = list(schema.labels(view, level)) + ([OTHER] if level == schema.level_names(view)[-1] else [])
            choices = "".join(f"<Choice value={attr(x)}/>" for x in opts)
            blocks.append(f'  <Header value="{level} ({len(opts)} labels)" size="5"/>\n'
                          f'  <Taxonomy name="{level}" toName="text" placeholder="search {level}">{choices}</Taxonomy>')
        header = VIEWS[view]['name'] + ' (' + VIEWS[view]['zh'] + ') of one sentence of ' + VIEWS[view]['section']
        return ("<View>\n"
                f"  <Header value={attr(header)}/>\n"
                '  <Text name="text" value="$text"/>\n' + "\n".join(blocks) + "\n</View>\n")

    def make_tasks(self, src: Path, params: Params) -> list[dict[str, Any]]:
        view = _view(params)
        schema = _load_schema(params, Path(src))
        data = read_json(src, what="MUSER cases or sentence list", error=LabelStudioError)
        levels = schema.level_names(view)
        tasks: list[dict[str, Any]] = []
        if isinstance(data, list) and all(isinstance(r, Mapping) and "sentence" in r for r in data):
            for i, r in enumerate(data):
                if not isinstance(r.get("sentence"), str):
                    raise LabelStudioError(f"{src} record #{i + 1} field sentence: expected a string")
                pre = _taxonomy({levels[-1]: [str(x) for x in r.get("labels", [])]}, view, levels[-1], schema)
                tasks.append({"data": {"case": "", "sentence": i, "view": view, "text": r["sentence"]},
                              **({"predictions": [prediction("source-labels", pre)]} if pre else {})})
            return tasks
        cases = {str(r.get("uid", i)): r for i, r in enumerate(data)} if isinstance(data, list) else data
        if not isinstance(cases, Mapping):
            raise LabelStudioError(f"{src}: expected cases ({{id: record}}) or a sentence list")
        zh = {v: k for k, v in LABEL_KEY_TO_VIEW.items()}[view]
        for uid, rec in cases.items():
            sents = ((rec.get("content") or {}).get(VIEWS[view]["section"]) or []) if isinstance(rec, Mapping) else []
            given = {int(a["sentence"]): list(a.get("labels", [])) for a in (rec.get("labels") or {}).get(zh, [])
                     if isinstance(a, Mapping) and isinstance(a.get("sentence"), int)} if isinstance(rec, Mapping) else {}
            for i, sentence in enumerate(sents):
                path = given.get(i, [])
                by_level = {lvl: [path[n]] for n, lvl in enumerate(levels) if n < len(path)}
                pre = [r for lvl in levels for r in _taxonomy(by_level, view, lvl, schema)]
                tasks.append({"data": {"case": str(uid), "sentence": i, "view": view, "text": str(sentence)},
                              **({"predictions": [prediction("case-labels", pre)]} if pre else {})})
        return tasks

    def parse(self, data: Mapping[str, Any], results: dict[str, list[dict[str, Any]]], ctx: Context,
              params: Params) -> Record | None:
        view = str(data.get("view", params.get("view", "zyjd")))
        if view not in LABEL_KEY_TO_VIEW.values():
            ctx.error("data.view", f"{view!r} is not aqbq or zyjd")
            return None
        if not isinstance(data.get("text"), str) or not isinstance(data.get("sentence"), int):
            ctx.error("data.text", "task data needs text (str) and sentence (int)")
            return None
        schema = self._schema(params)
        levels = schema.level_names(view)
        labels: dict[str, list[str]] = {}
        for level in levels:
            got: list[str] = []
            for r in results.get(level, []):
                for p in (r.get("value") or {}).get("taxonomy", []) or (r.get("value") or {}).get("choices", []):
                    got.append(str(p[-1]) if isinstance(p, list) else str(p))
            keep = []
            for x in got:
                canon = schema.canonical(view, level, x)
                if x == OTHER and level == levels[-1]:
                    canon = OTHER
                elif canon is None:
                    other = schema.levels_of(view, x)
                    ctx.error(level, f"{view} label {x!r} is a {'/'.join(other)} label, not {level}" if other
                              else f"unknown {view} label {x!r}")
                    continue
                elif canon != x:
                    ctx.warn(level, f"{x!r} matches schema label {canon!r} only up to whitespace")
                keep.append(canon)
            labels[level] = sorted(set(keep))
        if not any(labels.values()):
            ctx.error(levels[0], "no label at any level")
            return None
        return {"case": str(data.get("case", "")), "sentence": data["sentence"], "view": view,
                "text": data["text"], "labels": labels}

    _schemas: dict[str, LabelSchema] = {}

    def _schema(self, params: Params) -> LabelSchema:
        key = str(schema_dir(params))
        if key not in self._schemas:
            self._schemas[key] = _load_schema(params)
        return self._schemas[key]

    def units(self, rec: Record) -> Iterable[tuple[str, str, Any]]:
        item = f"{rec['view']}:{rec['case']}#{rec['sentence']}"
        for level, labels in rec["labels"].items():
            yield item, level, "|".join(labels)
            for x in labels:
                yield item, f"{BINARY_PREFIX}{level}:{x}", 1


KIND = MuserElements()
