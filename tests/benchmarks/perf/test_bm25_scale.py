"""The MS MARCO-shaped generator is seeded and shaped as documented; `bench run --dataset` scores its folder the
same with the on-disk index as in memory; the scale script runs both engines end to end (timings not asserted)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.perf import bm25_scale, msmarco_synth
from tests.benchmarks.datasets_fixtures import bench


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return msmarco_synth.generate(tmp_path_factory.mktemp("synth") / "f", n_docs=3_000, n_queries=60, seed=7,
                                  show_progress=False)


def test_generator_is_seeded_and_shaped(synth: Path, tmp_path: Path) -> None:
    again = msmarco_synth.generate(tmp_path / "again", n_docs=3_000, n_queries=60, seed=7, show_progress=False)
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        assert (synth / name).read_bytes() == (again / name).read_bytes(), name
    texts = [json.loads(line)["text"] for line in (synth / "corpus.jsonl").open(encoding="utf-8")]
    words = [len(t.split()) for t in texts]
    assert len(texts) == 3_000 and 50 < sum(words) / len(words) < 62 and min(words) >= 3
    assert 280 < sum(map(len, texts)) / len(texts) < 360
    queries = {json.loads(line)["_id"]: json.loads(line)["text"] for line in (synth / "queries.jsonl").open()}
    qrels = [line.split("\t") for line in (synth / "qrels" / "test.tsv").read_text().splitlines()[1:]]
    assert len(queries) == len(qrels) == 60
    for qid, doc, _ in qrels[:20]:            # the planted passage holds the query's content words
        passage = set(texts[int(doc)].split())
        content = [w for w in queries[qid].split() if w not in msmarco_synth.FUNCTION_WORDS]
        assert sum(w in passage for w in content) >= min(3, len(content)), (qid, doc)
    assert msmarco_synth.ensure(synth, 3_000, 60, 7) == (synth, False)   # same parameters: reused


def test_dataset_run_on_disk_equals_in_memory(synth: Path, tmp_path: Path) -> None:
    bench("run", "--dataset", str(synth), "-r", "bm25", "-o", str(tmp_path / "mem"), "-q")
    bench("run", "--dataset", str(synth), "-r", "bm25", "-p", f"index_dir={tmp_path / 'idx'}",
          "-o", str(tmp_path / "disk"), "-q")
    mem, = (tmp_path / "mem").glob("*__bm25*.json")
    disk, = (tmp_path / "disk").glob("*__bm25*.json")   # index_dir= is a parameter: its name carries a hash
    a, b = json.loads(mem.read_text()), json.loads(disk.read_text())
    assert a["per_query"] == b["per_query"] and a["metrics"] == b["metrics"]
    assert (tmp_path / "mem" / mem.name.replace(".json", ".run")).read_bytes() == \
        (tmp_path / "disk" / disk.name.replace(".json", ".run")).read_bytes()
    assert (tmp_path / "idx" / "indices.npy").is_file()


def test_scale_script_runs_both_engines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tantivy")
    out = tmp_path / "r.json"
    bm25_scale.main(["--docs", "2000", "--queries", "40", "--workdir", str(tmp_path), "--out", str(out)])
    results = {r["engine"]: r for r in json.loads(out.read_text())["results"]}
    for engine in ("ours", "tantivy"):
        r = results[engine]
        assert r["status"] == "ok", r
        assert set(r["phases"]) == {"index", "reopen", "search_1t", "search_2t"}
        assert r["phases"]["search_1t"]["mrr_at_10"] > 0.9 and r["phases"]["search_1t"]["n_queries"] == 40
        assert r["phases"]["search_1t"]["mrr_at_10"] == r["phases"]["search_2t"]["mrr_at_10"]
        assert r["phases"]["index"]["peak_rss"] > 0
    assert "| ours | ok |" in capsys.readouterr().out
