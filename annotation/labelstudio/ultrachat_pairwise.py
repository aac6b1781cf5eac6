"""KIND `ultrachat-pairwise`: which of two answers to one question is better (A, B or tie)?

Source: pairs as JSONL or a JSON list, one per (question, model, baseline): `id` (the question id), `model`,
`baseline` (their names), `question`, `answer_model`, `answer_baseline` (strings; `bench judge-check pairs`
writes them from an ultrachat-eval pairwise bundle). Which answer is shown first is drawn per task from
`-p seed=N` (default 0) and the pair's ids, and recorded in the task (`a_is`), so people see each model
in either position as often as chance allows and the import maps A/B back to model/baseline. No
pre-annotation: the judge's verdict is what is being checked, so annotators do not see it.
Record: `id`, `model`, `baseline`, `a_is`, `choice` (A/B/tie as clicked), `winner` (model/baseline/tie).
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Iterable, Mapping

from annotation.labelstudio.base import Context, Kind, LabelStudioError, Params, Record, choices, int_param, read_source

CHOICES = {"A is better": "A", "B is better": "B", "Tie": "tie"}
SIDES = ("model", "baseline")
FIELDS = ("id", "model", "baseline", "question", "answer_model", "answer_baseline")


def first_side(seed: int, pair_id: str, model: str, baseline: str) -> str:
    """The side shown as A: a fair coin seeded by the seed and the pair (same tasks on every export)."""
    return random.Random(f"{seed}\x1f{pair_id}\x1f{model}\x1f{baseline}").choice(SIDES)


def item_key(rec: Mapping[str, Any]) -> str:
    return f"{rec['id']}|{rec['model']}|{rec['baseline']}"


class UltraChatPairwise(Kind):
    name = "ultrachat-pairwise"
    description = "pairwise preference between two answers to one question (A / B / tie), order randomised"
    fields = {"preference": "nominal"}
    export_params = ("seed",)

    def label_config(self, params: Params) -> str:
        opts = "".join(f'<Choice value="{c}"/>' for c in CHOICES)
        return ('<View>\n  <Header value="Question $id: which answer is better?"/>\n'
                '  <Text name="question" value="$question"/>\n'
                '  <Header value="Answer A" size="5"/>\n  <Text name="answer_a" value="$answer_a"/>\n'
                '  <Header value="Answer B" size="5"/>\n  <Text name="answer_b" value="$answer_b"/>\n'
                f'  <Choices name="preference" toName="answer_a" choice="single-radio" required="true" '
                f'showInline="true">{opts}</Choices>\n</View>\n')

    def make_tasks(self, src: Path, params: Params) -> list[dict[str, Any]]:
        seed = int_param(params, "seed", 0)
        tasks, seen = [], set()
        for i, (line, rec) in enumerate(read_source(Path(src), "answer pairs")):
            where = f"{src}:{line}" if line is not None else f"{src} record {i + 1}"
            if not isinstance(rec, Mapping):
                raise LabelStudioError(f"{where}: expected an object")
            bad = [f for f in FIELDS if not isinstance(rec.get(f), str) or not rec.get(f).strip()]
            if bad:
                raise LabelStudioError(f"{where}: field {bad[0]}: expected a non-empty string")
            if rec["model"] == rec["baseline"]:
                raise LabelStudioError(f"{where}: fields model/baseline: the same name {rec['model']!r}")
            if item_key(rec) in seen:
                raise LabelStudioError(f"{where}: pair {item_key(rec)} appears twice")
            seen.add(item_key(rec))
            a_is = first_side(seed, rec["id"], rec["model"], rec["baseline"])
            b_is = "baseline" if a_is == "model" else "model"
            tasks.append({"data": {"id": rec["id"], "model": rec["model"], "baseline": rec["baseline"],
                                   "question": rec["question"], "a_is": a_is,
                                   "answer_a": rec[f"answer_{a_is}"], "answer_b": rec[f"answer_{b_is}"]}})
        return tasks

    def parse(self, data: Mapping[str, Any], results: dict[str, list[dict[str, Any]]], ctx: Context,
              params: Params) -> Record | None:
        for f in ("id", "model", "baseline"):
            if not isinstance(data.get(f), str):
                ctx.error(f"data.{f}", "expected a string (a task not written by this kind?)")
        if data.get("a_is") not in SIDES:
            ctx.error("data.a_is", f"expected one of {', '.join(SIDES)}: which side was shown as A is unknown")
        picked = choices(results, "preference")
        if not picked:
            ctx.error("preference", "no answer")
        elif len(picked) != 1 or picked[0] not in CHOICES:
            ctx.error("preference", f"answer {picked} is not one of {list(CHOICES)}")
        if any(i.severity == "error" for i in ctx.issues):
            return None
        choice = CHOICES[picked[0]]
        other = "baseline" if data["a_is"] == "model" else "model"
        winner = {"A": data["a_is"], "B": other, "tie": "tie"}[choice]
        return {"id": data["id"], "model": data["model"], "baseline": data["baseline"], "a_is": data["a_is"],
                "choice": choice, "winner": winner}

    def units(self, rec: Record) -> Iterable[tuple[str, str, Any]]:
        yield item_key(rec), "preference", rec["winner"]


KIND = UltraChatPairwise()
