"""Exporter for the UltraChat evaluation questions (`ultra_eval.json`, 385 rows): one `default` config,
split `test`, with the array index as id and the class label stripped of its stray spaces."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from core import DataError, read_json
from builders.common.hf_folder import write_hf_folder

SCHEMA = pa.schema([("id", pa.string()), ("class", pa.string()), ("question", pa.string())])


def rows(path: Path) -> list[dict[str, str]]:
    """Records of `ultra_eval.json`; a record without a string `class`/`data` is an error naming it."""
    data = read_json(path, what="ultra_eval.json")
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON array of {{class, data}} objects")
    out = []
    for i, rec in enumerate(data):
        for key in ("class", "data"):
            if not isinstance(rec, dict) or not isinstance(rec.get(key), str):
                raise DataError(f"{path}: record {i}: field {key}: expected a string")
        out.append({"id": str(i), "class": rec["class"].strip(), "question": rec["data"]})
    return out


def export(out_dir: Path, *, source: Path | None = None) -> Path:
    """Write the evaluation questions as an HF folder; `source` overrides the registry file."""
    from benchmarks.data.registry import dataset_dir

    path = Path(source) if source is not None else dataset_dir("ultrachat") / "ultra_eval.json"
    return write_hf_folder(out_dir, {"default": {"test": rows(path)}}, schemas={"default": SCHEMA},
                           card_yaml="license: mit\nlanguage:\n- en",
                           card_body="# UltraChat evaluation questions\n\nFrom thunlp/UltraChat `data/ultra_eval.json`.")
