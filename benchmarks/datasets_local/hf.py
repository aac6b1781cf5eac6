"""HF / MTEB dataset folders: parquet or jsonl files per config, declared in README.md's YAML `configs:`
(exactly what `bench export` writes), laid out as one sub-folder per config, or (QA) split-named parquet
files (`train.parquet`, `test.parquet`) at the top, as `datasets.load_dataset(folder)` infers them.

Retrieval uses MTEB's configs: `corpus` (`_id`/`id`, `title`, `text`), `queries` (`_id`/`id`, `text`),
`default` or `qrels` (`query-id`, `corpus-id`, `score`), optional `candidates`/`top_ranked` (re-rank
pools: `query-id` + `corpus-id`, or `corpus-ids` lists). QA uses the squad columns (`id`, `title`,
`context`, `question`, `answers{text, answer_start}`) in the default config, one split per file.
Rows are streamed: parquet in record batches, jsonl line by line.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core import iter_jsonl, read_text
from benchmarks.datasets_local.base import (PARQUET_BATCH, LocalDataError, LocalFormat, grade, make_collection,
                                            text_field)
from retrieval.types import Corpus, Document, Qrels, Queries

QRELS_CONFIGS = ("default", "qrels")
POOL_CONFIGS = ("candidates", "top_ranked")
SUFFIXES = (".parquet", ".jsonl")


def card_yaml(folder: Path) -> dict[str, Any]:
    """The YAML header of README.md ({} when there is none), parsed once per README version."""
    readme = folder / "README.md"
    if not readme.is_file():
        return {}
    st = readme.stat()
    return _parsed_card(str(readme.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=16)
def _parsed_card(readme_path: str, _mtime_ns: int, _size: int) -> dict[str, Any]:
    """Keyed on the file's stat too, so an edited README is read again (every format callback asks)."""
    import yaml

    from benchmarks.cards import split_front_matter

    readme = Path(readme_path)
    text = read_text(readme, what="dataset card (README.md)", error=LocalDataError).replace("\r\n", "\n")
    head, _body = split_front_matter(text, source=str(readme))
    if not head:
        return {}
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LocalDataError(f"{readme}:{(mark.line + 2) if mark else 1}: YAML header is not valid YAML") from None
    return data if isinstance(data, dict) else {}


def configs(folder: Path) -> dict[str, dict[str, list[Path]]]:
    """{config: {split: [files]}} from README `configs:`, else from `CONFIG/SPLIT.{parquet,jsonl}` sub-folders."""
    declared = card_yaml(folder).get("configs")
    out: dict[str, dict[str, list[Path]]] = {}
    if isinstance(declared, list):
        for i, entry in enumerate(declared):
            if not isinstance(entry, dict) or not isinstance(entry.get("config_name"), str):
                raise LocalDataError(f"{folder / 'README.md'}: field configs[{i}].config_name: missing")
            files = entry.get("data_files") or []
            if isinstance(files, (str, dict)):
                files = [files]
            splits: dict[str, list[Path]] = {}
            for spec in files:
                split, pattern = (spec.get("split", "train"), spec.get("path")) if isinstance(spec, dict) else ("train", spec)
                patterns = pattern if isinstance(pattern, list) else [pattern]
                for pat in patterns:
                    if not isinstance(pat, str):
                        raise LocalDataError(f"{folder / 'README.md'}: field configs[{i}].data_files: bad path {pat!r}")
                    matched = sorted(folder.glob(pat))
                    if not matched:
                        raise LocalDataError(f"{folder / 'README.md'}: field configs[{i}].data_files: "
                                             f"{pat} matches no file")
                    splits.setdefault(str(split), []).extend(matched)
            out[entry["config_name"]] = splits
        return out
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in sub.iterdir() if p.suffix in SUFFIXES)
        if files:
            out[sub.name] = {p.stem: [p] for p in files}
    top = sorted(p for p in folder.iterdir() if p.suffix == ".parquet")     # (a lone squad jsonl is `squad`'s)
    if top and "default" not in out:          # datasets' own inference: split from the file name
        out["default"] = {p.stem: [p] for p in top}
    return out


def detect(folder: Path) -> str | None:
    found = configs(folder)
    if {"corpus", "queries"} <= set(found) and any(c in found for c in QRELS_CONFIGS):
        return "HF configs corpus + queries + " + next(c for c in QRELS_CONFIGS if c in found)
    if found and _qa_config(found) is not None:
        return f"HF config {_qa_config(found)} with squad columns"
    return None


def _qa_config(found: dict[str, dict[str, list[Path]]]) -> str | None:
    """The config holding squad-layout rows (default first), judged by the first row of its first file."""
    for name in sorted(found, key=lambda c: c != "default"):
        for paths in found[name].values():
            first = next(iter_rows(paths[0]), None)
            if first is not None and {"question", "context", "answers"} <= set(first[1]):
                return name
            break
    return None


