"""Formats (raw / ultrachat_200k round trip, HF loading), config defaults and errors, user-turn cleaning."""
from __future__ import annotations

import hashlib
import json

import pytest

from builders.ultrachat.config import MATERIAL_TYPES, META_CONCEPTS, TEMPLATES, UltraChatConfig, config_from_dict, load_config
from builders.ultrachat.dialogue import clean_user_turn, user_turn_problem
from builders.ultrachat.formats import export_h4_folder, export_raw, h4_split, load_dialogues, to_canonical, to_h4
from builders.ultrachat.seeds import parse_list

REC = {"id": "uc.s3.d000000.i0", "sector": 3, "opening_line": "Given the text: abc\nSummarise it.",
       "messages": [{"role": "user", "content": "Given the text: abc\nSummarise it."},
                    {"role": "assistant", "content": "It is about abc."}],
       "meta": {"material_id": "m0", "template_id": 5, "source_url": "https://example.org/x", "persona_id": "p01",
                "node_id": "s3.d000000.i0", "parent_id": "s3.d000000", "kind": "opening"},
       "gen": {"ai_model": "m", "seed": 1}, "license": "test"}


def test_paper_defaults():
    cfg = UltraChatConfig()
    assert len(META_CONCEPTS) == 30 and len(MATERIAL_TYPES) == 20 and len(TEMPLATES) == 7
    assert cfg.sector1.subtopics_per_concept == (30, 50) and cfg.sector1.questions_per_subtopic == 10
    assert cfg.sector1.expanded_per_question == 10 and cfg.sector1.rounds == (3, 7)
    assert (cfg.sector1.meta_questions_per_entity, cfg.sector1.specific_per_meta_question,
            cfg.sector1.extended_per_meta_question) == (5, 10, 20)
    assert cfg.sector2.instructions_per_type == 200 and cfg.sector2.rewrite_fraction == 0.8
    assert cfg.sector3.instructions_per_material == 5 and cfg.sector2.rounds == cfg.sector3.rounds == (2, 4)


def test_config_errors_name_the_key(tmp_path):
    with pytest.raises(ValueError, match="config.sector1: unknown config key 'roundz'"):
        config_from_dict({"sector1": {"roundz": [1, 2]}})
    with pytest.raises(ValueError, match=r"config.sector2.rounds: need 1 <= min <= max"):
        config_from_dict({"sector2": {"rounds": [4, 2]}})
    p = tmp_path / "c.json"
    p.write_text('{"seed": 1,\n "sectors": [4]}')
    with pytest.raises(ValueError, match="c.json: config.sectors"):
        load_config(p)
    cfg = config_from_dict({"user_sampling": {"max_tokens": 10}})
    assert cfg.user_sampling.max_tokens == 10 and cfg.user_sampling.temperature == 0.9   # nested merge


def test_h4_and_raw_round_trip(tmp_path):
    h4 = to_h4(REC)
    assert h4["prompt_id"] == hashlib.sha256(REC["messages"][0]["content"].encode()).hexdigest()
    assert h4["lineage"]["template_id"] == 5 and h4["lineage"]["source_url"] == "https://example.org/x"
    back = to_canonical(h4)
    assert back["messages"] == REC["messages"] and back["meta"]["material_id"] == "m0"
    raw = tmp_path / "raw.jsonl"
    export_raw([REC], raw)
    line = json.loads(raw.read_text())
    assert line["data"] == ["Given the text: abc\nSummarise it.", "It is about abc."] and line["id"] == REC["id"]
    assert load_dialogues(raw)[0]["messages"] == REC["messages"]


def test_h4_folder_loads_with_datasets(tmp_path):
    from datasets import load_dataset

    recs = []
    for i in range(40):
        r = json.loads(json.dumps(REC))
        r["id"] = f"uc.x{i}"
        r["messages"][0]["content"] = r["opening_line"] = f"Question number {i}?"
        recs.append(r)
    out = export_h4_folder(recs, tmp_path / "h4")
    ds = load_dataset(str(out))
    assert sum(len(s) for s in ds.values()) == 40 and set(ds) <= {"train_sft", "test_sft", "train_gen", "test_gen"}
    assert {h4_split(to_h4(r)["prompt_id"]) for r in recs} == set(ds)
    row = ds[next(iter(ds))][0]
    assert set(row) >= {"prompt", "prompt_id", "messages", "lineage", "generation"}
    assert len(load_dialogues(out)) == 40 and len(load_dialogues(out, splits=["train_sft"])) == len(ds.get("train_sft", []))


def test_user_turn_cleaning_and_rejection():
    assert clean_user_turn('User: "Can you make it shorter?"') == "Can you make it shorter?"
    assert clean_user_turn("**User:** What about Rome?\nAssistant: Rome is...") == "What about Rome?"
    assert user_turn_problem("Thank you so much!") == "pleasantry"
    assert user_turn_problem("Thanks! Can you add a paragraph about costs?") is None
    assert user_turn_problem("Sure, here is a poem about the sea: ...") == "assistant_like"
    assert user_turn_problem("") == "empty"


def test_parse_list_strips_numbering_and_chatter():
    text = ("Here are 3 questions:\n1. What is umami?\n2) **Why do onions make you cry?**\n- What is umami?\n"
            "Bread\n3. How is cheese made?")
    assert parse_list(text, kind="question") == ["What is umami?", "Why do onions make you cry?", "How is cheese made?"]
    assert parse_list("Topics:\n* Street food\n* Fermentation\n", kind="topic") == ["Street food", "Fermentation"]
