"""Exporters for the classic retrieval collections, in MTEB's HF layout.

Configs: `corpus` (split `corpus`: _id, title, text), `queries` (split `queries`: _id, text) and
`default` (qrels, split `test`: query-id, corpus-id, score); re-ranking collections add
`candidates` (split `test`: query-id, corpus-id) with each query's pool. Read from the data
registry (verified files), written atomically by builders.common.hf_folder.write_hf_folder.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from builders.common.hf_folder import write_hf_folder

_SCHEMAS = {
    "corpus": pa.schema([("_id", pa.string()), ("title", pa.string()), ("text", pa.string())]),
    "queries": pa.schema([("_id", pa.string()), ("text", pa.string())]),
    "default": pa.schema([("query-id", pa.string()), ("corpus-id", pa.string()), ("score", pa.int64())]),
    "candidates": pa.schema([("query-id", pa.string()), ("corpus-id", pa.string())]),
}


def _export(name: str, out_dir: Path, collection, *, license_id: str, language: str, body: str) -> Path:
    from benchmarks.data.registry import dataset_sha, get_source

    source = get_source(name)
    configs = {
        "corpus": {"corpus": [{"_id": d.doc_id, "title": d.title, "text": d.text} for d in collection.corpus.values()]},
        "queries": {"queries": [{"_id": q, "text": t} for q, t in collection.queries.items()]},
        "default": {"test": [{"query-id": q, "corpus-id": d, "score": g}
                             for q, docs in collection.qrels.items() for d, g in docs.items()]},
    }
    if collection.pools:
        configs["candidates"] = {"test": [{"query-id": q, "corpus-id": d}
                                          for q, pool in collection.pools.items() for d in pool]}
    yaml = f"license: {license_id}\nlanguage:\n- {language}\ntask_categories:\n- text-retrieval\npretty_name: {name}"
    notes = "\n".join(f"- {k}: {v}" for k, v in collection.notes.items())
    card = (f"# {name}\n\n{source.description}.\n\n{body}\n\nLicense: {source.license}.\n\n"
            f"Counts: {len(collection.corpus):,} documents, {len(collection.queries):,} queries, "
            f"{sum(map(len, collection.qrels.values())):,} judgements.\n\nSource files: dataset sha256 "
            f"`{dataset_sha(name)}` in the databench data registry.\n\n{notes}\n")
    return write_hf_folder(out_dir, configs, card_body=card, card_yaml=yaml, default_config="default",
                           schemas=_SCHEMAS)


def export_cranfield(out_dir: Path, *, source: Path | None = None) -> Path:
    from benchmarks.data.loaders.trec_xml import load_cranfield
    from benchmarks.data.registry import dataset_dir

    return _export("cranfield", Path(out_dir), load_cranfield(dataset_dir("cranfield")), license_id="other",
                   language="en", body="Cranfield 1400 (Glasgow IR group TREC conversion); topics renumbered "
                   "by position as the qrels number them.")


def export_vaswani(out_dir: Path, *, source: Path | None = None) -> Path:
    from benchmarks.data.loaders.trec_xml import load_vaswani
    from benchmarks.data.registry import dataset_dir

    return _export("vaswani", Path(out_dir), load_vaswani(dataset_dir("vaswani")), license_id="other",
                   language="en", body="Vaswani/NPL collection as shipped by the Terrier IR platform.")


def export_lecard(out_dir: Path, *, source: Path | None = None) -> Path:
    from benchmarks.data.loaders.lecard import load_lecard
    from benchmarks.data.registry import dataset_dir

    return _export("lecard", Path(out_dir), load_lecard(dataset_dir("lecard")), license_id="mit", language="zh",
                   body="LeCaRD (Ma et al., SIGIR 2021): the 25 queries whose candidate pools are available; "
                   "graded labels 0-3, unjudged candidates count as 0. Config `candidates` lists each pool.")
