"""Plant errors in copies of the real schema/labels and of the fixture cases; every one must be reported."""
import json
import shutil

import pytest

from annotation.muser.validate import validate_path
from tests.muser_support import FIXTURES

REAL_FILES = ["legal_items/aqbq.json", "legal_items/zyjd.json", "legal_items/ft.json", "cases/cands_by_query.json",
              "cases/train_test.json", "labels/sim_scores.json", "labels/top30_dict.json", "labels/golden_labels.json"]


def _copy(muser_dir, tmp_path):
    for rel in REAL_FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(muser_dir / rel, tmp_path / rel)
    return tmp_path


def _load(p):
    return json.loads(p.read_text(encoding="utf-8"))


def _dump(p, data):
    p.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _find(issues, file_suffix, record, field, words):
    return [i for i in issues if i.file.endswith(file_suffix) and i.record == record and i.field == field
            and i.severity == "error" and all(w in i.message for w in words)]


def test_real_data_has_no_errors(muser_dir):
    issues = validate_path(muser_dir)
    assert [i for i in issues if i.severity == "error"] == []
    assert [i.record for i in issues] == ["以股抵债 "]       # the known trailing-space quirk, as a warning


def test_every_planted_error_in_real_copy_is_reported(muser_dir, tmp_path):
    root = _copy(muser_dir, tmp_path)
    ft = _load(root / "legal_items/ft.json")
    ft["level2"]["中华人民共和国合同法第八条"] = 35                 # not <law>-第N条
    ft["level2"]["中华人民共和国物权法-第一条"] = 36                # law not in level1
    _dump(root / "legal_items/ft.json", ft)
    zyjd = (root / "legal_items/zyjd.json").read_text(encoding="utf-8")
    zyjd = zyjd.replace('"利率法定额度限制": 4,', '"利率法定额度限制": 4,\n    "利率法定额度限制": 400,', 1)
    (root / "legal_items/zyjd.json").write_text(zyjd, encoding="utf-8")   # duplicate key (and a bad id)
    pools = _load(root / "cases/cands_by_query.json")
    pools["1410"][1] = pools["1410"][0]                               # duplicate candidate
    pools["2042"].append(2042)                                       # query as its own candidate
    _dump(root / "cases/cands_by_query.json", pools)
    split = _load(root / "cases/train_test.json")
    split["test"].append("1410")                                     # in train and test
    _dump(root / "cases/train_test.json", split)
    scores = _load(root / "labels/sim_scores.json")
    scores["4399"]["1000"] = 9                                       # outside 0..8
    scores["4399"]["999999"] = 3                                     # judged but not in the pool
    _dump(root / "labels/sim_scores.json", scores)
    top = _load(root / "labels/top30_dict.json")
    top["4399"]["471"] = 2                                           # disagrees with sim_scores (7)
    _dump(root / "labels/top30_dict.json", top)
    golden = _load(root / "labels/golden_labels.json")
    golden["4399"].append("146")                                     # score 5 < 7
    _dump(root / "labels/golden_labels.json", golden)

    issues = validate_path(root)
    planted = [
        ("ft.json", "中华人民共和国合同法第八条", "level2", ["not of the form"]),
        ("ft.json", "中华人民共和国物权法-第一条", "level2", ["not a level1 law"]),
        ("zyjd.json", "利率法定额度限制", "level3", ["duplicate label"]),
        ("zyjd.json", None, "level3", ["ids are not"]),
        ("cands_by_query.json", "1410", "candidates", ["duplicate candidate"]),
        ("cands_by_query.json", "2042", "candidates", ["its own candidate"]),
        ("train_test.json", "1410", "test", ["both train and test"]),
        ("sim_scores.json", "4399", "4399.1000", ["outside 0..8"]),
        ("sim_scores.json", "4399", "4399.999999", ["not in the query's pool"]),
        ("top30_dict.json", "4399", "4399.471", ["differs from sim_scores"]),
        ("golden_labels.json", "4399", "146", ["< 7"]),
    ]
    missing = [p for p in planted if not _find(issues, *p)]
    assert missing == [], "\n".join(str(i) for i in issues)


