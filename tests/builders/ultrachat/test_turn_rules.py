"""The placeholder and role-confusion rules through the real filter chain, measured against 50 hand-labelled
user turns (tests/fixtures/ultrachat/labelled_turns.jsonl: 25 bad with the rule that should fire, 25 good,
most of them hard negatives: code indexing a[i], citations [1], HTML tags, "thanks, that helps",
"How can I help my son...", Super Bowl XXX, a mail-merge question quoting 'Dear [Name],')."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders.ultrachat.config import FilterConfig, config_from_dict
from builders.ultrachat.filters import filter_records

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ultrachat" / "labelled_turns.jsonl"
RULES = ("placeholder", "role_confusion")
FLOOR = {"precision": 0.9, "recall": 0.9}


def labelled() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]


def as_dialogue(row: dict) -> dict:
    """The labelled turn as the simulated (second) user turn of a 2-round dialogue with a distinct opening."""
    opening = f"Question {row['id'][1:]}: what changed in world history during the year {1800 + int(row['id'][1:])}?"
    msgs = [("user", opening), ("assistant", "Here is a short answer."), ("user", row["text"]),
            ("assistant", "Here is another short answer.")]
    return {"id": row["id"], "opening_line": opening, "messages": [{"role": r, "content": c} for r, c in msgs]}


def cfg(**kw) -> FilterConfig:
    return FilterConfig(near_dup_threshold=1.0, use_ultra_eval=False, **kw)


def precision_recall(rows: list[dict], removed: list[dict]) -> dict[str, dict[str, float]]:
    fired = {r["id"]: r["rule"] for r in removed}
    out = {}
    for rule in (*RULES, "any"):
        want = {r["id"] for r in rows if r["label"] == "bad" and (rule == "any" or r["rule"] == rule)}
        got = {i for i, x in fired.items() if rule == "any" or x == rule}
        tp = len(want & got)
        out[rule] = {"precision": tp / len(got) if got else 1.0, "recall": tp / len(want) if want else 1.0,
                     "fired": len(got), "labelled_bad": len(want)}
    return out


def test_fixture_is_50_balanced_turns():
    rows = labelled()
    assert len(rows) == 50 and len({r["id"] for r in rows}) == 50
    assert sum(r["label"] == "bad" for r in rows) == 25
    assert all((r["label"] == "bad") == (r["rule"] in RULES) for r in rows)
    assert all(r["label"] == "good" or r["rule"] in RULES for r in rows)


def test_precision_recall_of_the_turn_rules_on_labelled_turns(capsys):
    rows = labelled()
    kept, removed, report = filter_records([as_dialogue(r) for r in rows], cfg())
    pr = precision_recall(rows, removed)
    wrong = sorted(x["id"] for x in removed if next(r for r in rows if r["id"] == x["id"])["rule"] != x["rule"])
    with capsys.disabled():
        print(f"\nremoved under a rule other than their label: {wrong}", end="")
        for rule, m in pr.items():
            print(f"\n{rule:15s} precision {m['precision']:.3f} recall {m['recall']:.3f} "
                  f"(fired {m['fired']}, labelled bad {m['labelled_bad']})", end="")
        print()
    # counted in the report like every other rule, and nothing else removed anything
    assert set(report.removed) <= set(RULES)
    assert {k: v for k, v in report.removed.items()} == {r: pr[r]["fired"] for r in RULES if pr[r]["fired"]}
    assert report.kept == len(kept) == 50 - len(removed)
    for rule in (*RULES, "any"):
        for k, floor in FLOOR.items():
            assert pr[rule][k] >= floor, (rule, k, pr[rule])


def test_rules_can_be_switched_off_and_reconfigured():
    rows = labelled()
    recs = [as_dialogue(r) for r in rows]
    _, removed, report = filter_records(recs, cfg(placeholder=False, role_confusion=False))
    assert removed == [] and report.kept == 50
    # a custom pattern list replaces the defaults: only that phrase fires now
    _, removed, report = filter_records(recs, cfg(placeholder=False, role_confusion_patterns=[r"\bas an ai\b"]))
    assert [r["id"] for r in removed] == ["t18"] and report.removed == {"role_confusion": 1}
    # an extra cue word makes "[was]" a slot (t33)
    _, removed, _ = filter_records(recs, cfg(role_confusion=False,
                                             placeholder_cues=["was", "location", "name", "topic"]))
    assert "t33" in {r["id"] for r in removed}


def test_role_confusion_spares_the_opening_line_and_placeholder_checks_the_sector3_instruction():
    opening = {"id": "o", "opening_line": "How can I help you understand recursion, little brother?",
               "messages": [{"role": "user", "content": "Is there anything else I can help you with? x"},
                            {"role": "assistant", "content": "ok"}]}
    assert filter_records([opening], cfg())[1] == []
    material = "Notes [citation needed] on [specific location] history. "
    s3 = {"id": "s3", "opening_line": material + "Summarize it.", "meta": {"material_id": "m1", "instruction": "Summarize it."},
          "messages": [{"role": "user", "content": material + "Summarize it."}, {"role": "assistant", "content": "ok"}]}
    assert filter_records([s3], cfg())[1] == []
    s3["meta"]["instruction"] = "Summarize it for [target audience]."
    removed = filter_records([s3], cfg())[1]
    assert removed[0]["rule"] == "placeholder" and "[target audience]" in removed[0]["detail"]


def test_opening_nodes_with_slots_are_filtered_before_generation():
    nodes = [{"id": "n1", "sector": 2, "kind": "instruction", "text": "Write a cover letter for [Job Title] at [Company].", "meta": {}},
             {"id": "n2", "sector": 2, "kind": "instruction", "text": "Write a short poem about autumn rain.", "meta": {}}]
    kept, removed, report = filter_records(nodes, cfg(), stage="openings")
    assert [k["id"] for k in kept] == ["n2"] and report.removed == {"placeholder": 1}


def test_bad_regex_or_list_in_config_is_a_one_line_error():
    with pytest.raises(ValueError, match=r"filters.placeholder_cues: expected a list of strings"):
        config_from_dict({"filters": {"placeholder_cues": "name"}})
    with pytest.raises(ValueError, match=r"filters.role_confusion_patterns\[1\]: not a regex"):
        config_from_dict({"filters": {"role_confusion_patterns": ["ok", "(unclosed"]}})


def test_real_smollm2_user_turns(capsys):
    """8 user turns SmolLM2-135M really wrote in the example build, labelled by hand. The rules written
    before seeing them caught 0 of the 6 bad ones; three patterns were added from them (so this is
    in-sample now): 3 of 6 caught, no good turn removed. The misses (a user that repeats the answer as
    its own story, or writes material instead of asking) need a model-based check, not phrases."""
    path = FIXTURE.with_name("smollm2_user_turns.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    _, removed, _ = filter_records([as_dialogue(r) for r in rows], cfg())
    pr = precision_recall(rows, removed)["any"]
    with capsys.disabled():
        print(f"\nsmollm2 turns   precision {pr['precision']:.3f} recall {pr['recall']:.3f} "
              f"(fired {pr['fired']}, labelled bad {pr['labelled_bad']})")
    assert pr["precision"] == 1.0 and pr["recall"] >= 0.5


@pytest.mark.parametrize("text", [
    "How can I assist my elderly mother with her medication schedule?",
    "Feel free to ask me clarifying questions before you start.",
    "Would you like me to paste the full error message?",
    "Call the function as `fill(template, {name})` or with the dict?",
    "What does the <title> tag do for SEO?",
    "My todo list is:\n- [x] book flights\n- [ ] pack\nWhat am I forgetting for a beach trip?",
])
def test_more_user_lines_that_must_pass(text):
    rec = as_dialogue({"id": "x00", "text": text})
    assert filter_records([rec], cfg())[1] == []


def test_bench_stats_build_quality_sums_shard_reports_and_reasks(tmp_path):
    """`bench stats ultrachat FOLDER` shows what each rule removed (two shard reports summed) and the
    simulator's re-asks; a file or export path has no such table."""
    from rich.console import Console

    from core import atomic_write_json, atomic_write_jsonl
    from bench.stats_report import ultrachat_quality_table
    from builders.ultrachat.stats import build_quality

    rows = labelled()
    recs = [as_dialogue(r) for r in rows]
    for i, part in enumerate((recs[:25], recs[25:])):
        sfx = f"-{i:05d}-of-00002"
        for rec in part:
            rec["gen"] = {"user_rejections": {"role_confusion": 1}} if rec["id"] == "t00" else {}
        _, _, rep = filter_records(part, cfg())
        atomic_write_json(tmp_path / f"filter_report{sfx}.json", {"dialogues": rep.to_dict()})
        atomic_write_jsonl(tmp_path / f"dialogues{sfx}.jsonl", part)
    q = build_quality(tmp_path)
    assert q["stages"]["dialogues"] == {"input": 50, "kept": 25, "removed": {"placeholder": 13, "role_confusion": 12}}
    assert q["user_reasks"] == {"role_confusion": 1} and q["simulated_user_turns_kept"] == 50
    console = Console(record=True, width=120)
    console.print(ultrachat_quality_table(tmp_path, q))
    text = console.export_text()
    assert "placeholder 13, role_confusion 12" in text and "role_confusion 1" in text
    assert build_quality(tmp_path / "dialogues-00000-of-00002.jsonl") is None
