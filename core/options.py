"""`KEY=VALUE` command-line options (`--param`, `-p`, `--llm-option`, `--data-dir`), parsed one way everywhere."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from core.errors import UserError

__all__ = ["parse_key_values"]


def parse_key_values(items: Iterable[str], *, flag: str, error: type[UserError] = UserError,
                     json_values: bool = True, expected: str = "KEY=VALUE") -> dict[str, Any]:
    """`["k1=1.2", "stem=false", "name=x"]` -> `{"k1": 1.2, "stem": False, "name": "x"}`.

    With `json_values`, a VALUE that parses as JSON (numbers, true/false, null, lists) is taken as JSON,
    anything else as the string, so `-p k1=1.2` is a float and `-p model=x/y` a string. Keys are stripped;
    an item without `=` or with an empty key raises `error` naming the flag and the item."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise error(f"{flag} {item!r}: expected {expected}")
        if json_values:
            try:
                out[key] = json.loads(raw)
            except json.JSONDecodeError:
                out[key] = raw
        else:
            out[key] = raw
    return out
