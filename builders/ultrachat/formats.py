"""The three dialogue formats and the conversions between them.

- canonical (what the builder writes): {"id", "sector", "opening_line", "messages": [{role, content}],
  "meta": lineage, "gen": models/params/seed/usage, "license"}
- raw release (thunlp/UltraChat, `stingning/ultrachat`): {"id", "data": [alternating utterances]}
- ultrachat_200k (HuggingFaceH4): {"prompt", "prompt_id" = sha256(prompt), "messages"}, parquet,
  splits train_sft / test_sft / train_gen / test_gen.
Our exports keep the lineage metadata on every record (extra keys/columns), which both readers ignore.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa

from annotation.issues import Issue
from annotation.ultrachat import validate_record
from builders.common.hf_folder import write_hf_folder
from core import atomic_write_jsonl, iter_jsonl, read_json
from core.checkpointed import JobError
from engines.executors import shard_of

H4_SPLITS = ("train_sft", "test_sft", "train_gen", "test_gen")
LINEAGE_FIELDS = ("meta_topic", "subtopic", "entity", "seed_question", "material_type", "material_id",
                  "source_url", "instruction", "template_id", "persona_id", "node_id", "parent_id", "kind")

_LINEAGE_TYPE = pa.struct([(f, pa.int64() if f == "template_id" else pa.string()) for f in LINEAGE_FIELDS])
H4_SCHEMA = pa.schema([
    ("prompt", pa.string()), ("prompt_id", pa.string()),
    ("messages", pa.list_(pa.struct([("content", pa.string()), ("role", pa.string())]))),
    ("id", pa.string()), ("sector", pa.int64()), ("lineage", _LINEAGE_TYPE),
    ("generation", pa.string()), ("license", pa.string()),
])


def prompt_id(prompt: str) -> str:
    return hashlib.sha256(prompt.encode("utf-8")).hexdigest()


def detect_format(rec: dict[str, Any]) -> str:
    if "data" in rec and isinstance(rec.get("data"), list):
        return "raw"
    if "prompt" in rec and "messages" in rec:
        return "h4"
    if "messages" in rec:
        return "canonical"
    raise ValueError("unknown dialogue format (expected 'data', 'messages' or 'prompt'+'messages')")


def to_canonical(rec: dict[str, Any], fmt: str | None = None, *, where: str = "") -> dict[str, Any]:
    """Any of the three formats -> at least {"id", "messages"} (+ sector/meta when known)."""
    fmt = fmt or detect_format(rec)
    if fmt == "canonical":
        return rec
    if fmt == "raw":
        data = rec["data"]
        msgs = [{"role": "user" if i % 2 == 0 else "assistant", "content": u} for i, u in enumerate(data)]
        out = {"id": str(rec.get("id", "")), "messages": msgs}
        if "meta" in rec:
            out["meta"] = rec["meta"]
        if "sector" in rec:
            out["sector"] = rec["sector"]
        return out
    if fmt == "h4":
        msgs = [{"role": m["role"], "content": m["content"]} for m in rec["messages"]]
        out = {"id": str(rec.get("id") or rec.get("prompt_id")), "messages": msgs,
               "opening_line": rec.get("prompt")}
        if rec.get("sector") is not None:
            out["sector"] = rec["sector"]
        if isinstance(rec.get("lineage"), dict):
            out["meta"] = {k: v for k, v in rec["lineage"].items() if v is not None}
        return out
    raise ValueError(f"{where}: unknown format {fmt!r}")


def to_raw(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rec["id"], "data": [m["content"] for m in rec["messages"]]}
    for key in ("sector", "meta", "gen", "license"):
        if key in rec:
            out[key] = rec[key]
    return out


def to_h4(rec: dict[str, Any]) -> dict[str, Any]:
    prompt = rec["messages"][0]["content"]
    meta = rec.get("meta") or {}
    lineage = {f: meta.get(f) for f in LINEAGE_FIELDS}
    if lineage["template_id"] is not None:
        lineage["template_id"] = int(lineage["template_id"])
    for f in LINEAGE_FIELDS:
        if f != "template_id" and lineage[f] is not None:
            lineage[f] = str(lineage[f])
    return {"prompt": prompt, "prompt_id": prompt_id(prompt),
            "messages": [{"content": m["content"], "role": m["role"]} for m in rec["messages"]],
            "id": rec["id"], "sector": rec.get("sector"), "lineage": lineage,
            "generation": json.dumps(rec.get("gen") or {}, ensure_ascii=False, sort_keys=True),
            "license": rec.get("license")}


def h4_split(pid: str, *, test_fraction: float = 0.1, gen_fraction: float = 0.55) -> str:
    """Deterministic split from the prompt id (ultrachat_200k: ~55% of dialogues in gen, 10% test)."""
    bucket = shard_of(pid + "|gen", 10_000) / 10_000
    kind = "gen" if bucket < gen_fraction else "sft"
    part = "test" if shard_of(pid + "|test", 10_000) / 10_000 < test_fraction else "train"
    return f"{part}_{kind}"


def export_raw(records: Iterable[dict[str, Any]], path: str | Path) -> Path:
    return atomic_write_jsonl(path, (to_raw(r) for r in records))


def export_h4_folder(records: Iterable[dict[str, Any]], out_dir: str | Path, *, test_fraction: float = 0.1,
                     gen_fraction: float = 0.55, card_body: str = "") -> Path:
    """Write an HF-loadable folder: config `default`, the four ultrachat_200k splits, parquet."""
    splits: dict[str, list[dict[str, Any]]] = {s: [] for s in H4_SPLITS}
    for rec in records:
        row = to_h4(rec)
        splits[h4_split(row["prompt_id"], test_fraction=test_fraction, gen_fraction=gen_fraction)].append(row)
    # datasets cannot read a zero-row parquet file, so an empty split is left out (small sets)
    splits = {s: rows for s, rows in splits.items() if rows}
    if not splits:
        raise JobError(f"{out_dir}: nothing to export (no dialogues)")
    body = card_body or (
        "# UltraChat-style dialogues (ultrachat_200k layout)\n\nGenerated with databench `bench build ultrachat`. "
        "Columns `prompt`, `prompt_id` (sha256 of the prompt) and `messages` follow HuggingFaceH4/ultrachat_200k; "
        "`id`, `sector`, `lineage` (seed-tree path of the opening line) and `generation` (models, sampling "
        "parameters, seed, usage as JSON) are extra.\n\n" + "\n".join(f"- {s}: {len(v)}" for s, v in splits.items()))
    return write_hf_folder(out_dir, {"default": splits}, card_body=body,
                           card_yaml="license: other\nlanguage:\n- en\ntask_categories:\n- text-generation",
                           schemas={"default": H4_SCHEMA})


# -- reading any dialogue set -------------------------------------------------------------------
def _read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path).to_pylist()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a broken file
        raise JobError(f"{path}: not a readable parquet file ({exc})") from None


def _files_in(folder: Path) -> list[Path]:
    parquet = sorted(folder.rglob("*.parquet"))
    if parquet:
        return parquet
    for name in ("ultrachat.jsonl",):
        if (folder / name).exists():
            return [folder / name]
    jsonl = sorted(p for p in folder.glob("*.jsonl") if p.name.startswith("ultrachat"))
    if jsonl:
        return jsonl
    raise JobError(f"{folder}: no dialogue files (*.parquet, or ultrachat*.jsonl from `bench build ultrachat`)")


def load_dialogues(path: str | Path, *, fmt: str = "auto", splits: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Dialogues from a JSONL/JSON/parquet file or a folder (HF folder or build output), as canonical dicts.

    `splits` keeps only parquet files whose stem is one of them (e.g. train_sft). A record the UltraChat
    validator rejects (two user turns in a row, an unanswered last turn...) is a one-line error naming file,
    line, record and field: statistics, merges and exports never describe dialogues that are not valid.
    """
    return read_dialogue_set(path, fmt=fmt, splits=splits)[0]


