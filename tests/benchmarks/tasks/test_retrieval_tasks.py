"""The three retrieval tasks end to end on real data, through run_task (what `bench run` calls)."""
import hashlib
import json
from pathlib import Path

import pytest

from benchmarks.io.trec import read_run
from benchmarks.results import load_result
from core import sha256_file
from benchmarks.runner import run_task
from benchmarks.tasks.base import RunOptions, TaskError
from benchmarks.tasks.registry import available, get_task


@pytest.fixture(autouse=True)
def _mirror(shared_data, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))


def test_registry_lists_the_three_tasks_declaratively():
    assert {"cranfield", "vaswani", "lecard"} <= set(available())
    lecard = get_task("lecard")
    assert (lecard.language, lecard.main_score, lecard.rerank) == ("zh", "nDCG@30", True)
    assert get_task("cranfield").main_score == "nDCG@10"


def test_cranfield_bm25_end_to_end(tmp_path):
    result, path = run_task("cranfield", RunOptions(retriever="bm25", output=tmp_path, show_progress=False))
    values = result.metrics["standard"]
    # plain BM25 (k1=1.2, b=0.75, no stemming); an independent run reported 0.355 / 0.271
    assert 0.33 <= values["nDCG@10"] <= 0.40 and 0.25 <= values["MAP"] <= 0.30
    assert result.main_score == {"metric": "nDCG@10", "set": "standard", "value": values["nDCG@10"]}
    assert len(result.per_query["standard"]) == 225
    saved = load_result(path)
    assert saved.to_dict() == json.loads(path.read_text())
    assert saved.model.params["tokenizer"]["name"] == "en" and saved.model.params["k1"] == 1.2
    assert saved.run_sha256 == sha256_file(saved.run_file)
    assert "missing_queries" in saved.conventions and "topic_ids" in saved.conventions
    assert saved.dataset_sha and saved.package_version and saved.machine["device"] == "cpu"
    run = read_run(saved.run_file)
    assert max(len(d) for d in run.values()) == 100

    # scoring the written run again gives the same numbers
    rescored, _ = run_task("cranfield", RunOptions(run_file=Path(saved.run_file), output=tmp_path / "re",
                                                   show_progress=False))
    assert rescored.metrics["standard"] == pytest.approx(values, abs=1e-12)
    assert rescored.model.name == "external-run"


def test_params_override_tokenizer_and_k(tmp_path):
    result, _ = run_task("cranfield", RunOptions(retriever="bm25", k=10, output=tmp_path, show_progress=False,
                                                 params={"stem": True, "k1": 0.9, "b": 0.4}))
    assert result.model.params["tokenizer"]["stem"] == "english" and result.model.params["b"] == 0.4
    assert result.extra["k"] == 10


def test_vaswani_bm25(tmp_path):
    result, _ = run_task("vaswani", RunOptions(retriever="bm25", output=tmp_path, show_progress=False))
    assert 0.32 <= result.main_score["value"] <= 0.40
    assert result.extra["n_docs"] == 11429


@pytest.fixture()
def lecard_slice(shared_data, tmp_path):
    """Two real LeCaRD queries with their full pools (jieba over all 25 pools takes ~1 min)."""
    src, dst = shared_data / "lecard" / "data", tmp_path / "lecard" / "data"
    for sub in ("query", "label"):
        (dst / sub).mkdir(parents=True)
        for f in (src / sub).iterdir():
            (dst / sub / f.name).symlink_to(f)
    (dst / "candidates").mkdir()
    for qid in ("6816", "17"):
        (dst / "candidates" / qid).symlink_to(src / "candidates" / qid)
    return tmp_path / "lecard"


def test_lecard_bm25_beats_the_no_model_order(lecard_slice, tmp_path):
    bm25, _ = run_task("lecard", RunOptions(retriever="bm25", data_dir=lecard_slice, output=tmp_path,
                                            show_progress=False))
    base, _ = run_task("lecard", RunOptions(retriever="pool-order", data_dir=lecard_slice, output=tmp_path,
                                            show_progress=False))
    assert bm25.extra["n_queries"] == 2 and bm25.dataset_sha.startswith("local:")
    assert bm25.dataset_sha != "local:" + hashlib.sha256(b"").hexdigest()  # symlinked files are hashed
    assert bm25.main_score["metric"] == "nDCG@30"
    assert bm25.main_score["value"] > base.main_score["value"] + 0.2
    run = read_run(bm25.run_file)
    assert set(run["17"]) <= {p.stem for p in (lecard_slice / "data/candidates/17").glob("*.json")}


def test_unknown_task_and_split(tmp_path):
    with pytest.raises(TaskError, match="unknown task 'nope'"):
        run_task("nope", RunOptions(output=tmp_path))
    with pytest.raises(TaskError, match="unknown split 'dev'"):
        run_task("lecard", RunOptions(split="dev", output=tmp_path, show_progress=False))


def test_lecard_loader_params_reach_the_loader_not_the_retriever(lecard_slice, tmp_path):
    from core import DataError

    result, _ = run_task("lecard", RunOptions(retriever="pool-order", data_dir=lecard_slice, output=tmp_path,
                                              show_progress=False, params={"doc_field": "pjjg"}))
    assert result.conventions["document_text"] == "ajName (title) + pjjg"
    with pytest.raises(DataError, match="unknown doc_field 'body'"):
        run_task("lecard", RunOptions(retriever="pool-order", data_dir=lecard_slice, output=tmp_path,
                                      show_progress=False, params={"doc_field": "body"}))


def test_run_flags_reach_the_retriever_or_are_refused(tmp_path):
    """`bench run --batch-size/--device/--model` are retriever parameters, never silently dropped."""
    with pytest.raises(Exception, match="model"):
        run_task("cranfield", RunOptions(retriever="bm25", model="some/model", output=tmp_path, show_progress=False))
    with pytest.raises(Exception, match="device"):
        run_task("lecard", RunOptions(retriever="pool-order", device="cpu", output=tmp_path, show_progress=False))
    seen = {}

    class Probe:  # records what the runner hands the retriever; the real dense path is tested in tests/retrieval
        def __init__(self, **params):
            seen.update(params)
            raise TaskError("probe stops here")

    import retrieval.registry as reg

    reg.RETRIEVERS["probe"] = f"{__name__}:_PROBE"
    globals()["_PROBE"] = Probe
    try:
        with pytest.raises(TaskError, match="probe stops here"):
            run_task("cranfield", RunOptions(retriever="probe", model="m", device="cpu", batch_size=8,
                                             output=tmp_path, show_progress=False))
    finally:
        del reg.RETRIEVERS["probe"]
    assert (seen["model"], seen["device"], seen["batch_size"]) == ("m", "cpu", 8)