def iter_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, row) for every row of a parquet or jsonl file, streamed."""
    if path.suffix == ".jsonl":
        for lineno, rec in iter_jsonl(path, error=LocalDataError):
            yield f"{path}:{lineno}", rec
        return
    if path.suffix != ".parquet":
        raise LocalDataError(f"{path}: not a .parquet or .jsonl file")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
        n = 0
        for batch in reader.iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                yield f"{path} row {n}", row
                n += 1
    except (pa.ArrowInvalid, OSError) as exc:
        raise LocalDataError(f"{path}: not a readable parquet file ({exc})") from None


def _rows(found: dict, config: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for paths in found[config].values():
        for path in paths:
            yield from iter_rows(path)


def splits(folder: Path) -> list[str]:
    found = configs(folder)
    config = next((c for c in QRELS_CONFIGS if c in found), None) or _qa_config(found)
    return sorted(found[config]) if config else []


def language(folder: Path) -> str | None:
    langs = card_yaml(folder).get("language")
    langs = [langs] if isinstance(langs, str) else langs
    if isinstance(langs, list) and len(langs) == 1 and isinstance(langs[0], str):
        return langs[0]
    found = configs(folder)                   # QASnowball exports carry a `lang` column instead of a card field
    config = _qa_config(found) if found else None
    if config is not None:
        first = next(iter_rows(next(iter(found[config].values()))[0]), None)
        if first is not None and isinstance(first[1].get("lang"), str) and first[1]["lang"]:
            return first[1]["lang"]
    return None


def kind(folder: Path) -> str:
    return "retrieval" if {"corpus", "queries"} <= set(configs(folder)) else "qa"


def _split_files(found: dict, config: str, split: str, folder: Path) -> list[Path]:
    if split not in found[config]:
        raise LocalDataError(f"{folder}: config {config} has no split {split!r} (splits: {', '.join(sorted(found[config]))})")
    return found[config][split]


def load_retrieval(folder: Path, desc):  # Description -> Collection
    found = configs(folder)
    missing = [c for c in ("corpus", "queries") if c not in found] + \
        ([] if any(c in found for c in QRELS_CONFIGS) else ["default (qrels)"])
    if missing:
        raise LocalDataError(f"{folder}: hf layout: no config {', '.join(missing)} (README.md configs or sub-folders)")
    corpus: Corpus = {}
    for where, row in _rows(found, "corpus"):
        doc_id = text_field(row, ("_id", "id"), where)
        if doc_id in corpus:
            raise LocalDataError(f"{where}: field _id: duplicate document id {doc_id!r}")
        corpus[doc_id] = Document(doc_id, text_field(row, ("text",), where),
                                  text_field(row, ("title",), where, required=False))
    queries: Queries = {}
    for where, row in _rows(found, "queries"):
        queries[text_field(row, ("_id", "id"), where)] = text_field(row, ("text",), where)
    qrels_config = next(c for c in QRELS_CONFIGS if c in found)
    qrels: Qrels = {}
    for path in _split_files(found, qrels_config, desc.split, folder):
        for where, row in iter_rows(path):
            qid, doc_id = text_field(row, ("query-id",), where), text_field(row, ("corpus-id",), where)
            qrels.setdefault(qid, {})[doc_id] = grade(row.get("score"), where, "score")
    pools = None
    if desc.ranking == "rerank":
        pool_config = next((c for c in POOL_CONFIGS if c in found), None)
        if pool_config is None:
            raise LocalDataError(f"{folder}: ranking rerank needs a candidates (or top_ranked) config")
        pools = {}
        for path in _split_files(found, pool_config, desc.split, folder):
            for where, row in iter_rows(path):
                qid = text_field(row, ("query-id",), where)
                ids = row.get("corpus-ids")
                pools.setdefault(qid, []).extend(map(str, ids) if isinstance(ids, list)
                                                 else [text_field(row, ("corpus-id",), where)])
    return make_collection(folder, corpus, queries, qrels, "hf", pools=pools)


def qa_records(folder: Path, desc) -> Iterator[dict[str, Any]]:
    found = configs(folder)
    config = _qa_config(found)
    if config is None:
        raise LocalDataError(f"{folder}: no config with squad columns (id, context, question, answers)")
    for path in _split_files(found, config, desc.split, folder):
        for _, row in iter_rows(path):
            yield row


def ranking(folder: Path) -> str:
    return "rerank" if any(c in configs(folder) for c in POOL_CONFIGS) else "full"


FORMAT = LocalFormat(name="hf", detect=detect, kind=kind, load_retrieval=load_retrieval, qa_records=qa_records,
                     splits=splits, language=language, ranking=ranking)
