"""The one JSONL/JSON reader: every bad line is one UserError naming file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from core import DataError, UserError, iter_jsonl, read_json, read_jsonl, scan_jsonl


def _write(tmp_path: Path, data: bytes, name: str = "f.jsonl") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_bom_crlf_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    p = _write(tmp_path, b'\xef\xbb\xbf{"id": "a"}\r\n\r\n{"id": "b"}\r\n')
    assert [r["id"] for r in read_jsonl(p)] == ["a", "b"]


@pytest.mark.parametrize("data, needle, line", [
    (b'{"id": "a"}\n{"id": \n', "not valid JSON", 2),
    (b'{"id": "a"}\n[1, 2]\n', "expected a JSON object, got list", 2),
    (b'{"id": "a", "score": NaN}\n', "NaN is not valid JSON", 1),
    (b'{"id": "a"}\n{"id": "\xff\xfe"}\n', "not UTF-8", 2),
    (b'{"s": Infinity}\n', "Infinity", 1),
])
def test_bad_line_names_file_and_line(tmp_path: Path, data: bytes, needle: str, line: int) -> None:
    p = _write(tmp_path, data)
    with pytest.raises(DataError) as exc:
        read_jsonl(p)
    assert f"{p}:{line}:" in str(exc.value) and needle in str(exc.value)


def test_error_class_is_the_callers(tmp_path: Path) -> None:
    class MyError(UserError):
        pass

    with pytest.raises(MyError, match="not found"):
        read_jsonl(tmp_path / "missing.jsonl", error=MyError)
    with pytest.raises(MyError, match="is a directory"):
        read_jsonl(tmp_path, error=MyError)


def test_partial_tail_is_dropped_only_when_asked_and_only_at_the_end(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "te')
    assert [r["id"] for r in read_jsonl(p, tolerate_partial_tail=True)] == ["a", "b"]
    with pytest.raises(DataError, match=":3: .*cut short"):
        read_jsonl(p)
    q = _write(tmp_path, b'{"id": "a"}\n{"id": \n{"id": "c"}\n', "mid.jsonl")
    with pytest.raises(DataError, match=":2:"):
        read_jsonl(q, tolerate_partial_tail=True)


def test_scan_reports_every_bad_line_and_keeps_going(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{"id": "a"}\nnope\n{"id": "c"}\n7\n')
    got = [(n, rec is not None, problem is None) for n, rec, problem in scan_jsonl(p)]
    assert got == [(1, True, True), (2, False, False), (3, True, True), (4, False, False)]
    assert [n for n, _ in iter_jsonl(_write(tmp_path, b'\n{"a": 1}\n\n{"a": 2}\n', "g.jsonl"))] == [2, 4]


def test_one_long_line_streams(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{"text": "' + b"x" * 5_000_000 + b'"}\n')
    assert len(read_jsonl(p)[0]["text"]) == 5_000_000


def test_read_json_errors_name_line_and_column(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{\n  "a": 1,\n  "b": \n}', "x.json")
    with pytest.raises(DataError, match=r"x.json:4:1: not valid JSON"):
        read_json(p)
    with pytest.raises(DataError, match="empty file"):
        read_json(_write(tmp_path, b"  \n", "e.json"))
    assert read_json(_write(tmp_path, '\ufeff{"中": 1}'.encode(), "bom.json")) == {"中": 1}


def test_nan_names_the_field_in_json_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text('{"metrics": {"std": {"MAP": NaN}}, "runs": [1, Infinity]}')
    with pytest.raises(DataError, match=r"r\.json: field metrics\.std\.MAP: NaN is not valid JSON"):
        read_json(tmp_path / "r.json")
    (tmp_path / "r.jsonl").write_text('{"a": 1}\n{"b": [0, -Infinity]}\n')
    with pytest.raises(DataError, match=r"r\.jsonl:2: field b\[1\]: -Infinity is not valid JSON"):
        read_jsonl(tmp_path / "r.jsonl")


def test_parse_json_names_the_source_and_keeps_duplicate_keys_visible() -> None:
    from core import parse_json

    with pytest.raises(DataError, match=r"^sub\.zip:results/a\.json:2:\d+: not valid JSON"):
        parse_json(b'{"a": 1,\n "b": }', source="sub.zip:results/a.json")
    seen: list[str] = []
    parse_json(b'{"k": 1, "k": 2}', source="x", object_pairs_hook=lambda pairs: seen.extend(k for k, _ in pairs))
    assert seen == ["k", "k"]


def test_read_text_accepts_bom_and_refuses_bad_utf8_and_binary(tmp_path: Path) -> None:
    from core import read_text

    (tmp_path / "ok.txt").write_bytes(b"\xef\xbb\xbfParis\r\nLondon\r\n")
    assert read_text(tmp_path / "ok.txt").splitlines() == ["Paris", "London"]
    (tmp_path / "bad.txt").write_bytes(b"ok\nok\ncaf\xe9\n")
    with pytest.raises(DataError, match=r"bad\.txt:3: not UTF-8"):
        read_text(tmp_path / "bad.txt")
    (tmp_path / "bin.txt").write_bytes(b"a\nb\x00c")
    with pytest.raises(DataError, match=r"bin\.txt:2: binary data"):
        read_text(tmp_path / "bin.txt")


@pytest.mark.parametrize("text, key, where", [
    ('{"1": {"184": 2.0, "29": 1.5},\n "2": {"12": 1.0, "184": 0.5, "12": 3.0}}', "12", "2:31"),  # an inner object
    ('{"q1": "Paris",\n "q2": "Rome",\n "q1": "Lyon"}', "q1", "3:2"),                             # the top level
    ('{"a": 1, "a": {"b": 1, "b": 2}}', "a", "1:10"),      # the first in document order, not the first closed
    ('[{"id": "x"}, {"id": "y", "s": "a \\"id\\": b", "id": "z"}]', "id", "1:47"),  # not the quoted one in a string
])
def test_a_repeated_key_is_an_error_naming_it_and_its_line(tmp_path: Path, text: str, key: str, where: str) -> None:
    p = _write(tmp_path, text.encode(), "run.json")
    with pytest.raises(DataError) as exc:
        read_json(p)
    assert str(exc.value).startswith(f"{p}:{where}: duplicate key {key!r}"), str(exc.value)


def test_the_same_key_in_different_objects_is_fine_and_jsonl_checks_on_request(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{"1": {"184": 2.0}, "2": {"184": 1.0}}', "run.json")
    assert read_json(p) == {"1": {"184": 2.0}, "2": {"184": 1.0}}
    q = _write(tmp_path, b'{"id": "a", "prediction": "x"}\n{"id": "b", "prediction": "y", "prediction": "z"}\n')
    assert read_jsonl(q)[1]["prediction"] == "z"                  # JSONL records: unchecked unless asked (speed)
    with pytest.raises(DataError, match=r"f\.jsonl:2: duplicate key 'prediction'"):
        read_jsonl(q, unique_keys=True)
