"""What a valid UltraChat dialogue is, in any of its three formats, and a validator that reports every
problem with file, line, record id and field.

Formats: canonical (builder output: id, sector, opening_line, messages, meta, gen, license), raw release
({"id", "data": [utterances]}) and ultrachat_200k ({"prompt", "prompt_id", "messages"}). Rules common to
all: non-empty string id, unique ids within a file, strictly alternating user/assistant turns starting
with the user, an even number (>= 2) of non-empty string utterances. Format-specific: raw `data` is a
list of strings; 200k `prompt` equals the first user message and `prompt_id` is its sha256; canonical
`sector` is 1-3 and `opening_line` equals the first user message.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterator

from core import scan_jsonl
from annotation.issues import Issue


def _fmt(rec: dict[str, Any]) -> str:
    if "data" in rec:
        return "raw"
    if "prompt" in rec or "prompt_id" in rec:
        return "h4"
    return "canonical"


def validate_record(rec: Any, *, file: str, line: int | None = None, index: int = 0) -> list[Issue]:
    """Every issue of one record (an empty list when it is valid)."""
    if not isinstance(rec, dict):
        return [Issue(file, f"expected a JSON object, got {type(rec).__name__}", line=line)]
    fmt = _fmt(rec)
    rid_raw = rec.get("id", rec.get("prompt_id"))
    rid = str(rid_raw) if rid_raw is not None else f"#{index + 1}"
    issues: list[Issue] = []

    def bad(message: str, field: str | None) -> None:
        issues.append(Issue(file, message, record=rid, field=field, line=line))

    if fmt in ("raw", "canonical"):
        if not isinstance(rec.get("id"), str) or not rec.get("id"):
            bad("id must be a non-empty string", "id")
    if fmt == "raw":
        data = rec.get("data")
        if not isinstance(data, list):
            bad("data must be a list of utterances", "data")
            return issues
        turns = [(("user" if i % 2 == 0 else "assistant"), u, f"data[{i}]") for i, u in enumerate(data)]
    else:
        msgs = rec.get("messages")
        if not isinstance(msgs, list):
            bad("messages must be a list of {role, content}", "messages")
            return issues
        turns = []
        for i, m in enumerate(msgs):
            if not isinstance(m, dict):
                bad("message must be an object with role and content", f"messages[{i}]")
                continue
            want = "user" if i % 2 == 0 else "assistant"
            if m.get("role") != want:
                bad(f"role {m.get('role')!r} breaks user/assistant alternation (expected {want!r})",
                    f"messages[{i}].role")
            turns.append((want, m.get("content"), f"messages[{i}].content"))
    if len(turns) < 2:
        bad(f"a dialogue needs at least one user/assistant pair, got {len(turns)} utterance(s)",
            "data" if fmt == "raw" else "messages")
    elif len(turns) % 2:
        bad(f"odd number of utterances ({len(turns)}): the last user turn has no answer",
            "data" if fmt == "raw" else "messages")
    for _, content, field in turns:
        if not isinstance(content, str):
            bad("utterance must be a string", field)
        elif not content.strip():
            bad("empty utterance", field)
    first = turns[0][1] if turns else None
    if fmt == "h4":
        prompt = rec.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            bad("prompt must be a non-empty string", "prompt")
        else:
            if first is not None and prompt != first:
                bad("prompt differs from the first user message", "prompt")
            want_id = hashlib.sha256(prompt.encode("utf-8")).hexdigest()
            if rec.get("prompt_id") != want_id:
                bad("prompt_id is not the sha256 of prompt", "prompt_id")
    if fmt == "canonical":
        if "sector" in rec and rec["sector"] not in (1, 2, 3):
            bad(f"sector must be 1, 2 or 3, got {rec['sector']!r}", "sector")
        if "opening_line" in rec and first is not None and rec["opening_line"] != first:
            bad("opening_line differs from the first user message", "opening_line")
        if "meta" in rec and not isinstance(rec["meta"], dict):
            bad("meta must be an object", "meta")
    return issues


def _records(path: Path) -> Iterator[tuple[int | None, Any, Issue | None]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a broken file
            yield None, None, Issue(str(path), f"not a readable parquet file ({exc})")
            return
        for row in rows:
            yield None, row, None
        return
    for lineno, rec, problem in scan_jsonl(path):
        yield lineno, rec, (None if problem is None else Issue(str(path), problem, line=lineno))


def validate_path(path: str | Path) -> list[Issue]:
    """All issues of a JSONL/parquet file, or of every such file in a folder (HF export or build output)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.rglob("*.parquet")) or sorted(path.glob("ultrachat*.jsonl"))
        if not files:
            return [Issue(str(path), "no *.parquet or ultrachat*.jsonl files to validate")]
        return [i for f in files for i in validate_path(f)]
    if not path.exists():
        return [Issue(str(path), "file not found")]
    issues: list[Issue] = []
    seen: dict[str, int | None] = {}
    index = -1
    for index, (lineno, rec, parse_issue) in enumerate(_records(path)):
        if parse_issue is not None:
            issues.append(parse_issue)
            continue
        issues += validate_record(rec, file=str(path), line=lineno, index=index)
        if isinstance(rec, dict):
            rid = rec.get("id", rec.get("prompt_id"))
            if isinstance(rid, str) and rid:
                if rid in seen:
                    issues.append(Issue(str(path), f"duplicate id (first at line {seen[rid]})", record=rid,
                                        field="id", line=lineno))
                else:
                    seen[rid] = lineno
    if index < 0:
        issues.append(Issue(str(path), "no records (empty file)"))
    return issues
