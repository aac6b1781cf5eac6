"""muser-elements (three-level schema, per-label agreement) and ultrachat-ratings, offline."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from annotation.labelstudio.base import LabelStudioError
from annotation.labelstudio.roundtrip import export_kind, import_export
from tests.annotation.labelstudio.support import choice, make_export, rating
from tests.muser_support import FIXTURES, REPO

FIX = REPO / "tests" / "fixtures" / "labelstudio"


def tax(level: str, *labels: str) -> dict:
    return {"from_name": level, "to_name": "text", "type": "taxonomy", "value": {"taxonomy": [[x] for x in labels]}}


def test_elements_config_has_the_real_schema(muser_dir, tmp_path):
    params = {"schema": str(muser_dir / "legal_items"), "view": "aqbq"}
    export_kind("muser-elements", FIXTURES / "cases_pool.json", tmp_path / "ls", params)
    root = ET.fromstring((tmp_path / "ls/label_config.xml").read_text(encoding="utf-8"))
    sizes = {t.get("name"): len(list(t)) for t in root.iter("Taxonomy")}
    assert sizes == {"level1": 11, "level2": 69, "level3": 212}            # 211 + other
    assert "以股抵债 " in [c.get("value") for c in root.iter("Choice")]     # the trailing-space label survives XML
    tasks = json.loads((tmp_path / "ls/tasks.json").read_text(encoding="utf-8"))
    cases = json.loads((FIXTURES / "cases_pool.json").read_text(encoding="utf-8"))
    assert len(tasks) == sum(len(c["content"]["本院查明"]) for c in cases.values())
    t = next(t for t in tasks if t["data"]["case"] == "101" and t["data"]["sentence"] == 1)
    assert [r["value"]["taxonomy"] for r in t["predictions"][0]["result"]] == [[["民间借贷合同履行"]], [["出借款交付"]],
                                                                               [["银行转账交付借款"]]]


def test_elements_from_sentence_data_and_import(muser_dir, tmp_path):
    params = {"schema": str(muser_dir / "legal_items"), "limit": "4"}
    export_kind("muser-elements", muser_dir / "label_pred" / "all_test_sent_data_zy.json", tmp_path / "ls", params)
    tasks = json.loads((tmp_path / "ls/tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 4 and tasks[0]["predictions"][0]["result"][0]["value"]["taxonomy"] == [["利率法定额度限制"],
                                                                                                  ["复利的认定及法定额度限制"]]
    pred = {i: [x[0] for x in t["predictions"][0]["result"][0]["value"]["taxonomy"]] for i, t in enumerate(tasks)}
    export = make_export(tasks, {"a": lambda i, d: [tax("level3", *pred[i])],
                                 "b": lambda i, d: [tax("level3", *pred[i][:1]), tax("level1", "民间借贷关系的认定")]},
                         tmp_path / "e.json")
    imported = {"schema": params["schema"]}                  # `limit` is an export key: import refuses it
    with pytest.raises(LabelStudioError, match=r"--param limit: unknown key .*accepted: schema, view"):
        import_export("muser-elements", export, tmp_path / "out", params)
    s = import_export("muser-elements", export, tmp_path / "out", imported)
    assert s["records"] == 8
    per_label = s["agreement"]["label:level3:复利的认定及法定额度限制"]
    assert per_label["items_with_several"] == 4                 # zeros filled in for the sentences without it
    bad = make_export(tasks, {"a": lambda i, d: [tax("level2", "利率法定额度限制"), tax("level3", "no such label")]},
                      tmp_path / "bad.json")
    with pytest.raises(LabelStudioError, match=r"task 1 field level2: zyjd label '利率法定额度限制' is a level3 label"):
        import_export("muser-elements", bad, tmp_path / "out2", imported)


def test_elements_whitespace_alias_warns(muser_dir, tmp_path):
    params = {"schema": str(muser_dir / "legal_items"), "view": "aqbq", "limit": "1"}
    export_kind("muser-elements", FIXTURES / "cases_pool.json", tmp_path / "ls", params)
    tasks = json.loads((tmp_path / "ls/tasks.json").read_text(encoding="utf-8"))
    export = make_export(tasks, {"a": lambda i, d: [tax("level3", "以股抵债")]}, tmp_path / "e.json")
    s = import_export("muser-elements", export, tmp_path / "out", {"schema": params["schema"], "view": "aqbq"})
    rec = json.loads((tmp_path / "out/records.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert rec["labels"]["level3"] == ["以股抵债 "] and "only up to whitespace" in s["warnings"][0]


def ratings(i: int, d: dict, quality: int = 4, coherence: int = 8) -> list:
    out = [rating("coherence", "assistant_1", coherence)]
    for t in range(1, d["turns"] + 1):
        out += [rating(f"quality_{t}", f"assistant_{t}", quality),
                choice(f"refusal_{t}", f"assistant_{t}", "refusal" if d["id"] == "d3" else "no refusal")]
    return out


def test_ultrachat_round_trip(tmp_path):
    export_kind("ultrachat-ratings", FIX / "dialogues.jsonl", tmp_path / "ls", {"max_turns": "2"})
    root = ET.fromstring((tmp_path / "ls/label_config.xml").read_text(encoding="utf-8"))
    assert {r.get("name"): r.get("maxRating") for r in root.iter("Rating")} == \
        {"quality_1": "5", "quality_2": "5", "coherence": "10"}
    tasks = json.loads((tmp_path / "ls/tasks.json").read_text(encoding="utf-8"))
    assert [t["data"]["turns"] for t in tasks] == [2, 1, 1] and tasks[1]["data"]["user_2"] == "(no turn)"
    refusal_guess = [r["value"]["choices"][0] for r in tasks[2]["predictions"][0]["result"]]
    assert refusal_guess == ["refusal"]
    export = make_export(tasks, {"a": ratings, "b": lambda i, d: ratings(i, d, 4 if i else 2, 7 + i)},
                         tmp_path / "e.json")
    s = import_export("ultrachat-ratings", export, tmp_path / "out")      # max_turns is an export key
    assert s["records"] == 6 and set(s["agreement"]) == {"quality", "refusal", "coherence"}
    assert set(s["agreement"]["coherence"]["krippendorff_alpha"]) == {"nominal", "ordinal"}
    with pytest.raises(LabelStudioError, match=r"max_turns=1"):
        export_kind("ultrachat-ratings", FIX / "dialogues.jsonl", tmp_path / "x", {"max_turns": "1"})


def test_ultrachat_errors_name_task_and_field(tmp_path):
    export_kind("ultrachat-ratings", FIX / "dialogues.jsonl", tmp_path / "ls", {"max_turns": "2"})
    tasks = json.loads((tmp_path / "ls/tasks.json").read_text(encoding="utf-8"))

    def bad(i, d):
        out = ratings(i, d, coherence=11 if i == 0 else 5)
        if i == 1:
            out.append(rating("quality_2", "assistant_2", 3))     # d2 has one turn only
        return out
    with pytest.raises(LabelStudioError) as err:
        import_export("ultrachat-ratings", make_export(tasks, {"a": bad}, tmp_path / "e.json"), tmp_path / "out")
    assert "task 1 field coherence: answer 11 not in" in str(err.value)
    assert "task 2 field quality_2: the dialogue has 1 turns; turn 2 does not exist" in str(err.value)
