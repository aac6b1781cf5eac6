"""muser-pairs offline: export from a built MUSER folder, import a two-annotator export, build from it."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from annotation.labelstudio.base import LabelStudioError
from annotation.labelstudio.roundtrip import export_kind, import_export
from tests.annotation.labelstudio.support import choice, make_export
from tests.muser_support import FIXTURES, REPO

VIEWS = ("aqbq", "zyjd", "ft")


def grades_result(g: dict[str, int]) -> list[dict]:
    return [choice(v, "candidate_text", g[v]) for v in VIEWS]


@pytest.fixture()
def exported(built_dataset, tmp_path):
    out = tmp_path / "ls"
    m = export_kind("muser-pairs", built_dataset, out, {"queries": "101,104", "per_query": "4"})
    return out, m


def test_export_config_and_predictions(exported, built_dataset):
    out, m = exported
    root = ET.fromstring((out / "label_config.xml").read_text(encoding="utf-8"))
    controls = {c.get("name"): [x.get("value") for x in c] for c in root.iter("Choices")}
    assert controls == {"aqbq": ["0", "1", "2", "3"], "zyjd": ["0", "1", "3"], "ft": ["0", "2"]}
    assert {t.get("name") for t in root.iter("Text")} == {"query_text", "candidate_text"}
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    assert m["tasks"] == len(tasks) == 8
    views = json.loads((built_dataset / "labels/view_scores.json").read_text(encoding="utf-8"))
    for t in tasks:
        d = t["data"]
        assert d["query_text"].startswith("【本院查明】") and "【法条】" in d["candidate_text"]
        g = views[d["query"]][d["candidate"]]
        if g["source"] == "model":
            got = {r["from_name"]: int(r["value"]["choices"][0]) for r in t["predictions"][0]["result"]}
            assert got == {v: g[v] for v in VIEWS}
        else:
            assert "predictions" not in t          # human-judged pairs get no model guess


def test_import_two_annotators_builds_and_agrees(exported, tmp_path, muser_dir):
    from sklearn.metrics import cohen_kappa_score

    from annotation.muser.validate import validate_path
    from builders.muser.build import BuildConfig, build_dataset

    out, _ = exported
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    a1 = {i: {"aqbq": i % 4, "zyjd": (0, 1, 3)[i % 3], "ft": (i % 2) * 2} for i in range(len(tasks))}
    a2 = {i: {**g, "aqbq": g["aqbq"] if i % 3 else 3 - g["aqbq"]} for i, g in a1.items()}
    export = make_export(tasks, {"a1@x.org": lambda i, d: grades_result(a1[i]),
                                 "a2@x.org": lambda i, d: grades_result(a2[i])}, tmp_path / "export.json")
    s = import_export("muser-pairs", export, tmp_path / "imported")
    lines = [json.loads(x) for x in (tmp_path / "imported/judgments.jsonl").read_text().splitlines()]
    assert len(lines) == 2 * len(tasks) and all(list(r) == ["query", "candidate", "annotator", "aqbq", "zyjd", "ft"]
                                                for r in lines)
    kappa = s["agreement"]["aqbq"]["cohen_kappa"]["a1@x.org|a2@x.org"]["kappa"]
    assert kappa == pytest.approx(cohen_kappa_score([a1[i]["aqbq"] for i in a1], [a2[i]["aqbq"] for i in a1]), abs=1e-12)
    assert s["agreement"]["zyjd"]["cohen_kappa"]["a1@x.org|a2@x.org"]["kappa"] == 1.0
    adj = [json.loads(x) for x in (tmp_path / "imported/adjudication.jsonl").read_text().splitlines()]
    assert {(r["field"], r["item"]) for r in adj} == {
        ("aqbq", f"{tasks[i]['data']['query']}/{tasks[i]['data']['candidate']}") for i in a1 if a1[i] != a2[i]}
    built = tmp_path / "built"
    m = build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=built, schema_dir=muser_dir / "legal_items",
                                  queries=["101", "104"], depth=4, pool_size=4, hf=False, show_progress=False,
                                  judgments=tmp_path / "imported/judgments.jsonl"))
    assert m.counts["pairs_from_judgments"] == len(tasks)
    assert m.build["agreement"]["aqbq"]["cohen_kappa"] == pytest.approx(kappa)
    assert [i for i in validate_path(built) if i.severity == "error"] == []


def test_bad_grade_names_task_and_field(exported, tmp_path):
    out, _ = exported
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    bad = make_export(tasks, {"a1": lambda i, d: grades_result({"aqbq": 4 if i == 1 else 0, "zyjd": 0, "ft": 0})},
                      tmp_path / "bad.json")
    with pytest.raises(LabelStudioError, match=r"bad\.json task 2 field aqbq: answer 4 not in \[0, 1, 2, 3\]"):
        import_export("muser-pairs", bad, tmp_path / "never")
    assert not (tmp_path / "never").exists()
    proc = subprocess.run([sys.executable, "-m", "bench", "annotate", "import", "muser-pairs", str(bad),
                           str(tmp_path / "never")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "task 2 field aqbq" in " ".join(proc.stderr.split()), proc.stderr


def test_export_of_a_folder_that_is_not_built(tmp_path):
    with pytest.raises(LabelStudioError, match="bench build muser"):
        export_kind("muser-pairs", tmp_path, tmp_path / "out")


def test_push_errors_are_one_line(exported, tmp_path):
    out, _ = exported
    env = {k: v for k, v in __import__("os").environ.items() if k != "NO_SUCH_TOKEN_VAR"}
    base = [sys.executable, "-m", "bench", "annotate", "push", str(out), "--url"]
    proc = subprocess.run(base + ["http://127.0.0.1:9", "--token-env", "NO_SUCH_TOKEN_VAR"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "NO_SUCH_TOKEN_VAR is not set" in proc.stderr and "Traceback" not in proc.stderr
    env["LS_SECRET_FOR_TEST"] = "abc123secretvalue"
    proc = subprocess.run(base + ["http://127.0.0.1:9", "--token-env", "LS_SECRET_FOR_TEST"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "ConnectError" in proc.stderr and "abc123secretvalue" not in proc.stderr + proc.stdout
