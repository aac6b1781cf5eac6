import math

import pytest

from annotation.muser.schema import LabelSchema
from builders.muser.pooling import pool
from annotation.muser.similarity import grade, similarity, view_similarity


def test_level_weighted_cosine_by_hand(muser_dir):
    s = LabelSchema.load(muser_dir / "legal_items")
    a = {"aqbq": {"level1": {"担保"}, "level2": {"保证"}, "level3": {"连带保证", "一般保证"}},
         "zyjd": {"level1": set(), "level2": set(), "level3": set()},
         "ft": {"level1": {"中华人民共和国合同法"}, "level2": {"中华人民共和国合同法-第六十二条"}}}
    b = {"aqbq": {"level1": {"担保"}, "level2": {"保证"}, "level3": {"连带保证"}},
         "zyjd": {"level1": {"担保"}, "level2": set(), "level3": set()},
         "ft": {"level1": {"中华人民共和国合同法"}, "level2": {"中华人民共和国合同法-第七十九条"}}}
    v = view_similarity(a, b, s)
    assert v["aqbq"] == pytest.approx(11 / 291 + 69 / 291 + 211 / 291 * (1 / math.sqrt(2)))
    assert v["zyjd"] == 0.0                                   # an empty vector gives 0, not NaN
    assert v["ft"] == pytest.approx(8 / 43)
    assert similarity(a, b, s) == pytest.approx(0.5 * v["aqbq"] + 0.1 * v["ft"])


def test_grades_stay_in_allowed_values():
    assert [grade("aqbq", x) for x in (0, 0.2, 0.5, 0.9, 1)] == [0, 1, 2, 3, 3]
    assert [grade("zyjd", x) for x in (0, 0.2, 0.5, 0.7, 1)] == [0, 1, 1, 3, 3]
    assert [grade("ft", x) for x in (0, 0.4, 0.6, 1)] == [0, 0, 2, 2]


def test_pool_round_robin_depth_and_size():
    a = ["q", "1", "2", "3", "4"]
    b = ["2", "5", "6", "q", "7"]
    assert pool([a, b], depth=3, query_id="q") == ["1", "2", "5", "3", "6"]
    assert pool([a, b], depth=3, query_id="q", size=3) == ["1", "2", "5"]
