"""Filters against the real UltraChat eval set (shared/data/ultrachat/ultra_eval.json)."""
from __future__ import annotations

import json

import pytest

from builders.ultrachat.config import FilterConfig
from builders.ultrachat.filters import (Decontaminator, build_decontaminator, filter_records, load_eval_questions,
                                        normalise)


def dlg(rid, *turns, opening=None, meta=None):
    msgs = [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]
    rec = {"id": rid, "messages": msgs, "opening_line": opening or (turns[0] if turns else "")}
    if meta:
        rec["meta"] = meta
    return rec


@pytest.fixture(scope="module")
def eval_set(uc_data):
    return load_eval_questions(uc_data / "ultrachat" / "ultra_eval.json")


def test_ultra_eval_loads_all_385(eval_set):
    assert len(eval_set) == 385
    assert len(set(eval_set)) == 381          # the README's quirk: 4 questions repeated across classes
    assert any("Gödel" in q for q in eval_set)


def test_decontamination_catches_vicuna_question_with_case_and_punctuation_changes(eval_set):
    d = Decontaminator(eval_set, n=5)
    vicuna = eval_set[0]          # "Compose an engaging travel blog post about a recent trip to Hawaii, ..."
    mangled = "hey!! " + vicuna.upper().replace(",", " ;") + " thanks"
    assert d.match(mangled) == 0
    assert d.match("Tell me about the history of bread baking in rural France.") is None
    short = [q for q in eval_set if len(normalise(q).split()) < 5]
    assert short, "the eval set has questions shorter than 5 tokens"
    q = short[0]
    assert d.match(f"so, {q.lower()} I always wondered") is not None


def test_filter_chain_removes_each_kind_once_and_reports(uc_data, eval_set, tmp_path):
    extra = tmp_path / "my_eval.jsonl"
    extra.write_text(json.dumps({"question": "Which river flows through the ancient city of Timbuktu today?"}) + "\n")
    cfg = FilterConfig(eval_sets=[str(extra)])
    decon, sources = build_decontaminator(cfg, uc_data / "ultrachat" / "ultra_eval.json")
    recs = [
        dlg("a", "How do I bake sourdough bread at home?", "Mix flour, water and starter; let it rise; bake hot."),
        dlg("b", "how do I bake SOURDOUGH bread at home", "Different answer here."),              # dup opening
        dlg("c", "What are good stretches for runners?", "As an AI language model, I cannot run."),  # refusal
        dlg("d", "Only a question"),                                                               # schema
        dlg("e", "What are some good stretches for new runners to do before and after a long weekend run in the park?",
            "Calf and hamstring stretches."),
        dlg("f", "What are some good stretches for new runners to do before and after a long weekend run in the park today?",
            "Hip openers."),                                                                       # near dup of e
        dlg("g", eval_set[5], "Some answer."),                                                     # contaminated
        dlg("h", "Tell me about rivers.", "Many.", "Which river flows through the ancient city of Timbuktu today?",
            "The Niger is nearby."),                                                               # user set, 2nd turn
        dlg("i", "Plan a three-day trip to Lisbon on a budget.", "Day 1: Alfama..."),
    ]
    kept, removed, report = filter_records(recs, cfg, decontaminator=decon, sources=sources)
    why = {r["id"]: r["rule"] for r in removed}
    assert why == {"b": "dup_opening", "c": "refusal", "d": "schema", "f": "near_dup_opening",
                   "g": "contaminated", "h": "contaminated"}
    assert [r["id"] for r in kept] == ["a", "e", "i"]
    assert report.input == 9 and report.kept == 3 and sum(report.removed.values()) == 6
    assert report.settings["eval_questions"] == 386 and len(report.settings["eval_sources"]) == 2


def test_same_dialogue_twice_and_sector3_scoping():
    cfg = FilterConfig(use_ultra_eval=False)
    text = "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy."
    recs = [
        dlg("s3.a", f"{text}\nSummarise the passage.", "They were Norse settlers.",
            meta={"material_id": "m1", "instruction": "Summarise the passage."}),
        dlg("s3.b", f"Given the text: {text}\nTranslate it into French.", "Les Normands...",
            meta={"material_id": "m1", "instruction": "Translate it into French."}),
        dlg("s3.c", f"{text} Summarise the passage!", "Short.",                 # same text+instruction: exact dup
            meta={"material_id": "m1", "instruction": "Summarise the passage!"}),
        dlg("s3.d", f"{text}\nSummarise the passage above in two short sentences that a young child could follow easily.",
            "Vikings settled in France.", meta={"material_id": "m1", "instruction":
            "Summarise the passage above in two short sentences that a young child could follow easily."}),
        dlg("s3.e", f"{text}\nSummarise the passage above in two short sentences that a young child could follow easily, please.",
            "Norse people.", meta={"material_id": "m1", "instruction":
            "Summarise the passage above in two short sentences that a young child could follow easily, please."}),
    ]
    kept, removed, _ = filter_records(recs, cfg)
    assert [r["id"] for r in kept] == ["s3.a", "s3.b", "s3.d"]    # different instructions on one text survive
    assert {r["id"]: r["rule"] for r in removed} == {"s3.c": "dup_opening", "s3.e": "near_dup_opening"}


def test_openings_stage_uses_node_text():
    cfg = FilterConfig(use_ultra_eval=False)
    nodes = [{"id": "n1", "text": "What is umami?"}, {"id": "n2", "text": "what is UMAMI"}]
    kept, removed, report = filter_records(nodes, cfg, stage="openings")
    assert [n["id"] for n in kept] == ["n1"] and report.removed == {"dup_opening": 1}
