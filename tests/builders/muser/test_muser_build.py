"""Build a dataset from the written fixture cases; validate it, load it with `datasets`, check the scores."""
import json

import pytest

from annotation.agreement import cohen_kappa
from annotation.muser.validate import validate_path
from builders.muser.build import BuildConfig, BuildError, build_dataset
from tests.muser_support import FIXTURES


def _j(p):
    return json.loads(p.read_text(encoding="utf-8"))


def test_built_dataset_validates(built_dataset):
    assert [i for i in validate_path(built_dataset) if i.severity == "error"] == []


def test_built_dataset_loads_with_datasets(built_dataset, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import datasets

    corpus = datasets.load_dataset(str(built_dataset / "hf"), "corpus", split="corpus")
    queries = datasets.load_dataset(str(built_dataset / "hf"), "queries", split="queries")
    qrels = datasets.load_dataset(str(built_dataset / "hf"), "default")
    assert corpus.num_rows == 12 and set(queries["_id"]) == {"101", "104", "107", "110", "112"}
    assert set(qrels) == {"train", "test"}
    scores = _j(built_dataset / "labels/sim_scores.json")
    rows = [r for split in qrels.values() for r in split]
    assert len(rows) == sum(len(v) for v in scores.values())
    assert all(scores[r["query-id"]][r["corpus-id"]] == r["score"] for r in rows)
    assert "张某" in corpus.filter(lambda r: r["_id"] == "101")[0]["text"]


def test_scores_labels_and_judgments(built_dataset):
    scores = _j(built_dataset / "labels/sim_scores.json")
    views = _j(built_dataset / "labels/view_scores.json")
    pools = _j(built_dataset / "cases/cands_by_query.json")
    for q, docs in scores.items():
        vals = list(docs.values())
        assert vals == sorted(vals, reverse=True) and all(0 <= v <= 8 for v in vals)
        assert set(docs) == {str(c) for c in pools[q]} and q not in docs
        assert _j(built_dataset / "labels/golden_labels.json")[q] == [c for c, v in docs.items() if v >= 7]
        for c, v in docs.items():
            assert v == views[q][c]["aqbq"] + views[q][c]["zyjd"] + views[q][c]["ft"]
    # judged pairs: 101/102 both annotators 3+3+2; 101/103 fact split 2 vs 3 -> tie -> lower (2)
    assert views["101"]["102"] == {"aqbq": 3, "zyjd": 3, "ft": 2, "source": "judgments"} and scores["101"]["102"] == 8
    assert scores["101"]["103"] == 7
    assert "104" in scores["101"] and views["101"]["104"]["source"] == "judgments"   # judged pair joined the pool
    manifest = _j(built_dataset / "build.json")
    lines = [json.loads(x) for x in (FIXTURES / "judgments.jsonl").read_text().splitlines()]
    by = {}
    for r in lines:
        by.setdefault((r["query"], r["candidate"]), {})[r["annotator"]] = r["aqbq"]
    pairs = sorted(by)
    assert manifest["agreement"]["aqbq"]["cohen_kappa"] == pytest.approx(
        cohen_kappa([by[p]["a1"] for p in pairs], [by[p]["a2"] for p in pairs]))


def test_seeded_split_is_reproducible(tmp_path, muser_dir):
    def build(seed, name):
        out = tmp_path / name
        build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=out, schema_dir=muser_dir / "legal_items",
                                  n_queries=6, seed=seed, depth=5, hf=False))
        return _j(out / "cases/train_test.json")
    a, b = build(1, "a"), build(1, "b")
    assert a == b and len(a["test"]) == 1 and len(a["train"]) == 5


def test_pooling_from_bm25_and_elements(tmp_path, muser_dir):
    out = tmp_path / "ds"
    m = build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=out, schema_dir=muser_dir / "legal_items",
                                  queries=["104"], sources=("elements", "bm25"), depth=3, pool_size=6, hf=False))
    pool = _j(out / "cases/cands_by_query.json")["104"]
    assert m.build["sources"] == ["elements", "bm25"] and 104 not in pool and {105, 106} <= set(pool)
    build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=tmp_path / "el",
                              schema_dir=muser_dir / "legal_items", queries=["104"], depth=3, hf=False))
    alone = _j(tmp_path / "el/cases/cands_by_query.json")["104"]
    assert len(alone) == 3 and set(alone) < set(pool) and len(pool) <= 6   # bm25 added candidates
    assert pool[0] == alone[0]                                              # round-robin: elements first


def test_invalid_cases_are_refused_and_nothing_is_written(tmp_path, muser_dir):
    cases = _j(FIXTURES / "cases_pool.json")
    cases["103"]["split_labels"]["zyjd"]["level2"].append("没有这个标签")
    bad = tmp_path / "cases.json"
    bad.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BuildError, match=r"record 103 field split_labels\.zyjd\.level2\[\d+\]: unknown zyjd label"):
        build_dataset(BuildConfig(cases=bad, out_dir=tmp_path / "out", schema_dir=muser_dir / "legal_items",
                                  queries=["101"]))
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["cases.json"]


def test_exporter_from_registry(built_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import datasets

    from annotation.muser.files import MuserFileError
    from bench.export.registry import get_exporter

    export = get_exporter("muser")
    out = export(tmp_path / "hf", source=built_dataset)
    qrels = datasets.load_dataset(str(out), "default")
    scores = _j(built_dataset / "labels/sim_scores.json")
    assert sum(s.num_rows for s in qrels.values()) == sum(len(v) for v in scores.values())
    with pytest.raises(MuserFileError, match="needs case texts"):
        export(tmp_path / "x")
