"""core.options: the one KEY=VALUE parser refuses keys nobody reads, naming the accepted ones."""
from __future__ import annotations

import pytest

from core import UserError
from core.options import check_keys, parse_key_values


class KindError(UserError):
    pass


def test_values_parse_as_json_or_string():
    assert parse_key_values(["k1=1.2", "stem=false", "name=x/y", " b =0"], flag="-p") == \
        {"k1": 1.2, "stem": False, "name": "x/y", "b": 0}
    assert parse_key_values(["n=4"], flag="-p", json_values=False) == {"n": "4"}


def test_unknown_key_is_refused_with_the_accepted_ones_and_a_near_match():
    with pytest.raises(KindError) as exc:
        parse_key_values(["per_qeury=4"], flag="--param", error=KindError, accepted=("queries", "per_query", "limit"),
                         what="annotation kind muser-pairs")
    msg = str(exc.value)
    assert msg.startswith("--param per_qeury: unknown key for annotation kind muser-pairs")
    assert "did you mean per_query?" in msg and msg.endswith("accepted: limit, per_query, queries")


def test_accepted_keys_pass_and_an_empty_accepted_set_refuses_every_key():
    assert parse_key_values(["limit=3"], flag="-p", accepted=["limit"]) == {"limit": 3}
    check_keys({}, (), flag="-p")
    with pytest.raises(UserError, match=r"-p x: unknown key; accepted: none"):
        check_keys({"x": 1}, (), flag="-p")
    with pytest.raises(UserError, match=r"and 2 more: b, c"):
        check_keys(["a", "b", "c"], ["z"], flag="-p")


def test_malformed_item_names_the_flag():
    with pytest.raises(UserError, match=r"--llm-option 'noequals': expected KEY=VALUE"):
        parse_key_values(["noequals"], flag="--llm-option")
