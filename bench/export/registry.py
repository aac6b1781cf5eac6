"""Dataset name -> exporter writing an HF-loadable folder (see builders.common.hf_folder).

Signature of every exporter: `export(out_dir: Path, *, source: Path | None = None) -> Path`.
`source` is the built dataset (a builder's output) for datasets the project generates; wrapped
public datasets read the data registry and ignore it. `bench export NAME OUT_DIR` adds the card.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from core import DataError
from core.registry import resolve

EXPORTERS: dict[str, str] = {
    # --- retrieval collections (foundation): MTEB layout ---
    "cranfield": "bench.export.retrieval_collections:export_cranfield",
    "vaswani": "bench.export.retrieval_collections:export_vaswani",
    "lecard": "bench.export.retrieval_collections:export_lecard",

    # --- MUSER ---
    "muser": "builders.muser.hf_export:export",

    # --- QA: CMRC 2018, XQuAD, QASnowball outputs ---
    "cmrc2018": "bench.export.qa:export_cmrc2018",
    "xquad": "bench.export.qa:export_xquad",
    "qasnowball": "bench.export.qa:export_qasnowball",

    # --- WebCPM module tasks ---
    "webcpm": "bench.export.webcpm:export",

    # --- UltraChat outputs ---
    "ultrachat": "bench.export.ultrachat:export",

    # --- datasets (issue 8): small wrapped sets ---
    "ultrachat_eval": "bench.export.ultrachat_eval:export",
}


def available() -> list[str]:
    return sorted(EXPORTERS)


def get_exporter(name: str) -> Callable[..., Path]:
    if name not in EXPORTERS:
        raise DataError(f"no exporter for {name!r}; known: {', '.join(available())}")
    return resolve(EXPORTERS[name])
