"""KIND `qasnowball-qa`: verify generated extractive QA pairs (is the question ok; where is the answer).

Source: flat SQuAD-style JSONL (what the QASnowball builder writes) or nested SQuAD JSON; every source
record must pass `annotation.squad.validate_record` first. The model's answer span and "ok" are the
pre-annotation. Import re-checks each span against the context in Unicode code points (converting
UTF-16 offsets, with a warning, when that is what the export holds; see `spans.py`), and writes
`qa.jsonl`: one SQuAD record per annotation that kept the question (`id@annotator`, meta.annotator),
validated again with `annotation.squad`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from annotation.issues import Issue
from annotation.labelstudio.base import (Context, Kind, LabelStudioError, Params, Record, choice_result, choices,
                                         prediction, read_source, span_result)
from annotation.labelstudio.spans import SpanMismatch, check_span
from annotation.squad import iter_nested, validate_record

VERDICTS = ("ok", "bad")


def read_qa(src: Path) -> list[dict[str, Any]]:
    """Flat JSONL records, or nested (official SQuAD) JSON flattened."""
    rows = read_source(src, "QA records")
    if Path(src).suffix == ".jsonl":
        return [r for _, r in rows]
    return list(iter_nested(rows[0][1], str(src)))


class QASnowballQA(Kind):
    name = "qasnowball-qa"
    description = "QASnowball QA verification: answer span in the context, question ok/bad"
    fields = {"question": "nominal", "answer": "nominal"}
    outputs = ("records.jsonl", "qa.jsonl")

    def label_config(self, params: Params) -> str:
        return ("<View>\n"
                '  <Header value="$question"/>\n'
                '  <Labels name="answer" toName="context"><Label value="answer" background="#ffd54f"/></Labels>\n'
                '  <Text name="context" value="$context" granularity="symbol"/>\n'
                '  <Header value="Is the question answerable from the context and well formed?" size="5"/>\n'
                '  <Choices name="question" toName="context" choice="single-radio" required="true" showInline="true">'
                '<Choice value="ok"/><Choice value="bad" hint="unanswerable, ungrammatical or trivial"/></Choices>\n'
                "</View>\n")

    def make_tasks(self, src: Path, params: Params) -> list[dict[str, Any]]:
        tasks = []
        for n, rec in enumerate(read_qa(Path(src))):
            issues = validate_record(rec, file=str(src), line=n + 1 if Path(src).suffix == ".jsonl" else None)
            if [i for i in issues if i.severity == "error"]:
                raise LabelStudioError(f"source record fails the QA schema: {issues[0]}")
            data = {"id": rec["id"], "title": rec.get("title", ""), "context": rec["context"],
                    "question": rec["question"], "meta": json.dumps(rec.get("meta", {}), ensure_ascii=False)}
            task: dict[str, Any] = {"data": data}
            texts, starts = rec["answers"]["text"], rec["answers"]["answer_start"]
            if texts:
                result = [span_result("answer", "context", starts[0], starts[0] + len(texts[0]), texts[0], "answer"),
                          choice_result("question", "context", ["ok"])]
                score = (rec.get("meta") or {}).get("score")
                task["predictions"] = [prediction("qasnowball", result, score if isinstance(score, (int, float)) else None)]
            tasks.append(task)
        return tasks

    def parse(self, data: Mapping[str, Any], results: dict[str, list[dict[str, Any]]], ctx: Context,
              params: Params) -> Record | None:
        context, qid = data.get("context"), data.get("id")
        if not isinstance(context, str) or not isinstance(qid, str):
            ctx.error("data.context", "task data needs id and context strings")
            return None
        verdict = choices(results, "question")
        if not verdict:
            ctx.error("question", "no verdict (ok/bad)")
            return None
        if len(verdict) != 1 or verdict[0] not in VERDICTS:
            ctx.error("question", f"verdict {verdict} is not one of {list(VERDICTS)}")
            return None
        spans = []
        for i, r in enumerate(results.get("answer", [])):
            v = r.get("value") or {}
            try:
                span = check_span(context, v.get("start"), v.get("end"), v.get("text"))
            except SpanMismatch as exc:
                ctx.error(f"answer[{i}]", str(exc))
                continue
            if span.converted:
                ctx.warn(f"answer[{i}]", f"offsets [{v.get('start')}, {v.get('end')}) were UTF-16 units; "
                                         f"code points [{span.start}, {span.end})")
            spans.append(span)
        ok = verdict[0] == "ok"
        if ok and not spans and not any(i.severity == "error" for i in ctx.issues):
            ctx.error("answer", "question marked ok but no answer span selected")
            return None
        rec = {"id": qid, "question_ok": ok, "title": data.get("title", ""), "context": context,
               "question": data.get("question"),
               "answers": {"text": [s.text for s in spans], "answer_start": [s.start for s in spans]} if ok
               else {"text": [], "answer_start": []}}
        if ok:
            for issue in validate_record({**rec, "id": f"{qid}@{ctx.annotator}"}, file=ctx.file):
                ctx.error(issue.field or "", issue.message, issue.severity)
        return rec

    def units(self, rec: Record) -> Iterable[tuple[str, str, Any]]:
        yield rec["id"], "question", "ok" if rec["question_ok"] else "bad"
        a = rec["answers"]
        yield rec["id"], "answer", ";".join(f"{s}:{s + len(t)}" for s, t in zip(a["answer_start"], a["text"]))

    def extra_outputs(self, records: list[Record], params: Params) -> dict[str, list[dict[str, Any]]]:
        rows = []
        for r in records:
            if r["question_ok"]:
                rows.append({"id": f"{r['id']}@{r['annotator']}", "title": r["title"], "context": r["context"],
                             "question": r["question"], "answers": r["answers"],
                             "meta": {"source_id": r["id"], "annotator": r["annotator"], "task_id": r["task_id"]}})
        return {"qa.jsonl": rows}

    def validate_outputs(self, folder: Path) -> list[Issue]:
        from annotation.squad import validate_path

        path = folder / "qa.jsonl"
        return validate_path(path) if path.stat().st_size else []


KIND = QASnowballQA()
