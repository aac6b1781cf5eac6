"""The retrieval registry: names, `a+b` fusions with routed params, messages from constructor signatures."""
from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.base import RetrieverError, accepted_params
from retrieval.fusion import FusionRetriever, fuse
from retrieval.registry import RETRIEVERS, accepts, create, fusion_params, get_class, load, route_params
from retrieval.types import Document

REPO = Path(__file__).resolve().parents[2]
CORPUS = {"d1": "the cat sat on the mat", "d2": "dogs chase cats in the park", "d3": "stock markets fell today",
          "d4": "the mat was red and the cat was black", "d5": "markets and stocks rallied"}
QUERIES = {"a": "cat mat", "b": "stock markets"}


def _signature_names(cls: type) -> set[str]:
    return {p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


@pytest.mark.parametrize("name", ["bm25", "bm25-rank", "pool-order", "tantivy"])
def test_unknown_parameter_lists_the_constructor_parameters(name: str) -> None:
    try:
        cls = get_class(name)
    except ImportError:   # an optional engine that is not installed here
        pytest.skip(f"{name} not installed")
    with pytest.raises(RetrieverError) as err:
        create(name, no_such_knob=1)
    msg = str(err.value)
    assert msg.startswith(f"{name}: unknown parameter no_such_knob; accepted: ")
    listed = set(msg.split("accepted: ", 1)[1].split(", ")) - {"none"}
    assert listed == set(accepted_params(cls))
    assert _signature_names(cls) <= listed      # the class's own keywords are all there


def test_accepted_params_follow_forwarding_kwargs_only() -> None:
    bm25 = accepted_params(get_class("bm25"))            # BM25s(**kwargs) -> LexicalRetriever(...)
    assert {"n_threads", "dtype", "tokenizer", "stem", "stopwords", "k1", "b", "lang"} <= set(bm25)
    assert accepted_params(get_class("pool-order")) == ["lang"]


def test_every_registered_class_has_a_signature_we_can_read() -> None:
    for name, target in RETRIEVERS.items():
        module, attr = target.split(":")
        try:
            cls = get_class(name)
        except ImportError:
            continue
        assert cls.__name__ == attr and accepted_params(cls), name


def test_fused_name_is_built_by_the_registry_with_routed_params() -> None:
    fr = create("bm25+bm25-rank", lang="en", k1=0.9, **{"bm25-rank.b": 0.5}, fusion="wsum", weights="0.3,0.7")
    assert isinstance(fr, FusionRetriever)
    (a, b) = fr.parts
    assert (a.name, a.k1, a.b) == ("bm25", 0.9, 0.75)          # k1 to both, b only to bm25-rank
    assert (b.name, b.k1, b.b) == ("bm25-rank", 0.9, 0.5)
    assert fr.method == "wsum" and fr.weights == [0.3, 0.7]
    corpus = {d: Document(d, t) for d, t in CORPUS.items()}
    fr.index(corpus, show_progress=False)
    run = fr.search(QUERIES, k=3, show_progress=False)
    parts = [p.search(QUERIES, 100, show_progress=False) for p in fr.parts]
    assert run == fuse(parts, "wsum", weights=[0.3, 0.7], k=3)
    assert list(run["a"])[0] in {"d1", "d4"} and list(run["b"])[0] in {"d3", "d5"}


def test_fused_save_and_load_through_the_registry(tmp_path: Path) -> None:
    fr = create("bm25+bm25", k1=1.5)
    fr.index({d: Document(d, t) for d, t in CORPUS.items()}, show_progress=False)
    run = fr.search(QUERIES, k=3, show_progress=False)
    fr.save(tmp_path / "idx")
    again = load("bm25+bm25", tmp_path / "idx")
    assert again.search(QUERIES, k=3, show_progress=False) == run
    assert [p.k1 for p in again.parts] == [1.5, 1.5]
    with pytest.raises(RetrieverError, match="retrieval.registry.load"):
        FusionRetriever.load(tmp_path / "idx")


def test_fusion_routing_errors_name_what_is_accepted() -> None:
    with pytest.raises(RetrieverError) as err:
        route_params(["bm25", "pool-order"], {"bogus": 1})
    msg = str(err.value)
    assert "no part takes parameter 'bogus'" in msg and "pool-order: lang" in msg
    assert all(p in msg for p in fusion_params())
    with pytest.raises(RetrieverError, match="names no part"):
        create("bm25+bm25-rank", **{"dense.model": "x"})
    with pytest.raises(RetrieverError, match="^bm25-rank: unknown parameter dtype; accepted: "):
        create("bm25+bm25-rank", **{"bm25-rank.dtype": "float32"})   # routed to a part that does not take it
    with pytest.raises(RetrieverError, match="unknown retriever 'nope'"):
        create("bm25+nope")


def test_fusion_params_come_from_the_signature() -> None:
    assert set(fusion_params()) == {"fusion", "rrf_k", "weights", "norm", "depth"}
    assert accepts("bm25+pool-order", "weights") and accepts("bm25+pool-order", "k1")
    assert not accepts("pool-order", "k1") and accepts("pool-order", "lang")


def test_fusion_module_does_not_import_the_registry() -> None:
    tree = ast.parse((REPO / "retrieval" / "fusion.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and "registry" in m for m in imported), imported
    code = "import sys, retrieval.fusion; print('retrieval.registry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bench_run_cranfield_bm25_plus_dense(tiny_model: Path, shared_data: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`bench run cranfield -r bm25+dense` end to end, with the tiny test model (the default one takes minutes)."""
    import json

    from typer.testing import CliRunner

    from bench.cli import app

    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    r = CliRunner().invoke(app, ["run", "cranfield", "-r", "bm25+dense", "--model", str(tiny_model), "-p",
                                 f"dense.cache_dir={tmp_path / 'cache'}", "-p", "rrf_k=30", "-o", str(tmp_path), "-q"])
    assert r.exit_code == 0, r.output
    (path,) = tmp_path.glob("cranfield__bm25+dense.p*.json")      # named apart by its -p values
    result = json.loads(path.read_text(encoding="utf-8"))
    params = result["model"]["params"]
    assert result["model"]["name"] == "bm25+dense" and params["fusion"] == "rrf" and params["rrf_k"] == 30
    assert [p["name"] for p in params["parts"]] == ["bm25", "dense"]
    assert 0 < result["main_score"]["value"] <= 1


class _TakesAnything:
    """A retriever whose constructor checks its own keywords (`**params`, no base to forward to)."""

    def __init__(self, **params: object) -> None:
        self.params_seen = params


def test_a_catch_all_constructor_is_left_to_check_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RETRIEVERS, "anything", f"{__name__}:_TakesAnything")
    assert create("anything", x=1).params_seen == {"x": 1}
    assert accepts("anything", "whatever") and accepts("bm25+anything", "whatever")
    per_part, _ = route_params(["bm25", "anything"], {"k1": 1.0, "x": 2})
    assert per_part == [{"k1": 1.0}, {"k1": 1.0, "x": 2}]
