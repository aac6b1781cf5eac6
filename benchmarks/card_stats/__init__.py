"""Statistics for data cards, computed from the data (never typed by hand).

Each dataset has one function `stats(source: Path | None) -> Stats` registered in STATS;
`source` is a built/exported folder for datasets the project generates (UltraChat, QASnowball,
WebCPM module tasks), and is ignored by wrapped public datasets, which read the data registry.
A Stats value is {table title: {row label: value}}; benchmarks.cards renders it as Markdown.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from core import DataError
from core import read_json as floor_read_json
from core import read_jsonl as floor_read_jsonl
from core.registry import resolve

Stats = dict[str, dict[str, Any]]

STATS: dict[str, str] = {
    "cranfield": "benchmarks.card_stats.retrieval:cranfield",
    "vaswani": "benchmarks.card_stats.retrieval:vaswani",
    "lecard": "benchmarks.card_stats.legal:lecard",
    "muser": "benchmarks.card_stats.legal:muser",
    "cmrc2018": "benchmarks.card_stats.qa:cmrc2018",
    "xquad": "benchmarks.card_stats.qa:xquad",
    "qasnowball": "benchmarks.card_stats.qa:qasnowball",
    "webcpm": "benchmarks.card_stats.generated:webcpm",
    "ultrachat": "benchmarks.card_stats.generated:ultrachat",
}


def get_stats_fn(name: str) -> Callable[[Path | None], Stats]:
    return resolve(STATS[name])


def mean(values: list[float] | list[int]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def read_json(path: Path) -> Any:
    return floor_read_json(path, error=DataError)


def read_jsonl(path: Path) -> list[Any]:
    return floor_read_jsonl(path)


def folder_stats(folder: Path) -> Stats:
    """Rows and columns of every parquet/JSONL file of a built or exported folder (a generic table)."""
    import pyarrow.parquet as pq

    table: dict[str, Any] = {}
    lengths: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".parquet":
            pf = pq.ParquetFile(path)
            rel = path.relative_to(folder).as_posix()
            table[rel] = f"{pf.metadata.num_rows:,} rows; columns: {', '.join(pf.schema_arrow.names)}"
            data = pf.read()
            for col in data.column_names:
                if str(data.schema.field(col).type) in ("string", "large_string"):
                    values = [v for v in data.column(col).to_pylist() if v is not None]
                    lengths[f"{rel} `{col}`"] = f"{mean([len(v) for v in values])} chars mean"
        elif path.suffix == ".jsonl":
            rel = path.relative_to(folder).as_posix()
            table[rel] = f"{len(read_jsonl(path)):,} records"
    if not table:       # a wrong --source must not turn into a card saying "no files"
        raise DataError(f"{folder}: no parquet or JSONL files (expected a built or exported folder)")
    out: Stats = {"Files of the built dataset": table}
    if lengths:
        out["Text lengths"] = lengths
    return out


def build_manifest_stats(folder: Path) -> dict[str, Any]:
    """Builder version, config, seed and models from a build's run manifest, when the folder has one."""
    for name in ("run_manifest.json", "manifest.json", "build_manifest.json", "build.json"):
        path = folder / name
        if path.is_file():
            data = read_json(path)
            if isinstance(data, dict):
                return {k: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (dict, list)) else v
                        for k, v in sorted(data.items())}
    return {}
