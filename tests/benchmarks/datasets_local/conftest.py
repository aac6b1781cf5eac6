"""Tiny collections written in each accepted layout (BEIR, HF parquet, HF jsonl, TREC), the same data in all.

4 documents, 3 queries (q3 unjudged), graded qrels; RUN is a fixed TREC run whose scores are worked
out by hand in test_retrieval_formats.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks.datasets_fixtures import shared_data  # noqa: F401 - fixtures of this folder's tests

DOCS = [("d1", "Wing flutter", "flutter of a swept wing at high speed"),
        ("d2", "Boundary layers", "laminar boundary layer on a flat plate"),
        ("d3", "", "wing flutter and panel flutter in supersonic flow"),
        ("d4", "Heat", "heat transfer in hypersonic flow")]
QUERIES = {"q1": "wing flutter", "q2": "boundary layer plate", "q3": "heat"}
QRELS = {"q1": {"d1": 1, "d3": 1}, "q2": {"d2": 2}}
RUN = {"q1": {"d1": 3.0, "d2": 2.0, "d3": 1.0}, "q2": {"d1": 2.0, "d2": 1.0}}


def write_beir(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n"
                                                 for i, t, x in DOCS), encoding="utf-8")
    (folder / "queries.jsonl").write_text("".join(json.dumps({"_id": q, "text": t}) + "\n"
                                                  for q, t in QUERIES.items()), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(
        f"{q}\t{d}\t{g}\n" for q, docs in QRELS.items() for d, g in docs.items()), encoding="utf-8")
    return folder


def hf_configs() -> dict:
    return {"corpus": {"corpus": [{"_id": i, "title": t, "text": x} for i, t, x in DOCS]},
            "queries": {"queries": [{"_id": q, "text": t} for q, t in QUERIES.items()]},
            "default": {"test": [{"query-id": q, "corpus-id": d, "score": g}
                                 for q, docs in QRELS.items() for d, g in docs.items()]}}


def write_hf_parquet(folder: Path) -> Path:
    from builders.common.hf_folder import write_hf_folder

    return write_hf_folder(folder, hf_configs(), card_yaml="language:\n- en", default_config="default")


def write_hf_jsonl(folder: Path) -> Path:
    """MTEB-style sub-folders of jsonl files, no README: configs found from the folder names."""
    for config, splits in hf_configs().items():
        (folder / config).mkdir(parents=True)
        for split, rows in splits.items():
            (folder / config / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                                           encoding="utf-8")
    return folder


def write_trec(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "docs.trec").write_text("".join(
        f"<DOC>\n<DOCNO> {i} </DOCNO>\n" + (f"<TITLE>{t}</TITLE>\n" if t else "") + f"<TEXT>\n{x}\n</TEXT>\n</DOC>\n"
        for i, t, x in DOCS), encoding="utf-8")
    (folder / "topics.txt").write_text("".join(
        f"<top>\n<num> Number: {q}\n<title> {t}\n<desc> Description:\nignored\n</top>\n\n"
        for q, t in QUERIES.items()), encoding="utf-8")
    (folder / "qrels.txt").write_text("".join(f"{q} 0 {d} {g}\n" for q, docs in QRELS.items()
                                              for d, g in docs.items()), encoding="utf-8")
    return folder


WRITERS = {"beir": write_beir, "hf": write_hf_parquet, "hf-jsonl": write_hf_jsonl, "trec": write_trec}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("local_datasets")
    return {name: write(root / name) for name, write in WRITERS.items()}


@pytest.fixture(scope="module")
def run_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.io.trec import write_run

    return write_run(RUN, tmp_path_factory.mktemp("run") / "fixed.run", tag="fixed")
