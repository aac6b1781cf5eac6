"""tantivy backend on real data: Cranfield (en) against our bm25s backend, LeCaRD pools (zh, jieba), persistence."""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.base import RetrieverError
from retrieval.registry import create
from retrieval.tantivy_backend import META_FILE, TantivyRetriever


@pytest.fixture(scope="module")
def cranfield(shared_data: Path):
    from benchmarks.data.loaders.trec_xml import load_cranfield

    return load_cranfield(shared_data / "cranfield")


def test_cranfield_close_to_bm25s(cranfield, tmp_path: Path) -> None:
    from benchmarks.metrics import evaluate

    tv = TantivyRetriever(lang="en", index_dir=tmp_path / "idx")
    tv.index(cranfield.corpus, show_progress=False)
    run = tv.search(cranfield.queries, k=100, show_progress=False)
    bm = create("bm25", lang="en")
    bm.index(cranfield.corpus, show_progress=False)
    ref = bm.search(cranfield.queries, k=100, show_progress=False)
    ours = evaluate(cranfield.qrels, run, ["nDCG@10", "MAP"]).aggregate
    theirs = evaluate(cranfield.qrels, ref, ["nDCG@10", "MAP"]).aggregate
    # same analysis, BM25 with the same k1/b; only tantivy's 1-byte length norms and idf form differ
    assert abs(ours["nDCG@10"] - theirs["nDCG@10"]) < 0.02, (ours, theirs)
    assert abs(ours["MAP"] - theirs["MAP"]) < 0.02, (ours, theirs)
    overlap = [len(set(list(run[q])[:10]) & set(list(ref[q])[:10])) / 10 for q in cranfield.queries]
    assert sum(overlap) / len(overlap) > 0.8
    assert ours["nDCG@10"] > 0.3


def test_persistent_index_is_reused_and_loadable(cranfield, tmp_path: Path) -> None:
    corpus = dict(list(cranfield.corpus.items())[:200])
    queries = dict(list(cranfield.queries.items())[:20])
    first = TantivyRetriever(index_dir=tmp_path / "idx")
    first.index(corpus, show_progress=False)
    run = first.search(queries, k=10, show_progress=False)
    stamp = (tmp_path / "idx" / META_FILE).stat().st_mtime_ns
    second = TantivyRetriever(index_dir=tmp_path / "idx")
    second.index(corpus, show_progress=False)               # same corpus + analyzer: no rebuild
    assert (tmp_path / "idx" / META_FILE).stat().st_mtime_ns == stamp
    assert second.search(queries, k=10, show_progress=False) == run
    first.save(tmp_path / "copy")
    assert TantivyRetriever.load(tmp_path / "copy").search(queries, k=10, show_progress=False) == run
    changed = dict(list(corpus.items())[:150])               # another corpus: rebuilt, old docs gone
    second.index(changed, show_progress=False)
    assert all(set(v) <= set(changed) for v in second.search(queries, k=10, show_progress=False).values())
    assert not list(tmp_path.glob(".tantivy-build-*"))      # no build folder left behind


def lecard_slice(shared_data: Path, qids: tuple[str, ...], per_pool: int = 100):
    """Real LeCaRD pools read directly (the task loader reads all 25 pools, ~100 MB); first `per_pool` files."""
    import json

    from retrieval.types import Document

    root = shared_data / "lecard" / "data"
    queries = {}
    for line in (root / "query" / "query.json").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if str(rec["ridx"]) in qids:
            queries[str(rec["ridx"])] = rec["q"]
    labels = json.loads((root / "label" / "label_top30_dict.json").read_text(encoding="utf-8"))
    corpus, pools = {}, {}
    for q in qids:
        pools[q] = []
        for f in sorted((root / "candidates" / q).glob("*.json"))[:per_pool]:
            rec = json.loads(f.read_text(encoding="utf-8"))
            corpus[f.stem] = Document(f.stem, rec["ajjbqk"], title=rec.get("ajName", ""))
            pools[q].append(f.stem)
    return corpus, queries, pools, {q: labels[q] for q in qids}


def test_lecard_pools_chinese(shared_data: Path) -> None:
    corpus, queries, pools, qrels = lecard_slice(shared_data, ("5156", "17"), per_pool=30)
    tv = TantivyRetriever(lang="zh")
    run = tv.rerank(corpus, queries, pools, k=10, show_progress=False)
    for q in pools:
        assert 0 < len(run[q]) <= 10 and set(run[q]) <= set(pools[q])
        graded = [qrels[q].get(d, 0) for d in run[q]]
        assert sum(graded) > 0          # jieba terms match real legal documents
    assert tv.params()["tokenizer"]["name"] == "zh"


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(RetrieverError, match="fixed"):
        TantivyRetriever(k1=0.9)
    with pytest.raises(RetrieverError, match="unknown parameter"):
        create("tantivy", model="x")
    with pytest.raises(RetrieverError, match="not a saved tantivy index"):
        TantivyRetriever.load(tmp_path)
    with pytest.raises(RetrieverError, match="before index"):
        TantivyRetriever().search({"q": "x"})
