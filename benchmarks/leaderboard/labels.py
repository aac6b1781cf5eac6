"""Readable labels for a leaderboard row: who named the model, what it is, and how it was set.

A params cell is read by a person scanning a table: `bm25 k1=1.2 b=0.75, lang=en` or
`rrf k=60: bm25 (k1=1.2 b=0.75) + bm25-rank (k1=1.2 b=0.75)`, not a nested dict with tokenizer
regexes; the full record sits on the result's own page. Nothing here prints a path: file references
show their basename only (the sha256 is on the record page).
"""
from __future__ import annotations

from typing import Any

# implementation details that are the same for every run of a retriever: in the record, not in the cell
NOISE = frozenset({"variant", "keeps", "backend", "method", "idf_method", "dtype", "search", "pattern", "lowercase",
                   "epsilon", "depth", "weights", "norm", "sha256", "listing_sha256", "revision", "device",
                   "batch_size", "devices"})
FIRST = ("k1", "b", "fusion", "rrf_k", "model", "seed", "train", "run", "predictions", "file", "lang", "tokenizer",
         "stem", "stopwords")
MAX_TEXT = 32
EXTERNAL = ("external-run", "external-predictions")


def _basename(text: str) -> str:
    return text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _value(key: str, value: Any) -> str | None:
    """One `key=value` item, or None when it says nothing a reader needs."""
    if value is None or key in NOISE:
        return None
    if isinstance(value, dict):
        if "file" in value or "folder" in value:             # a provenance.file_ref
            return f"{key}={_basename(str(value.get('file') or value.get('folder')))}"
        if key == "tokenizer":
            items = [f"lang={value.get('name')}"] if value.get("name") else []
            items += [f"{k}={'yes' if value[k] is True else value[k]}" for k in ("stem", "stopwords")
                      if value.get(k) not in (None, False)]
            return ", ".join(items) or None
        inner = summary(value)
        return f"{key}({inner})" if inner else None
    if isinstance(value, list):
        return None if not value else f"{key}=[{len(value)}]"
    if isinstance(value, bool):
        return f"{key}={'yes' if value else 'no'}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if "/" in text or "\\" in text:
        text = _basename(text)
    if len(text) > MAX_TEXT:
        return None                                          # prose (a description): in the record
    return f"{key}={text}"


def summary(params: dict[str, Any]) -> str:
    """`k1=1.2 b=0.75, lang=en, stopwords=lucene`: settings first, then the rest, noise left out."""
    if not isinstance(params, dict):
        return ""
    if isinstance(params.get("parts"), list):                # a fusion: rrf k=60: a (..) + b (..); shared
        parts = [p for p in params["parts"] if isinstance(p, dict)]
        lists = [_items(p.get("params") or {}) for p in parts]
        common = [i for i in (lists[0] if lists else []) if len(lists) > 1 and all(i in li for li in lists)]
        own = [_join([i for i in li if i not in common]) for li in lists]
        shown = [f"{p.get('name')}" + (f" ({o})" if o else "") for p, o in zip(parts, own)]
        head = str(params.get("fusion") or "fusion")
        if params.get("rrf_k") is not None:
            head += f" k={_value('k', params['rrf_k'])[2:]}"
        return f"{head}: " + " + ".join(shown) + (f"; {_join(common)}" if common else "")
    return _join(_items(params))


def _items(params: dict[str, Any]) -> list[str]:
    keys = [k for k in FIRST if k in params] + sorted(k for k in params if k not in FIRST)
    return [item for item in (_value(k, params[k]) for k in keys) if item]


def _join(items: list[str]) -> str:
    numeric = [i for i in items if i.split("=")[0] in ("k1", "b")]
    rest = [i for i in items if i not in numeric]
    return ", ".join(([" ".join(numeric)] if numeric else []) + rest)


def model_label(name: str) -> str:
    """The technical model id as a reader says it: `external-run:bm25_top100` -> `external run bm25_top100`."""
    for prefix in EXTERNAL:
        if name == prefix or name.startswith(prefix + ":"):
            rest = name[len(prefix) + 1:]
            return prefix.replace("-", " ") + (f" {_basename(rest)}" if rest else "")
    return _basename(name) if ("/" in name and " " not in name and len(name) > 40) else name


def flat(params: Any, prefix: str = "") -> dict[str, str]:
    """{"tokenizer.stem": "None", ...}: what to compare between two results of one model."""
    if isinstance(params, dict):
        if "file" in params and "sha256" in params:
            return {prefix.rstrip("."): f"{_basename(str(params['file']))}"}
        out: dict[str, str] = {}
        for k, v in params.items():
            out.update(flat(v, f"{prefix}{k}."))
        return out
    if isinstance(params, list):
        out = {}
        for i, v in enumerate(params):
            out.update(flat(v, f"{prefix}{i}."))
        return out
    return {prefix.rstrip("."): str(params)}


def differences(rows: list[dict[str, Any]]) -> list[str]:
    """For rows sharing a display name: what tells each apart (params that differ, then submitter, date).

    Each row is {"model_id", "params", "org", "date", "submission"}; returns one label per row
    ('' when the name is unique in its table)."""
    if len(rows) < 2:
        return [""] * len(rows)
    ids = {str(r.get("model_id")) for r in rows}
    flats = [flat(r["params"]) for r in rows]
    keys = sorted({k for f in flats for k in f if len({g.get(k) for g in flats}) > 1
                   and k.rsplit(".", 1)[-1] not in NOISE})
    out = []
    for r, f in zip(rows, flats):
        if len(ids) > 1:                                     # different models: the model id says it
            items = [model_label(str(r.get("model_id")))]
        else:
            items = [f"{k.rsplit('.', 1)[-1]}={_basename(f.get(k, '-'))}" for k in keys][:3]
        if len({str(x.get("org")) for x in rows}) > 1:
            items.append(f"by {r.get('org') or 'unnamed'}")
        for field in ("date", "submission"):              # only when params and submitter do not tell
            if not items and len({str(x.get(field)) for x in rows}) > 1:
                items.append(str(r.get(field)))
        out.append(" \u00b7 ".join(items))
    return out


__all__ = ["summary", "model_label", "differences", "flat"]
