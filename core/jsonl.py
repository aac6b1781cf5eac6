"""The one JSONL (and JSON) reader: every problem is one error naming file, line and what is wrong.

Conventions, so every room reads user files the same way:
- UTF-8; a leading BOM and CRLF line ends are accepted; invalid UTF-8 is an error naming the line;
- strict JSON: NaN / Infinity are refused (they are not JSON and break every other reader);
- a key repeated in one object is refused in a JSON document (`read_json`, `parse_json`), naming the key
  and its line: Python's json keeps the last value without a word, so a run `{qid: {doc: score}}` or a
  predictions file with a repeated id would be scored on half of what its author wrote. JSONL records
  are checked only on request (`unique_keys=True`): the check costs a Python call per object;
- blank lines are skipped; each other line must be one JSON object;
- streamed line by line, so a multi-GB file never sits in memory;
- `tolerate_partial_tail`: a last line without its newline that does not parse is dropped (what a
  killed writer leaves behind) instead of being an error.
"""
from __future__ import annotations

import json
import re
from json import decoder as _decoder
from json import scanner as _scanner
from pathlib import Path
from typing import Any, Callable, Iterator

from core.errors import DataError, UserError, require_file
from core.lines import decoded_lines


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _Constant:
    """Stands in for NaN / Infinity while looking for the field that holds one."""

    def __init__(self, name: str) -> None:
        self.name = name


