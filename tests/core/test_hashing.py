from __future__ import annotations

import hashlib
from pathlib import Path

from core import canonical_json, sha256_file, sha256_json, sha256_text


def test_file_hash_equals_hashlib_across_chunk_boundaries(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000          # > 2 chunks of 1 MiB
    p = tmp_path / "b"
    p.write_bytes(data)
    assert sha256_file(p) == hashlib.sha256(data).hexdigest()


def test_canonical_json_ignores_key_order_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": "中"}) == '{"a":"中","b":1}'
    assert sha256_json({"b": 1, "a": 2}) == sha256_json({"a": 2, "b": 1}) == sha256_text('{"a":2,"b":1}')
