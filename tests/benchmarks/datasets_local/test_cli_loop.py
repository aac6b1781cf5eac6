"""The build -> export -> score loop through the real CLI: an exported Cranfield scored with
`bench run --dataset` equals `bench run cranfield`; its result packs, verifies on the folder, and is
refused on a changed folder; a broken folder is one line."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.benchmarks.datasets_fixtures import bench


@pytest.fixture(scope="module")
def cranfield_runs(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("cranfield_loop")
    bench("export", "cranfield", str(root / "cran"))
    bench("run", "cranfield", "-r", "bm25", "-o", str(root / "registry"), "-q")
    proc = bench("run", "--dataset", str(root / "cran"), "-r", "bm25", "-o", str(root / "local"), "-q")
    return root, proc


def test_exported_cranfield_scores_exactly_as_the_task(cranfield_runs):
    root, proc = cranfield_runs
    task = json.loads((root / "registry" / "cranfield__bm25.json").read_text(encoding="utf-8"))
    local = json.loads((root / "local" / "local_cran__bm25.json").read_text(encoding="utf-8"))
    assert local["main_score"]["value"] == task["main_score"]["value"]
    assert round(local["main_score"]["value"], 4) == 0.3615
    assert local["metrics"] == task["metrics"] and local["per_query"] == task["per_query"]
    assert local["extra"]["dataset_format"] == "hf" and local["dataset_sha"].startswith("local:")
    assert (root / "local" / "local_cran__bm25.databench.yaml").is_file() and "databench.yaml" in proc.stdout


def test_local_result_submits_and_verifies_on_its_folder(cranfield_runs, tmp_path):
    root, _ = cranfield_runs
    results = tmp_path / "results"
    results.mkdir()
    for name in ("local_cran__bm25.json", "local_cran__bm25.run"):
        shutil.copy(root / "local" / name, results / name)
    bench("submit", str(results), "-o", str(tmp_path / "sub.zip"))
    ok = bench("verify", str(tmp_path / "sub.zip"), "--data-dir", f"cran={root / 'cran'}")
    assert "accepted (1 result(s))" in ok.stdout and "nDCG@10 = 0.3614942136" in ok.stdout
    changed = tmp_path / "cran"
    shutil.copytree(root / "cran", changed)
    with open(changed / "README.md", "a", encoding="utf-8") as f:
        f.write("\nedited\n")
    bad = bench("verify", str(tmp_path / "sub.zip"), "--data-dir", f"cran={changed}", check=False)
    assert bad.returncode == 2 and "field dataset_sha" in bad.stderr + bad.stdout


def test_broken_folder_is_one_line(tmp_path):
    folder = tmp_path / "broken"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text('{"_id": "d1", "text": "a"}\n{"_id": "d2", "text": 5.5}\n', encoding="utf-8")
    (folder / "queries.jsonl").write_text('{"_id": "q1", "text": "a"}\n', encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n", encoding="utf-8")
    proc = bench("run", "--dataset", str(folder), "-r", "bm25", "-o", str(tmp_path / "o"), "-q", check=False)
    out = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2 and len(out.splitlines()) == 1, out
    assert "corpus.jsonl:2: field text: expected a string, got float" in out


def test_exported_lecard_reranks_its_pools_as_the_task(shared_data, tmp_path):
    """An HF folder with a `candidates` config is a re-ranking dataset: same numbers as `bench run lecard`."""
    from benchmarks.datasets_local import run_local
    from bench.export.export import export_dataset
    from benchmarks.tasks.base import RunOptions
    from benchmarks.tasks.registry import get_task

    folder, _ = export_dataset("lecard", tmp_path / "lecard")
    task = get_task("lecard")
    ref = task.evaluate(RunOptions(retriever="pool-order", output=tmp_path / "ref", show_progress=False))
    (folder / "databench.yaml").write_text("kind: retrieval\nmetrics: [nDCG@30, nDCG@10, nDCG@20, MAP, P@10, MRR]\n",
                                           encoding="utf-8")
    local, _, written = run_local(folder, RunOptions(retriever="pool-order", output=tmp_path / "local",
                                                     show_progress=False))
    assert written is None and local.extra["kind"] == "rerank" and local.extra["language"] == "zh"
    assert local.metrics == ref.metrics and local.per_query == ref.per_query
