"""KIND `muser-pairs`: per-view similarity of a (query case, candidate case) pair, MUSER paper Table 1.

Source: a built MUSER dataset folder (`bench build muser`): cases/cases_pool.json for the texts,
cases/cands_by_query.json for the pairs, labels/view_scores.json for the model's per-view grades,
which become the pre-annotation. Three questions per pair: legal fact (aqbq) 0-3, dispute focus (zyjd)
0/1/3, law statute (ft) 0/2. Import writes `judgments.jsonl` lines `{query, candidate, annotator,
aqbq, zyjd, ft}`, the file `builders/muser/build.py --judgments` reads, and checks it with the MUSER
validator (`annotation.muser.validate.check_judgments`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from annotation.issues import Issue
from annotation.labelstudio.base import (Context, Kind, LabelStudioError, Params, Record, attr, choice_result, int_param,
                                         one_int, prediction)
from annotation.muser.files import LAYOUT, MuserFileError, load_cases, load_pools, read_json
from annotation.muser.schema import VIEW_SCORES, VIEWS

HINTS = {
    "aqbq": {0: "different facts", 1: "weakly similar", 2: "similar", 3: "strongly similar: same key facts"},
    "zyjd": {0: "different dispute focus", 1: "partly the same", 3: "same key dispute focus"},
    "ft": {0: "different decisive article", 2: "same decisive article"},
}


def case_text(rec: Mapping[str, Any]) -> str:
    """What an annotator reads: findings of fact, the court's opinion, the cited articles."""
    content = rec.get("content") or {}
    statutes = "；".join(f"{s.get('法律', '')}{s.get('序号', '')}" for s in content.get("法条", []) or [])
    return (f"【本院查明】{''.join(content.get('本院查明', []) or [])}\n"
            f"【本院认为】{''.join(content.get('本院认为', []) or [])}\n【法条】{statutes}")


class MuserPairs(Kind):
    name = "muser-pairs"
    description = "MUSER pair judgments: legal fact 0-3, dispute focus 0/1/3, law statute 0/2"
    fields = {"aqbq": "ordinal", "zyjd": "ordinal", "ft": "nominal"}
    outputs = ("records.jsonl", "judgments.jsonl")
    export_params = ("queries", "per_query")

    def label_config(self, params: Params) -> str:
        blocks = []
        for view, grades in VIEW_SCORES.items():
            opts = "".join(f'<Choice value="{g}" hint={attr(HINTS[view][g])}/>' for g in grades)
            title = f"{VIEWS[view]['name']} ({VIEWS[view]['zh']}): " + ", ".join(f"{g} {HINTS[view][g]}" for g in grades)
            blocks.append(f"  <Header value={attr(title)} size=\"5\"/>\n"
                          f'  <Choices name="{view}" toName="candidate_text" choice="single-radio" required="true" '
                          f'showInline="true">{opts}</Choices>')
        return ("<View>\n"
                '  <Header value="Query case $query and candidate case $candidate"/>\n'
                '  <View style="display: flex; gap: 1em">\n'
                '    <View style="flex: 1"><Header value="Query" size="5"/><Text name="query_text" value="$query_text"/></View>\n'
                '    <View style="flex: 1"><Header value="Candidate" size="5"/>'
                '<Text name="candidate_text" value="$candidate_text"/></View>\n'
                "  </View>\n" + "\n".join(blocks) + "\n</View>\n")

    def make_tasks(self, src: Path, params: Params) -> list[dict[str, Any]]:
        src = Path(src)
        try:
            cases = load_cases(src / LAYOUT["cases"])
            pools = load_pools(src)
            views = read_json(src / LAYOUT["view_scores"]) if (src / LAYOUT["view_scores"]).exists() else {}
        except MuserFileError as exc:
            raise LabelStudioError(f"{exc} (muser-pairs needs a built MUSER folder: bench build muser)") from None
        wanted = [q.strip() for q in str(params.get("queries", "")).split(",") if q.strip()] or list(pools)
        per_query = int_param(params, "per_query", 0) or None
        tasks = []
        for q in wanted:
            if q not in pools:
                raise LabelStudioError(f"{src / LAYOUT['pools']}: query {q!r} has no candidate pool")
            for c in pools[q][:per_query]:
                for cid in (q, c):
                    if cid not in cases:
                        raise LabelStudioError(f"{src / LAYOUT['cases']}: case {cid!r} of pair {q}/{c} has no record")
                task: dict[str, Any] = {"data": {"pair": f"{q}/{c}", "query": q, "candidate": c,
                                                 "query_text": case_text(cases[q]), "candidate_text": case_text(cases[c])}}
                grades = (views.get(q) or {}).get(c)
                if grades and grades.get("source") == "model":
                    task["predictions"] = [prediction("muser-legal-elements", [
                        choice_result(v, "candidate_text", [grades[v]]) for v in VIEW_SCORES])]
                tasks.append(task)
        return tasks

    def parse(self, data: Mapping[str, Any], results: dict[str, list[dict[str, Any]]], ctx: Context,
              params: Params) -> Record | None:
        q, c = data.get("query"), data.get("candidate")
        if not isinstance(q, str) or not q or not isinstance(c, str) or not c:
            ctx.error("data.query" if not isinstance(q, str) or not q else "data.candidate", "missing case id")
            return None
        grades = {v: one_int(ctx, results, v, allowed) for v, allowed in VIEW_SCORES.items()}
        if any(g is None for g in grades.values()):
            return None
        return {"query": q, "candidate": c, **grades}

    def units(self, rec: Record) -> Iterable[tuple[str, str, Any]]:
        for view in VIEW_SCORES:
            yield f"{rec['query']}/{rec['candidate']}", view, rec[view]

    def extra_outputs(self, records: list[Record], params: Params) -> dict[str, list[dict[str, Any]]]:
        return {"judgments.jsonl": [{"query": r["query"], "candidate": r["candidate"], "annotator": r["annotator"],
                                     **{v: r[v] for v in VIEW_SCORES}} for r in records]}

    def validate_outputs(self, folder: Path) -> list[Issue]:
        from annotation.muser.validate import Report, check_judgments

        rep = Report()
        check_judgments(folder / "judgments.jsonl", rep, None)
        return rep.issues


KIND = MuserPairs()
