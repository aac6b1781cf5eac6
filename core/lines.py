"""Streaming UTF-8 lines of a user file: the one place that drops a BOM and names a bad byte's line.

`scan_jsonl` and the TREC readers stand on it, so a BOM, CRLF or a non-UTF-8 byte reads the same
(and is reported the same way) in every line-oriented format we accept.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from core.errors import DataError, UserError, require_file


def decoded_lines(f: BinaryIO) -> Iterator[tuple[int, bytes, str | None, str | None]]:
    """(1-based line, raw bytes, text or None, problem or None) for every line of a binary file.

    The BOM of line 1 is dropped; a line that is not UTF-8 comes back with text None and a problem
    naming the byte, so a validator can go on and a reader can raise.
    """
    for lineno, raw in enumerate(f, 1):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield lineno, raw, raw.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            yield lineno, raw, None, f"not UTF-8 (byte {exc.start + 1} of the line)"


def iter_lines(path: str | Path, *, what: str = "text file", error: type[UserError] = DataError
               ) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line; the first non-UTF-8 line raises `error` naming it."""
    path = require_file(path, what, error=error)
    with open(path, "rb") as f:
        for lineno, _raw, line, problem in decoded_lines(f):
            if problem is not None:
                raise error(f"{path}:{lineno}: {problem}")
            if line.strip():
                yield lineno, line
