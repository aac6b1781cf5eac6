"""MUSER as an HF folder in MTEB's retrieval layout (configs corpus / queries / default qrels).

Also the `muser` exporter of `bench export`: it needs case texts, so `source` must be a dataset
folder in MUSER's layout that has `cases/cases_pool.json` (a built dataset, or the real data with
the Google-Drive cases file added); the public judgments alone have no texts to export.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from annotation.muser.files import LAYOUT, MuserFileError, load_cases, load_scores, load_split
from annotation.muser.schema import CaseRecord
from builders.common.hf_folder import write_hf_folder

CORPUS = pa.schema([("_id", pa.string()), ("title", pa.string()), ("text", pa.string())])
QUERIES = pa.schema([("_id", pa.string()), ("text", pa.string())])
QRELS = pa.schema([("query-id", pa.string()), ("corpus-id", pa.string()), ("score", pa.int64())])

CARD = """# MUSER-style similar-case retrieval

Chinese civil (private lending) judgments. Each query case has a candidate pool; every pair carries
a multi-view similarity score 0-8 = legal fact (0-3) + dispute focus (0/1/3) + law statute (0/2).
Text = 本院查明 (findings of fact) followed by 本院认为 (court's opinion). Golden relevance: score >= 7.
Built with databench (`bench build muser`); layout follows MTEB retrieval datasets.
"""


def write_mteb_folder(out_dir: str | Path, cases: dict[str, CaseRecord], queries: list[str],
                      sim_scores: dict[str, dict[str, int]], split: dict[str, list[str]]) -> Path:
    corpus = [{"_id": c, "title": r.case_id, "text": r.text} for c, r in cases.items()]
    qrows = [{"_id": q, "text": cases[q].text} for q in queries]
    qrels = {name: [{"query-id": q, "corpus-id": c, "score": s} for q in ids for c, s in sim_scores[q].items()]
             for name, ids in split.items() if ids}
    return write_hf_folder(out_dir, {"corpus": {"corpus": corpus}, "queries": {"queries": qrows}, "default": qrels},
                           card_body=CARD, card_yaml="language:\n- zh\nlicense: mit\ntask_categories:\n- text-retrieval",
                           schemas={"corpus": CORPUS, "queries": QUERIES, "default": QRELS})


def export(out_dir: Path, *, source: Path | None = None) -> Path:
    """`bench export muser OUT --source DATASET`: needs `cases/cases_pool.json` in DATASET."""
    if source is None or not (Path(source) / LAYOUT["cases"]).exists():
        raise MuserFileError(f"muser export needs case texts: {Path(source or '.') / LAYOUT['cases']} not found "
                             "(the public MUSER files have no texts; pass a built dataset as --source)")
    source = Path(source)
    raw = load_cases(source / LAYOUT["cases"])
    cases = {k: CaseRecord.from_dict(k, v) for k, v in raw.items()}
    scores = load_scores(source, "scores")
    split = load_split(source)
    queries = [q for ids in split.values() for q in ids]
    return write_mteb_folder(out_dir, cases, queries, scores, split)
