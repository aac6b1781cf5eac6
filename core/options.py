"""`KEY=VALUE` command-line options (`--param`, `-p`, `--llm-option`, `--data-dir`), parsed one way everywhere.

A key nobody reads is refused (`accepted=` here, or `check_keys` once the reader is known): a typo such as
`per_qeury=4` would otherwise be ignored without a word and the default used, which is a silent wrong figure.
"""
from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from core.errors import UserError

__all__ = ["parse_key_values", "check_keys"]


def parse_key_values(items: Iterable[str], *, flag: str, error: type[UserError] = UserError,
                     json_values: bool = True, expected: str = "KEY=VALUE",
                     accepted: Iterable[str] | None = None, what: str = "") -> dict[str, Any]:
    """`["k1=1.2", "stem=false", "name=x"]` -> `{"k1": 1.2, "stem": False, "name": "x"}`.

    With `json_values`, a VALUE that parses as JSON (numbers, true/false, null, lists) is taken as JSON,
    anything else as the string, so `-p k1=1.2` is a float and `-p model=x/y` a string. Keys are stripped;
    an item without `=` or with an empty key raises `error` naming the flag and the item. With `accepted`,
    a key outside it raises `error` naming the accepted keys (`what` says whose keys they are)."""
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
    if accepted is not None:
        check_keys(out, accepted, flag=flag, what=what, error=error)
    return out


def check_keys(given: Iterable[str], accepted: Iterable[str], *, flag: str, what: str = "",
               error: type[UserError] = UserError) -> None:
    """Raise `error` for the first key of `given` outside `accepted`: `--param per_qeury: unknown key for
    WHAT (did you mean per_query?); accepted: limit, per_query, queries`."""
    known = sorted(set(accepted))
    unknown = [k for k in given if k not in known]
    if not unknown:
        return
    near = difflib.get_close_matches(unknown[0], known, n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])})" if len(unknown) > 1 else ""
    raise error(f"{flag} {unknown[0]}: unknown key{' for ' + what if what else ''}{hint}{more}; "
                f"accepted: {', '.join(known) if known else 'none'}")
