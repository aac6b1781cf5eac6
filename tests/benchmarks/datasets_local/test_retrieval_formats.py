"""BEIR, HF parquet, HF jsonl and TREC folders of the same tiny collection score identically, with values
worked out by hand (and by pytrec_eval directly); the description round-trips; broken folders are one line."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from benchmarks.artifacts import variant
from benchmarks.datasets_local import LocalDataError, open_dataset, run_local
from benchmarks.tasks.base import RunOptions
from tests.benchmarks.datasets_local.conftest import QRELS, RUN, write_beir, write_hf_jsonl

LOG3 = math.log2(3)
HAND = {  # q1 ranks d1(rel) d2 d3(rel); q2 ranks d1 d2(rel 2); trec_eval gains are the grades
    "nDCG@10": ((1 + 1 / 2) / (1 + 1 / LOG3) + (2 / LOG3) / 2) / 2,
    "MAP": ((1 + 2 / 3) / 2 + 1 / 2) / 2,
    "P@10": (2 / 10 + 1 / 10) / 2,
    "Recall@100": 1.0,
    "MRR": (1 + 1 / 2) / 2,
}


def _run(path: Path, tmp: Path, **kw) -> tuple:
    options = RunOptions(output=tmp, show_progress=False, **kw)
    return run_local(path, options)


@pytest.mark.parametrize("layout,fmt", [("beir", "beir"), ("hf", "hf"), ("hf-jsonl", "hf"), ("trec", "trec")])
def test_fixed_run_gives_hand_computed_values(folders, run_file, tmp_path, layout, fmt):
    result, path, described = _run(folders[layout], tmp_path, run_file=run_file)
    assert result.extra["dataset_format"] == fmt and result.task == f"local:{layout}"
    for metric, value in HAND.items():
        assert result.metrics["standard"][metric] == pytest.approx(value, abs=1e-12), metric
    assert result.main_score == {"metric": "nDCG@10", "set": "standard", "value": result.metrics["standard"]["nDCG@10"]}
    assert set(result.per_query["standard"]) == {"q1", "q2"}          # q3 has no judgements: not scored
    assert result.dataset_sha.startswith("local:") and described is not None and described.is_file()


def test_hand_values_agree_with_pytrec_eval():
    import pytrec_eval

    per_q = pytrec_eval.RelevanceEvaluator(QRELS, {"ndcg_cut.10", "map", "recip_rank"}).evaluate(RUN)
    assert HAND["nDCG@10"] == pytest.approx(sum(v["ndcg_cut_10"] for v in per_q.values()) / 2, abs=1e-12)
    assert HAND["MAP"] == pytest.approx(sum(v["map"] for v in per_q.values()) / 2, abs=1e-12)
    assert HAND["MRR"] == pytest.approx(sum(v["recip_rank"] for v in per_q.values()) / 2, abs=1e-12)


def test_bm25_scores_the_same_in_every_layout(folders, tmp_path):
    results = {name: _run(folder, tmp_path / name, retriever="bm25")[0] for name, folder in folders.items()}
    first = results["beir"]
    assert first.metrics["standard"]["MAP"] > 0
    for name, result in results.items():
        assert result.per_query == first.per_query, name
        assert result.extra["n_docs"] == 4 and result.extra["language"] == "en"


def test_description_is_written_and_repeats_the_run(folders, run_file, tmp_path):
    result, _, described = _run(folders["beir"], tmp_path / "a", run_file=run_file)
    text = described.read_text(encoding="utf-8")
    assert "format: beir" in text and "main_score: nDCG@10" in text and f"path: {folders['beir']}" in text
    again, _, written = _run(described, tmp_path / "b", run_file=run_file)
    assert written is None and again.metrics == result.metrics and again.dataset_sha == result.dataset_sha
    # the description copied into the folder is read from there and does not change the folder's sha
    copy = tmp_path / "copy"
    shutil.copytree(folders["beir"], copy)
    (copy / "databench.yaml").write_text(text.replace(f"path: {folders['beir']}", "").replace("name: beir", "name: mine")
                                         .replace("main_score: nDCG@10", "main_score: MAP"), encoding="utf-8")
    mine, path, written = _run(copy, tmp_path / "c", run_file=run_file)
    assert written is None and mine.task == "local:mine" and mine.main_score["metric"] == "MAP"
    assert mine.main_score["value"] == pytest.approx(HAND["MAP"], abs=1e-12)
    # `external-run` does not say which file: the result's name carries it (benchmarks.artifacts)
    assert mine.dataset_sha == result.dataset_sha
    assert path.name == f"local_mine__external-run.{variant({'file': run_file.name})}.json"


def test_declared_metrics_and_overrides(folders, run_file, tmp_path):
    local = open_dataset(folders["trec"], fmt="trec", lang="zh", split="test")
    assert (local.desc.kind, local.desc.lang, local.desc.ranking) == ("retrieval", "zh", "full")
    assert local.desc.metrics == ["nDCG@10", "MAP", "P@10", "Recall@100", "MRR"]


def test_broken_folders_name_file_and_line(folders, tmp_path):
    bad = write_beir(tmp_path / "bad")
    lines = (bad / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    (bad / "corpus.jsonl").write_text("\n".join([lines[0], '{"_id": "d9"}'] + lines[2:]) + "\n", encoding="utf-8")
    with pytest.raises(LocalDataError, match=r"corpus\.jsonl:2: field text: missing"):
        _run(bad, tmp_path / "o1", retriever="bm25")
    (bad / "corpus.jsonl").write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    with pytest.raises(LocalDataError, match=r"corpus\.jsonl:2"):
        _run(bad, tmp_path / "o2", retriever="bm25")
    both = write_hf_jsonl(tmp_path / "both")          # MTEB sub-folders and BEIR files in one folder
    write_beir(tmp_path / "b2")
    for name in ("corpus.jsonl", "queries.jsonl", "qrels"):
        shutil.move(str(tmp_path / "b2" / name), both / name)
    with pytest.raises(LocalDataError, match=r"ambiguous layout.*--dataset-format"):
        open_dataset(both)
    assert open_dataset(both, fmt="beir").desc.format == "beir"
    (tmp_path / "empty").mkdir()
    with pytest.raises(LocalDataError, match="no known dataset layout"):
        open_dataset(tmp_path / "empty")
    (bad / "databench.yaml").write_text("kind: retrieval\nformat: beir\nmain_score: nDCG@5\n", encoding="utf-8")
    with pytest.raises(LocalDataError, match=r"databench\.yaml: field main_score: 'nDCG@5' is not among metrics"):
        open_dataset(bad)
    (bad / "databench.yaml").write_text("kind: retrieval\nrankin: full\n", encoding="utf-8")
    with pytest.raises(LocalDataError, match=r"field rankin: unknown field"):
        open_dataset(bad)


def test_hf_card_with_crlf_reads_the_same_and_an_edit_is_seen(folders, tmp_path):
    from benchmarks.datasets_local import hf
    from tests.benchmarks.datasets_local.conftest import write_hf_parquet

    folder = write_hf_parquet(tmp_path / "crlf")
    readme = folder / "README.md"
    want = hf.configs(folder)
    readme.write_bytes(readme.read_bytes().replace(b"\n", b"\r\n"))
    assert hf.configs(folder) == want and hf.language(folder) == "en"
    readme.write_text(readme.read_text(encoding="utf-8").replace("- en", "- fra"), encoding="utf-8")
    assert hf.language(folder) == "fra"           # the parsed card is cached per README version (stat) only
    readme.write_bytes(b"---\nlanguage:\n- \xff\n---\n")
    with pytest.raises(LocalDataError, match=r"README\.md:3: not UTF-8"):
        hf.card_yaml(folder)
