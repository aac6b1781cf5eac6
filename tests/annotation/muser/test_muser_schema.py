from annotation.muser.schema import CaseRecord, LabelSchema
from tests.muser_support import FIXTURES


def test_real_schema_counts_and_quirks(muser_dir):
    s = LabelSchema.load(muser_dir / "legal_items")
    assert [len(s.labels("aqbq", f"level{i}")) for i in (1, 2, 3)] == [11, 69, 211]
    assert [len(s.labels("zyjd", f"level{i}")) for i in (1, 2, 3)] == [11, 121, 294]
    assert [len(s.labels("ft", f"level{i}")) for i in (1, 2)] == [8, 35]
    shared = s.shared_names("aqbq")
    assert len(shared) == 27 and shared["诉讼时效、担保期限、除斥期间"] == ["level1", "level2"]
    assert len(s.shared_names("zyjd")) == 3
    # the trailing-space label: exact key is canonical, the stripped form is an alias
    assert s.canonical("aqbq", "level3", "以股抵债") == "以股抵债 "
    assert s.canonical("aqbq", "level2", "以股抵债") is None
    laws = s.labels("ft", "level1")
    assert all(s.statute_parent(k) in laws for k in s.labels("ft", "level2"))
    assert abs(s.level_weights("aqbq")["level3"] - 211 / 291) < 1e-12


def test_case_record_round_trip():
    import json
    raw = json.loads((FIXTURES / "cases_pool.json").read_text(encoding="utf-8"))["101"]
    rec = CaseRecord.from_dict("101", raw)
    assert rec.to_dict() == raw
    assert rec.text.startswith("张某与李某系朋友关系。")
    assert "最高人民法院关于审理民间借贷案件适用法律若干问题的规定-第二十六条" in rec.element_sets()["ft"]["level2"]
