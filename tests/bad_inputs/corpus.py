"""The bad-input corpus: every kind of broken user file, generated at test time (no binary junk committed).

A *case* is a named way for an input to be wrong. `write_case(name, path)` puts it at `path` (a file,
a folder, or nothing at all for "missing"). Cases are grouped by the shape of input they break:

- `COMMON`: any file (missing, a folder, empty, binary garbage, not UTF-8);
- `JSONL`: line-oriented JSON (cut-off last line, NaN, a non-object line, wrong field types);
- `JSON`: one JSON document (cut off, NaN, an array where an object is wanted, a bare string);
- `TREC`: TREC run / qrels text (5 columns, a word as score, NaN score, a non-integer grade);
- `ZIP`: submission archives (`../x` member, symlink member, zip-bomb-like ratio, cut-off archive,
  manifest that is not JSON);
- `FOLDER`: where a folder is wanted (missing, a file instead, empty).

`ACCEPT` cases (BOM + CRLF of a valid file) must be read like the plain file: success or a clean error.
The 50 MB single line (`huge_line`) is written into the test's tmp_path only.
"""
from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path
from typing import Callable

BINARY = bytes(range(256)) * 16 + b"\x00\xff" * 512

COMMON: dict[str, bytes | None] = {
    "missing": None,                      # nothing at the path
    "directory": None,                    # a folder where a file is wanted
    "empty": b"",
    "binary": BINARY,
    "non_utf8": b'{"id": "a", "text": "caf\xe9 \xff\xfe"}\n',
}

JSONL: dict[str, bytes] = {
    "truncated_jsonl": b'{"id": "a", "text": "fine"}\n{"id": "b", "te',
    "nan_jsonl": b'{"id": "a", "score": NaN, "text": "x"}\n',
    "not_object_jsonl": b'{"id": "a", "text": "x"}\n[1, 2, 3]\n',
    "wrong_types_jsonl": b'{"id": 5, "text": 7, "turns": "x", "question": 3, "context": null}\n',
}

JSON: dict[str, bytes] = {
    "truncated_json": b'{"a": {"b": [1, 2',
    "nan_json": b'{"q1": {"d1": NaN}}',
    "array_json": b"[1, 2, 3]",
    "string_json": b'"just a string"',
}

TREC_RUN: dict[str, bytes] = {
    "five_columns": b"1 Q0 d1 1 2.5\n",
    "word_score": b"1 Q0 d1 1 high tag\n",
    "nan_score": b"1 Q0 d1 1 nan tag\n",
    "duplicate_docid": b"1 Q0 d1 1 2.0 tag\n1 Q0 d1 2 1.0 tag\n",
    "unknown_ids": b"999 Q0 nodoc 1 2.0 tag\n",
}

TREC_QRELS: dict[str, bytes] = {
    "qrels_float_grade": b"1 0 184 2.5\n",
    "qrels_word_grade": b"1 0 184 high\n",
    "qrels_five_columns": b"1 0 184 2 x\n",
}

FOLDER: dict[str, bytes | None] = {"missing": None, "file_not_folder": b"not a folder\n", "empty_folder": None}

ZIP = ("zip_traversal", "zip_symlink", "zip_bomb", "zip_truncated", "zip_corrupt_member", "zip_not_zip",
       "zip_bad_manifest", "zip_no_manifest", "zip_duplicate_member")

HUGE_LINE_BYTES = 50 * 1024 * 1024


def _zip_bytes(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data)
    return buf.getvalue()


def _manifest() -> bytes:
    return b'{"format": "databench-submission", "version": 1, "entries": []}'


def zip_case(name: str) -> bytes:
    """A submission zip broken in one way (every archive stays under 1 MB on disk)."""
    if name == "zip_traversal":
        return _zip_bytes([("manifest.json", _manifest()), ("../x.json", b"{}")])
    if name == "zip_symlink":
        info = zipfile.ZipInfo("results/link.json")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        return _zip_bytes([("manifest.json", _manifest()), (info, b"/etc/passwd")])
    if name == "zip_bomb":
        # 16 MiB of zeros at an allowed path, under the per-member cap: only the ratio (~1000:1) gives it away
        return _zip_bytes([("manifest.json", _manifest()), ("results/cranfield/bomb.json", b"0" * (16 << 20))])
    if name == "zip_truncated":
        data = _zip_bytes([("manifest.json", _manifest()), ("results/a.json", b"{}" * 5000)])
        return data[: len(data) // 2]
    if name == "zip_corrupt_member":          # central directory intact, member bytes damaged (CRC error)
        payload = b'{"format": "databench-submission", "padding": "' + b"abcdefgh" * 64 + b'"}'
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("manifest.json", payload)
        data = bytearray(buf.getvalue())
        at = data.find(b"abcdefgh")
        data[at:at + 8] = b"XXXXXXXX"
        return bytes(data)
    if name == "zip_not_zip":
        return BINARY
    if name == "zip_bad_manifest":
        return _zip_bytes([("manifest.json", b'{"format": "databench-submission", "entr')])
    if name == "zip_no_manifest":
        return _zip_bytes([("results/a.json", b"{}")])
    if name == "zip_duplicate_member":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # zipfile warns "Duplicate name"
            return _zip_bytes([("manifest.json", _manifest()), ("manifest.json", _manifest())])
    raise KeyError(name)


def bom_crlf(good: bytes) -> bytes:
    """The same content with a UTF-8 BOM and CRLF line ends (Windows editors write this)."""
    return b"\xef\xbb\xbf" + good.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def write_huge_line(path: Path, head: bytes = b'{"id": "a", "text": "', fill: bytes = b"x") -> Path:
    """A 50 MB line with no end (streamed in 1 MB chunks; never committed, always in tmp_path)."""
    chunk = fill * (1 << 20)
    with open(path, "wb") as f:
        f.write(head)
        for _ in range(HUGE_LINE_BYTES >> 20):
            f.write(chunk)
    return path


def write_case(name: str, path: Path, *, good: bytes | None = None) -> Path:
    """Create case `name` at `path` and return `path` (for "missing", nothing is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if name == "missing":
        return path
    if name in ("directory", "empty_folder"):
        path.mkdir()
        if name == "directory":
            (path / "inside.txt").write_text("a folder, not a file\n")
        return path
    if name == "bom_crlf":
        assert good is not None, "bom_crlf needs the slot's good content"
        path.write_bytes(bom_crlf(good))
        return path
    if name == "huge_line":
        return write_huge_line(path)
    if name == "huge_trec_line":
        return write_huge_line(path, head=b"", fill=b"y")
    if name.startswith("zip_"):
        path.write_bytes(zip_case(name))
        return path
    for table in (COMMON, JSONL, JSON, TREC_RUN, TREC_QRELS, FOLDER):
        if name in table:
            data = table[name]
            assert data is not None
            path.write_bytes(data)
            return path
    raise KeyError(f"unknown bad-input case {name!r}")


Writer = Callable[[str, Path], Path]
