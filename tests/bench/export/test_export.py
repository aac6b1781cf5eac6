"""Every registered exporter writes a folder that `datasets.load_dataset` reads offline, with its card.

Parametrized over bench/export/registry.py, so it covers whatever exporters are merged.
Wrapped public datasets are exported from the data mirror and counted against its files
(SOURCE_COUNTS); builder outputs (MUSER, WebCPM, QASnowball, UltraChat) are first built here with the
project's builders on small real inputs (BUILT) and counted against what was built. MTEB-layout
folders are also checked for internal consistency (every qrels id exists).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

import pyarrow.parquet as pq
import pytest
import yaml
from tests.benchmarks.datasets_fixtures import REPO, bench

from benchmarks.cards import card_path, split_front_matter
from bench.export.export import card_for, export_dataset
from bench.export.registry import available

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def _squad_questions(*files: str) -> Callable[[Path], int]:
    def count(data: Path) -> int:
        total = 0
        for name in files:
            doc = json.loads((data / name).read_text(encoding="utf-8"))
            # questions with an empty text (2 in CMRC trial) cannot be asked: exporters leave them out
            total += sum(1 for a in doc["data"] for p in a["paragraphs"] for qa in p["qas"] if qa["question"].strip())
        return total
    return count


def _collection(name: str) -> Callable[[Path], dict[str, int | tuple[int, ...]]]:
    def count(data: Path) -> dict[str, int | tuple[int, ...]]:
        from benchmarks.data.loaders.trec_xml import load_cranfield, load_vaswani
        from benchmarks.data.registry import dataset_dir

        col = {"cranfield": load_cranfield, "vaswani": load_vaswani}[name](dataset_dir(name))
        pairs = [g for docs in col.qrels.values() for g in docs.values()]
        return {"corpus": len(col.corpus), "queries": (len(col.queries), len(col.qrels)),
                "default": (len(pairs), sum(1 for g in pairs if g > 0))}
    return count


def _lecard(data: Path) -> dict[str, int]:
    """The 25 queries whose candidate pools are in the mirror: files, distinct documents, labels."""
    root = data / "lecard" / "data"
    pools = {p.name: [f.stem for f in p.glob("*.json")] for p in (root / "candidates").iterdir() if p.is_dir()}
    labels = json.loads((root / "label" / "label_top30_dict.json").read_text(encoding="utf-8"))
    return {"queries": len(pools), "candidates": sum(map(len, pools.values())),
            "corpus": len({d for docs in pools.values() for d in docs}),
            "default": sum(len(labels[q]) for q in pools)}


# export name -> source count: an int = rows with a `question` column over all configs (SQuAD-style
# records), or {config: n or (accepted alternatives)} summed over the config's splits.
SOURCE_COUNTS: dict[str, Callable[[Path], object]] = {
    "ultrachat_eval": lambda data: {"default": len(json.loads((data / "ultrachat" / "ultra_eval.json").read_text()))},
    "cranfield": _collection("cranfield"),
    "vaswani": _collection("vaswani"),
    "lecard": _lecard,
    "cmrc2018": lambda data: _squad_questions("cmrc2018_dev.json", "cmrc2018_trial.json")(data / "cmrc2018"),
    "xquad": lambda data: _squad_questions("xquad.en.json", "xquad.zh.json")(data / "xquad"),
}


# --- builder outputs: built here with the project's own builders (real data, small settings) ----------

def _build_muser(work: Path, data: Path) -> Path:
    fixtures = REPO / "tests" / "fixtures" / "muser"
    bench("build", "muser", "--cases", str(fixtures / "cases_pool.json"), "--out", str(work / "muser"),
          "--queries", "101,104,107,110,112", "--depth", "8", "--pool-size", "10",
          "--judgments", str(fixtures / "judgments.jsonl"), "--test-fraction", "0.4")
    return work / "muser"


def _count_muser(source: Path) -> dict[str, int]:
    cases = json.loads((source / "cases" / "cases_pool.json").read_text(encoding="utf-8"))
    scores = json.loads((source / "labels" / "sim_scores.json").read_text(encoding="utf-8"))
    return {"corpus": len(cases), "queries": len(scores), "default": sum(len(v) for v in scores.values())}


def _build_webcpm(work: Path, data: Path) -> Path:
    bench("build", "webcpm", str(work / "traces.jsonl"), "--limit", "5", "-q")
    return work / "traces.jsonl"


def _build_qasnowball(work: Path, data: Path) -> Path:
    bench("build", "qasnowball", "--preset", "cmrc", "--backend", "rule", "--rounds", "1", "--docs-per-round", "5",
          "-o", str(work / "qas"), "-q")
    return work / "qas"


def _build_ultrachat(work: Path, data: Path) -> Path:
    """Stand-in for model output (no chat model can run in this test): real UltraChat evaluation
    questions as user turns, each answered by a fixed assistant turn, in the ultrachat_200k format."""
    questions = json.loads((data / "ultrachat" / "ultra_eval.json").read_text(encoding="utf-8"))
    path = work / "dialogues.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i, q in enumerate(questions):
            f.write(json.dumps({"id": f"eval-{i}", "prompt": q["data"],
                                "prompt_id": hashlib.sha256(q["data"].encode("utf-8")).hexdigest(), "messages": [
                {"role": "user", "content": q["data"]},
                {"role": "assistant", "content": "(stand-in answer written by the export test)"}]}) + "\n")
    return path


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


# export name -> (build a source folder/file, count the source: {config: rows} summed over splits)
BUILT: dict[str, tuple[Callable[[Path, Path], Path], Callable[[Path], dict[str, int]]]] = {
    "muser": (_build_muser, _count_muser),
    "webcpm": (_build_webcpm, lambda src: {"synthesis": _lines(src)}),
    "qasnowball": (_build_qasnowball, lambda src: {"default": _lines(src / "generated.jsonl")}),
    "ultrachat": (_build_ultrachat, lambda src: {"default": _lines(src)}),
}
SLOW_BUILDS = {"webcpm", "qasnowball"}          # 20-40 s each on the 2-core machine


def exporter_params() -> list:
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_BUILDS else n for n in available()]


def declared(folder: Path) -> dict[str, list[str]]:
    meta = yaml.safe_load(split_front_matter((folder / "README.md").read_text(encoding="utf-8"))[0])
    return {c["config_name"]: [f["split"] for f in c["data_files"]] for c in meta["configs"]}


@pytest.fixture(scope="module")
def exported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    cache: dict[str, Path] = {}

    def get(name: str) -> tuple[Path, Path | None]:
        if name not in cache:
            work = tmp_path_factory.mktemp("export")
            (work / "built").mkdir()
            source = BUILT[name][0](work / "built", shared_data) if name in BUILT else None
            try:
                cache[name] = (export_dataset(name, work / "exported" / name, source=source)[0], source)
            except Exception as exc:  # a new builder output this test cannot build yet: say so
                if source is None and "source" in str(exc).lower():
                    pytest.skip(f"exporter {name} needs a built --source; add a builder to BUILT: {exc}")
                raise
        return cache[name]
    return get


@pytest.mark.parametrize("name", exporter_params())
def test_export_loads_with_datasets_and_matches_source(name: str, exported, shared_data: Path) -> None:
    import datasets

    folder, source = exported(name)
    layout = declared(folder)
    assert layout, f"{name}: no configs declared"
    rows: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    loaded: dict[str, dict[str, datasets.Dataset]] = {}
    for config, splits in layout.items():
        for split in splits:
            ds = datasets.load_dataset(str(folder), config, split=split, cache_dir=str(folder.parent / "hf_cache"))
            on_disk = pq.ParquetFile(folder / config / f"{split}.parquet").metadata.num_rows
            assert ds.num_rows == on_disk, f"{name}/{config}/{split}"
            rows[config] = rows.get(config, 0) + ds.num_rows
            columns[config] = ds.column_names
            loaded.setdefault(config, {})[split] = ds
    assert all(n > 0 for n in rows.values()), f"{name}: empty config in {rows}"
    assert not list(folder.rglob("*.py")), "a loading script would be refused by datasets >= 4"
    assert {p.suffix for p in folder.rglob("*") if p.is_file()} <= {".parquet", ".md"}, "one file format per folder"

    if {"corpus", "queries", "default"} <= set(layout):           # MTEB retrieval layout
        def id_col(cols):
            return "_id" if "_id" in cols else "id"

        corpus_ids = {r for ds in loaded["corpus"].values() for r in ds[id_col(columns["corpus"])]}
        query_ids = {r for ds in loaded["queries"].values() for r in ds[id_col(columns["queries"])]}
        assert {"query-id", "corpus-id", "score"} <= set(columns["default"])
        for ds in loaded["default"].values():
            assert set(ds["corpus-id"]) <= corpus_ids and set(ds["query-id"]) <= query_ids

    if name in BUILT:
        for config, want in BUILT[name][1](source).items():
            assert rows[config] == want, f"{name}/{config}: {rows[config]} rows, the built source has {want}"
    elif name in SOURCE_COUNTS:
        expected = SOURCE_COUNTS[name](shared_data)
        if isinstance(expected, int):
            assert sum(n for c, n in rows.items() if "question" in columns[c]) == expected
        else:
            for config, want in expected.items():
                accepted = want if isinstance(want, tuple) else (want,)
                assert rows[config] in accepted, f"{name}/{config}: {rows[config]} rows, source has {accepted}"


@pytest.mark.parametrize("name", exporter_params())
def test_export_carries_the_card_and_keeps_configs(name: str, exported) -> None:
    folder, _ = exported(name)
    card = card_for(name)
    if card is None:
        pytest.skip(f"no data card matches exporter {name}")
    yaml_text, body = split_front_matter((folder / "README.md").read_text(encoding="utf-8"))
    meta = yaml.safe_load(yaml_text)
    card_yaml, card_body = split_front_matter(card_path(card).read_text(encoding="utf-8"))
    assert meta["license"] == yaml.safe_load(card_yaml)["license"]
    assert meta["configs"] and declared(folder)
    first_heading = next(line for line in card_body.splitlines() if line.startswith("# "))
    assert first_heading in body and "<!-- stats:begin" in body


def test_bench_export_cli(shared_data: Path, tmp_path: Path) -> None:
    proc = bench("export", "ultrachat_eval", str(tmp_path / "ue"))
    assert "card data_cards/ultrachat" in proc.stdout
    import datasets

    ds = datasets.load_dataset(str(tmp_path / "ue"), split="test", cache_dir=str(tmp_path / "hf_cache"))
    source = json.loads((shared_data / "ultrachat" / "ultra_eval.json").read_text())
    assert ds.num_rows == len(source) == 385
    assert ds[0]["class"] == source[0]["class"].strip() and ds[384]["question"] == source[384]["data"]
    bad = bench("export", "no-such-dataset", str(tmp_path / "x"), check=False)
    assert bad.returncode == 2 and "no exporter for 'no-such-dataset'" in bad.stderr
    assert not (tmp_path / "x").exists()
