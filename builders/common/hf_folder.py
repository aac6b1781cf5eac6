"""Write a folder that `datasets.load_dataset(folder, config, split=...)` reads with no script.

Parquet files plus a README.md whose YAML `configs:` block declares every config and split
(datasets >= 4 refuses loading scripts, and one folder must use one file format).
Retrieval datasets use MTEB's layout: configs `corpus`, `queries`, `default` (qrels with
`query-id`, `corpus-id`, `score`).

Stale loads: `datasets` (5.2) caches a local folder under `<folder name>/<config>/<version>/<hash>`, and
for a folder whose README declares `configs:` that hash covers only the YAML (dataset_info and the
configs with their data-file *patterns*), not the files' absolute paths, sizes or mtimes. Two different
folders both named `hf` with the same layout thus shared one cache entry, and the second plain
`load_dataset(path)` returned the first one's rows. So every config entry carries a `description` with
the sha256 of its parquet files: `description` is a BuilderConfig field, it enters that hash, and
different content gets its own cache entry (same content may share one: that is correct).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from core import DataError, atomic_folder, sha256_file, sha256_json


class EmptyExportError(DataError, ValueError):
    """Every split is empty: the input had no records (a user error, printed as one line)."""


Rows = Iterable[Mapping[str, Any]]
FINGERPRINT_PREFIX = "databench content sha256 "


def content_fingerprint(folder: Path, config: str, splits: list[str]) -> str:
    """sha256 over one config's parquet files ({split: file sha256}); goes into datasets' cache key."""
    return sha256_json({split: sha256_file(folder / config / f"{split}.parquet") for split in splits})


def _yaml_configs(layout: dict[str, list[str]], default_config: str | None, fingerprints: dict[str, str]) -> str:
    lines = ["configs:"]
    for config, splits in layout.items():
        lines.append(f"- config_name: {config}")
        if config == default_config:
            lines.append("  default: true")
        lines.append(f"  description: {FINGERPRINT_PREFIX}{fingerprints[config]}")  # see the module docstring
        lines.append("  data_files:")
        for split in splits:
            lines.append(f"  - split: {split}")
            lines.append(f"    path: {config}/{split}.parquet")
    return "\n".join(lines)


def write_hf_folder(out_dir: str | Path, configs: Mapping[str, Mapping[str, Rows | pa.Table]],
                    *, card_body: str = "", card_yaml: str = "", default_config: str | None = None,
                    schemas: Mapping[str, pa.Schema] | None = None) -> Path:
    """Write `configs` ({config: {split: rows}}) as parquet + README.md, atomically.

    `card_yaml` is extra YAML (license, language, task_categories...) placed before `configs:`;
    `card_body` is the Markdown card. The folder is built next to `out_dir` and renamed in,
    so an interrupted export never leaves a half-written dataset. Empty splits are left out
    (datasets cannot read a zero-row parquet file); a folder with nothing to write is an error.
    Each config's YAML names the sha256 of its files, so a plain `load_dataset(out_dir)` never
    reuses the cache of another folder with the same name (see the module docstring).
    """
    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as tmp:
        layout: dict[str, list[str]] = {}
        for config, splits in configs.items():
            layout[config] = []
            for split, rows in splits.items():
                table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(
                    list(rows), schema=(schemas or {}).get(config))
                if table.num_rows == 0:
                    continue  # datasets cannot read a zero-row parquet file: leave the split out
                (tmp / config).mkdir(parents=True, exist_ok=True)
                pq.write_table(table, tmp / config / f"{split}.parquet")
                layout[config].append(split)
        layout = {config: splits for config, splits in layout.items() if splits}
        if not layout:
            raise EmptyExportError(f"{out_dir}: nothing to export (every split is empty)")
        if default_config is None and "default" in layout:
            default_config = "default"
        fingerprints = {config: content_fingerprint(tmp, config, splits) for config, splits in layout.items()}
        yaml = "\n".join(part for part in (card_yaml.strip(), _yaml_configs(layout, default_config, fingerprints))
                         if part)
        (tmp / "README.md").write_text(f"---\n{yaml}\n---\n\n{card_body.strip()}\n", encoding="utf-8")
    return out_dir
