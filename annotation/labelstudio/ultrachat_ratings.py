"""KIND `ultrachat-ratings`: rate dialogues per assistant turn (quality 1-5, refusal yes/no) and overall
(coherence 1-10).

Source: dialogues as JSONL or a JSON list in any UltraChat format (canonical `messages`, raw `data`,
ultrachat_200k), each checked by `annotation.ultrachat.validate_record`. A label config is fixed per
project, so it gets one block per turn up to the longest dialogue of the source (`max_turns`, default
12, refuses longer ones); a shorter dialogue's extra turns show "(no turn)" and must stay unrated.
Pre-annotation: a refusal guess from a few stock phrases (the filter the builder applies, in small).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from annotation.labelstudio.base import (Context, Kind, LabelStudioError, Params, Record, choice_result, choices,
                                         int_param, one_int, prediction, read_source)
from annotation.ultrachat import validate_record

REFUSAL = ("refusal", "no refusal")
REFUSAL_RE = re.compile(r"\b(I'm sorry, but I can(no|')t|I cannot (help|assist|provide)|As an AI( language model)?)\b"
                        r"|抱歉，我无法|作为一个?人工智能", re.IGNORECASE)
NO_TURN = "(no turn)"


def dialogues(src: Path) -> list[dict[str, Any]]:
    """Records -> {"id", "messages"}; each record must pass the UltraChat validator first."""
    rows = read_source(src, "dialogues")
    out = []
    for i, (line, rec) in enumerate(rows):
        issues = validate_record(rec, file=str(src), line=line, index=i)
        if issues:
            raise LabelStudioError(f"source dialogue fails the UltraChat schema: {issues[0]}")
        msgs = rec.get("messages") or [{"role": "user" if j % 2 == 0 else "assistant", "content": u}
                                       for j, u in enumerate(rec["data"])]
        out.append({"id": str(rec.get("id", rec.get("prompt_id"))), "messages": msgs})
    return out


class UltraChatRatings(Kind):
    name = "ultrachat-ratings"
    description = "UltraChat dialogue ratings: per-turn quality 1-5 and refusal, coherence 1-10"
    fields = {"quality": "ordinal", "refusal": "nominal", "coherence": "ordinal"}
    export_params = ("max_turns", "turns")

    def _turns(self, params: Params) -> int:
        return int_param(params, "turns", 0) or int_param(params, "max_turns", 0) or 12

    def label_config(self, params: Params) -> str:
        blocks = []
        for t in range(1, self._turns(params) + 1):
            blocks.append(
                f'  <View style="border-top: 1px solid #ddd; padding-top: 4px">\n'
                f'    <Header value="Turn {t}" size="5"/>\n'
                f'    <Text name="user_{t}" value="$user_{t}"/>\n'
                f'    <Text name="assistant_{t}" value="$assistant_{t}"/>\n'
                f'    <Rating name="quality_{t}" toName="assistant_{t}" maxRating="5"/>\n'
                f'    <Choices name="refusal_{t}" toName="assistant_{t}" choice="single-radio" showInline="true">'
                + "".join(f'<Choice value="{r}"/>' for r in REFUSAL) + "</Choices>\n  </View>")
        return ("<View>\n  <Header value=\"Dialogue $id: rate every assistant turn, then the whole dialogue\"/>\n"
                + "\n".join(blocks) + "\n"
                '  <Header value="Coherence of the whole dialogue (1-10)" size="5"/>\n'
                '  <Rating name="coherence" toName="assistant_1" maxRating="10" required="true"/>\n</View>\n')

    def make_tasks(self, src: Path, params: Params) -> list[dict[str, Any]]:
        cap = self._turns(params)
        tasks = []
        for d in dialogues(Path(src)):
            pairs = len(d["messages"]) // 2
            if pairs > cap:
                raise LabelStudioError(f"{src} record {d['id']} field messages: {pairs} turns > max_turns={cap}; "
                                       f"pass -p max_turns={pairs}")
            data: dict[str, Any] = {"id": d["id"], "turns": pairs}
            result = []
            for t in range(1, cap + 1):
                has = t <= pairs
                data[f"user_{t}"] = d["messages"][2 * t - 2]["content"] if has else NO_TURN
                data[f"assistant_{t}"] = d["messages"][2 * t - 1]["content"] if has else NO_TURN
                if has:
                    refused = bool(REFUSAL_RE.search(data[f"assistant_{t}"]))
                    result.append(choice_result(f"refusal_{t}", f"assistant_{t}", [REFUSAL[0 if refused else 1]]))
            tasks.append({"data": data, "predictions": [prediction("refusal-phrases", result)]})
        return tasks

    def parse(self, data: Mapping[str, Any], results: dict[str, list[dict[str, Any]]], ctx: Context,
              params: Params) -> Record | None:
        pairs = data.get("turns")
        if not isinstance(pairs, int) or pairs < 1 or not isinstance(data.get("id"), str):
            ctx.error("data.turns", "task data needs id (str) and turns (int >= 1)")
            return None
        messages = [{"role": role, "content": data.get(f"{role}_{t}")}
                    for t in range(1, pairs + 1) for role in ("user", "assistant")]
        for issue in validate_record({"id": data["id"], "messages": messages}, file=ctx.file):
            ctx.error(f"data.{issue.field}", issue.message)
        turns = []
        for t in range(1, pairs + 1):
            quality = one_int(ctx, results, f"quality_{t}", range(1, 6))
            refusal = choices(results, f"refusal_{t}")
            if not refusal or len(refusal) != 1 or refusal[0] not in REFUSAL:
                ctx.error(f"refusal_{t}", f"answer {refusal} is not one of {list(REFUSAL)}" if refusal else "no answer")
            turns.append({"quality": quality, "refusal": bool(refusal) and refusal[0] == REFUSAL[0]})
        extra = sorted({n for n in results if re.fullmatch(r"(quality|refusal)_\d+", n)
                        and int(n.split("_")[1]) > pairs}, key=lambda n: int(n.split("_")[1]))
        for n in extra:
            ctx.error(n, f"the dialogue has {pairs} turns; turn {n.split('_')[1]} does not exist")
        coherence = one_int(ctx, results, "coherence", range(1, 11))
        if any(i.severity == "error" for i in ctx.issues):
            return None
        return {"id": data["id"], "turns": turns, "coherence": coherence}

    def units(self, rec: Record) -> Iterable[tuple[str, str, Any]]:
        for t, turn in enumerate(rec["turns"], start=1):
            yield f"{rec['id']}#{t}", "quality", turn["quality"]
            yield f"{rec['id']}#{t}", "refusal", turn["refusal"]
        yield rec["id"], "coherence", rec["coherence"]


KIND = UltraChatRatings()