def _constant_field(obj: Any, where: str = "") -> tuple[str, str] | None:
    """(dotted field, "NaN") of the first non-finite constant in a parsed document, or None."""
    if isinstance(obj, _Constant):
        return where or "(top level)", obj.name
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in items:
        found = _constant_field(value, f"{where}[{key}]" if isinstance(obj, list) else
                                f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


def _constant_problem(text: str) -> str:
    """"field metrics.MAP: NaN is not valid JSON" for a document that parses only with constants."""
    try:
        found = _constant_field(json.loads(text, parse_constant=_Constant))
    except ValueError:
        found = None
    if found is None:
        return "not valid JSON (NaN / Infinity)"
    return f"field {found[0]}: {found[1]} is not valid JSON (numbers must be finite)"


def _decode(data: bytes, source: str, error: type[UserError]) -> str:
    """UTF-8 text without its BOM; invalid UTF-8 is an error naming the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{source}:{line}: not UTF-8") from None


class _DuplicateKey(ValueError):
    """A key seen twice in one JSON object (raised by `_unique_pairs`, located by `_duplicate_key`)."""

    def __init__(self, key: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(key)
        self.key, self.line, self.column = key, line, column


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` that refuses a repeated key (json.loads would keep the last value)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


_WS = re.compile(r"[ \t\n\r]*")


def _duplicate_key(text: str) -> _DuplicateKey | None:
    """The first repeated key of `text` in document order, with its line and column.

    Only called once the fast C parser has seen a duplicate: this walk uses the pure-Python scanner,
    whose object parser we replace by one that knows where each key starts.
    """
    def parse_object(s_and_end: tuple[str, int], strict: bool, scan_once: Callable[..., Any], *_: Any) -> Any:
        s, end = s_and_end
        seen: set[str] = set()
        end = _WS.match(s, end).end()  # type: ignore[union-attr]
        if s[end:end + 1] == "}":
            return {}, end + 1
        while True:
            start = end
            key, end = _decoder.scanstring(s, end + 1, strict)
            if key in seen:
                line = s.count("\n", 0, start) + 1
                raise _DuplicateKey(key, line, start - s.rfind("\n", 0, start))
            seen.add(key)
            end = _WS.match(s, end).end() + 1  # type: ignore[union-attr]   # past ':'
            _, end = scan_once(s, _WS.match(s, end).end())  # type: ignore[union-attr]
            end = _WS.match(s, end).end()  # type: ignore[union-attr]
            if s[end] == "}":
                return {}, end + 1
            end = _WS.match(s, end + 1).end()  # type: ignore[union-attr]   # past ','

    walker = json.JSONDecoder(parse_constant=lambda name: None)
    walker.parse_object = parse_object  # type: ignore[attr-defined]
    walker.scan_once = _scanner.py_make_scanner(walker)
    try:
        walker.decode(text)
    except _DuplicateKey as exc:
        return exc
    except (ValueError, IndexError, TypeError):       # not where the C parser stopped: no line to name
        return None
    return None


def _loads(text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    return json.loads(text, parse_constant=_no_constant, object_pairs_hook=object_pairs_hook)


def _duplicate_problem(text: str, exc: _DuplicateKey) -> tuple[str, str]:
    """("LINE:COLUMN: " or "", "duplicate key 'x' ...") for a text the C parser refused for a repeated key."""
    where = _duplicate_key(text) or exc
    at = f"{where.line}:{where.column}: " if where.line else ""
    return at, (f"duplicate key {where.key!r} in one object (JSON would keep only its last value; "
                f"each key must appear once)")


def scan_jsonl(path: str | Path, *, error: type[UserError] = DataError, unique_keys: bool = False
               ) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, record, None) for good lines and (line, None, problem) for bad ones, to the end.

    For validators, which report every bad line in one pass; `iter_jsonl` stops at the first.
    A missing file or a folder is still raised as `error` (there is nothing to scan).
    `unique_keys`: a key repeated inside a record is a problem of its line (see the module docstring).
    """
    path = require_file(path, "JSONL file", error=error)
    hook = _unique_pairs if unique_keys else None
    with open(path, "rb") as f:
        for lineno, raw, line, problem in decoded_lines(f):
            if problem is not None:
                yield lineno, None, problem
                continue
            if not line.strip():
                continue
            try:
                obj = _loads(line, hook)
            except _DuplicateKey as exc:
                yield lineno, None, _duplicate_problem(line, exc)[1]
                continue
            except json.JSONDecodeError as exc:
                tail = "" if raw.endswith(b"\n") else "; the last line is cut short"
                yield lineno, None, f"not valid JSON ({exc.msg}){tail}"
                continue
            except ValueError:
                yield lineno, None, _constant_problem(line)
                continue
            if not isinstance(obj, dict):
                yield lineno, None, f"expected a JSON object, got {type(obj).__name__}"
                continue
            yield lineno, obj, None


def iter_jsonl(path: str | Path, *, tolerate_partial_tail: bool = False,
               error: type[UserError] = DataError, unique_keys: bool = False
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based line number, record) for every non-blank line; the first bad line raises `error`."""
    path = Path(path)
    for lineno, obj, problem in scan_jsonl(path, error=error, unique_keys=unique_keys):
        if problem is None:
            yield lineno, obj
        elif tolerate_partial_tail and problem.endswith("cut short"):
            return                       # only the last line can lack its newline: a killed writer's tail
        else:
            raise error(f"{path}:{lineno}: {problem}")


def read_jsonl(path: str | Path, *, tolerate_partial_tail: bool = False,
               error: type[UserError] = DataError, unique_keys: bool = False) -> list[dict[str, Any]]:
    """All records of a JSONL file (see the module docstring for the conventions)."""
    return [rec for _, rec in iter_jsonl(path, tolerate_partial_tail=tolerate_partial_tail, error=error,
                                         unique_keys=unique_keys)]


def read_json(path: str | Path, *, what: str = "JSON file", error: type[UserError] = DataError,
              object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """One JSON document, with the same conventions (BOM ok, strict, errors name line and column).

    A repeated key in an object is an error naming it and its line, unless `object_pairs_hook` is
    given: it is handed to `json.loads` instead (validators use it to list duplicate keys themselves).
    """
    path = require_file(path, what, error=error)
    return parse_json(path.read_bytes(), source=str(path), what=what, error=error,
                      object_pairs_hook=object_pairs_hook)


def parse_json(data: bytes, *, source: str, what: str = "JSON file", error: type[UserError] = DataError,
               object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """`read_json` for bytes already in memory (a zip member); errors name `source` and the line."""
    text = _decode(data, source, error)
    if not text.strip():
        raise error(f"{source}: empty file, expected {what}")
    try:
        return _loads(text, object_pairs_hook or _unique_pairs)
    except _DuplicateKey as exc:
        at, problem = _duplicate_problem(text, exc)
        raise error(f"{source}:{at}{problem}" if at else f"{source}: {problem}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except ValueError:
        raise error(f"{source}: {_constant_problem(text)}") from None


def read_text(path: str | Path, *, what: str = "text file", error: type[UserError] = DataError) -> str:
    """A whole UTF-8 text file (entity lists, vocabularies, one-per-line sets): BOM dropped, invalid
    UTF-8 or binary data (NUL bytes) is an error naming the line. CRLF is left to `str.splitlines`."""
    path = require_file(path, what, error=error)
    text = _decode(path.read_bytes(), str(path), error)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise error(f"{path}:{line}: binary data (NUL byte), expected {what}")
    return text
