"""The one JSONL (and JSON) reader: every problem is one error naming file, line and what is wrong.

Conventions, so every room reads user files the same way:
- UTF-8; a leading BOM and CRLF line ends are accepted; invalid UTF-8 is an error naming the line;
- strict JSON: NaN / Infinity are refused (they are not JSON and break every other reader);
- blank lines are skipped; each other line must be one JSON object;
- streamed line by line, so a multi-GB file never sits in memory;
- `tolerate_partial_tail`: a last line without its newline that does not parse is dropped (what a
  killed writer leaves behind) instead of being an error.
"""
from __future__ import annotations

import json
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


def _loads(text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    return json.loads(text, parse_constant=_no_constant, object_pairs_hook=object_pairs_hook)


def scan_jsonl(path: str | Path, *, error: type[UserError] = DataError
               ) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, record, None) for good lines and (line, None, problem) for bad ones, to the end.

    For validators, which report every bad line in one pass; `iter_jsonl` stops at the first.
    A missing file or a folder is still raised as `error` (there is nothing to scan).
    """
    path = require_file(path, "JSONL file", error=error)
    with open(path, "rb") as f:
        for lineno, raw, line, problem in decoded_lines(f):
            if problem is not None:
                yield lineno, None, problem
                continue
            if not line.strip():
                continue
            try:
                obj = _loads(line)
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
               error: type[UserError] = DataError) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based line number, record) for every non-blank line; the first bad line raises `error`."""
    path = Path(path)
    for lineno, obj, problem in scan_jsonl(path, error=error):
        if problem is None:
            yield lineno, obj
        elif tolerate_partial_tail and problem.endswith("cut short"):
            return                       # only the last line can lack its newline: a killed writer's tail
        else:
            raise error(f"{path}:{lineno}: {problem}")


def read_jsonl(path: str | Path, *, tolerate_partial_tail: bool = False,
               error: type[UserError] = DataError) -> list[dict[str, Any]]:
    """All records of a JSONL file (see the module docstring for the conventions)."""
    return [rec for _, rec in iter_jsonl(path, tolerate_partial_tail=tolerate_partial_tail, error=error)]


def read_json(path: str | Path, *, what: str = "JSON file", error: type[UserError] = DataError,
              object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """One JSON document, with the same conventions (BOM ok, strict, errors name line and column).

    `object_pairs_hook` is handed to `json.loads` (validators use it to see duplicate keys).
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
        return _loads(text, object_pairs_hook)
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