def read_dialogue_set(path: str | Path, *, fmt: str = "auto", splits: Iterable[str] | None = None,
                      skip_invalid: bool = False,
                      hint: str = "run `bench validate ultrachat` for every issue") -> tuple[list[dict[str, Any]], list[Issue]]:
    """(dialogues, first issue of each record left out): `load_dialogues`, where `skip_invalid` leaves out the
    records the validator rejects instead of refusing the set (all of them rejected is still an error)."""
    path = Path(path)
    if not path.exists():
        raise JobError(f"{path}: no such file or folder (dialogues: JSONL/JSON/parquet file or a folder)")
    files = _files_in(path) if path.is_dir() else [path]
    if splits is not None:
        wanted = set(splits)
        files = [f for f in files if f.suffix != ".parquet" or f.stem in wanted]
    out: list[dict[str, Any]] = []
    rejected: list[Issue] = []
    for f in files:
        if f.suffix == ".parquet":
            rows: list[tuple[int | None, Any]] = [(None, r) for r in _read_parquet(f)]
        elif f.suffix == ".json":
            data = read_json(f, what="dialogue file", error=JobError)
            rows = [(None, r) for r in (data if isinstance(data, list) else [data])]
        else:
            rows = list(iter_jsonl(f, error=JobError))
        for i, (line, row) in enumerate(rows):
            where = f"{f}:{line}" if line else f"{f} record {i + 1}"
            issues = [x for x in validate_record(row, file=str(f), line=line, index=i) if x.severity == "error"]
            if issues:
                rejected.append(issues[0])
                continue
            try:
                rec = to_canonical(row, None if fmt == "auto" else fmt, where=where)
            except (ValueError, KeyError, TypeError) as exc:
                raise JobError(f"{where}: {exc}") from None
            if not rec.get("id"):
                rec = {**rec, "id": f"{f.stem}-{i}"}
            out.append(rec)
    total = len(out) + len(rejected)
    if rejected and (not skip_invalid or not out):
        raise JobError(f"{rejected[0]} ({len(rejected)} of {total} dialogue{'s' if total != 1 else ''} fail the "
                       f"UltraChat validator; {hint})")
    if not out:
        raise JobError(f"{path}: no dialogues (empty file)")
    return out, rejected