@pytest.fixture()
def corrupted_cases(tmp_path):
    cases = json.loads((FIXTURES / "cases_pool.json").read_text(encoding="utf-8"))
    c = cases["101"]
    n3, n1, nf = (len(c["split_labels"]["aqbq"]["level3"]), len(c["split_labels"]["zyjd"]["level1"]),
                  len(c["content"]["法条"]))
    c["split_labels"]["aqbq"]["level3"].append("不存在的标签")               # unknown label
    c["split_labels"]["zyjd"]["level1"].append("利率法定额度限制")            # a level-3 name at level 1
    c["labels"]["案情标签"][0]["sentence"] = 99                            # no such sentence
    c["content"]["法条"].append({"法律": "中华人民共和国合同法", "序号": "八条"})  # bad article key
    c["content"]["法条"].append({"法律": "中华人民共和国刑法", "序号": "第一条"})  # unknown law
    cases["104"]["uid"] = "999"                                           # uid differs from key
    cases["105"]["split_labels"]["aqbq"]["level3"].append("以股抵债")        # alias: warning only
    text = json.dumps(cases, ensure_ascii=False, indent=1)
    dup = json.dumps({"uid": "106"}, ensure_ascii=False)
    text = text.rstrip()[:-1] + f',\n "106": {dup}\n}}'                    # duplicate case id
    path = tmp_path / "cases_pool.json"
    path.write_text(text, encoding="utf-8")
    return path, n3, n1, nf


def test_every_planted_case_error_is_reported(corrupted_cases, muser_dir):
    path, n3, n1, nf = corrupted_cases
    issues = validate_path(path, schema_dir=muser_dir / "legal_items")
    planted = [
        ("cases_pool.json", "101", f"split_labels.aqbq.level3[{n3}]", ["unknown aqbq label"]),
        ("cases_pool.json", "101", f"split_labels.zyjd.level1[{n1}]", ["level3", "not level1"]),
        ("cases_pool.json", "101", "labels.案情标签[0].sentence", ["outside content.本院查明"]),
        ("cases_pool.json", "101", f"content.法条[{nf}]", ["not of the form"]),
        ("cases_pool.json", "101", f"content.法条[{nf + 1}].法律", ["not a known law"]),
        ("cases_pool.json", "104", "uid", ["differs from its key"]),
        ("cases_pool.json", "106", None, ["duplicate case id"]),
    ]
    missing = [p for p in planted if not _find(issues, *p)]
    assert missing == [], "\n".join(str(i) for i in issues)
    alias = [i for i in issues if i.record == "105" and i.severity == "warning"]
    assert alias and "only up to whitespace" in alias[0].message


def test_judgments_errors_have_line_numbers(tmp_path):
    lines = (FIXTURES / "judgments.jsonl").read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[0])
    bad["zyjd"] = 2                                                         # dispute focus allows 0/1/3
    lines.append(json.dumps(bad))                                           # also a duplicate (query, cand, annotator)
    lines.append("{not json")
    path = tmp_path / "judgments.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    issues = validate_path(path)
    n = len(lines)
    assert any(i.line == n - 1 and i.field == "zyjd" and "not in [0, 1, 3]" in i.message for i in issues)
    assert any(i.line == n - 1 and "duplicate judgment" in i.message for i in issues)
    assert any(i.line == n and "not valid JSON" in i.message for i in issues)


def test_built_dataset_view_scores_and_split_label_consistency(built_dataset, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(built_dataset, root)
    views = _load(root / "labels/view_scores.json")
    q, c = "104", "105"
    views[q][c]["zyjd"] = 2                                              # dispute focus allows 0/1/3
    _dump(root / "labels/view_scores.json", views)
    cases = _load(root / "cases/cases_pool.json")
    cases["102"]["split_labels"]["aqbq"]["level3"].remove("银行转账交付借款")  # still on a sentence
    _dump(root / "cases/cases_pool.json", cases)
    issues = validate_path(root)
    assert _find(issues, "view_scores.json", q, f"{q}.{c}.zyjd", ["not in [0, 1, 3]"])
    assert _find(issues, "view_scores.json", q, f"{q}.{c}", ["sum to"])
    assert any(i.record == "102" and i.field == "split_labels.aqbq.level3" and i.severity == "warning"
               and "银行转账交付借款" in i.message for i in issues)
