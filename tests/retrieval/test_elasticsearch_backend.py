"""Elasticsearch backend. Without a server only the configuration errors run; the end-to-end tests run
against a real server when BENCH_ES_URL is set (see README: docker run ... elasticsearch)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from retrieval.registry import create
from retrieval.base import RetrieverError
from retrieval.elasticsearch_backend import ElasticsearchRetriever
from retrieval.types import Document

needs_es = pytest.mark.skipif(not os.environ.get("BENCH_ES_URL"),
                              reason="BENCH_ES_URL is not set: no Elasticsearch server (none can be installed on the "
                                     "build machines; see README 'Elasticsearch' to start one with docker)")


def test_missing_url_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_ES_URL", raising=False)
    r = ElasticsearchRetriever()
    with pytest.raises(RetrieverError, match="no server URL"):
        r.index({"1": Document("1", "x")})
    with pytest.raises(RetrieverError, match="unknown parameter"):
        create("elasticsearch", password="secret")


def test_unreachable_server_is_a_one_line_error() -> None:
    import socket

    with socket.socket() as s:          # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = ElasticsearchRetriever(es_url=f"http://user:pw@127.0.0.1:{port}", request_timeout=2)
    with pytest.raises(RetrieverError, match="cannot use http://127.0.0.1") as err:
        r.client()
    assert "pw" not in str(err.value)


@pytest.fixture(scope="module")
def cranfield(shared_data: Path):
    from benchmarks.data.loaders.trec_xml import load_cranfield

    return load_cranfield(shared_data / "cranfield")


@needs_es
@pytest.mark.es
def test_cranfield_end_to_end_close_to_bm25s(cranfield, tmp_path: Path) -> None:
    from benchmarks.metrics import evaluate
    from retrieval.registry import create

    prefix = f"databench-test-{uuid.uuid4().hex[:6]}"
    es = ElasticsearchRetriever(lang="en", index_prefix=prefix)
    try:
        es.index(cranfield.corpus, show_progress=False)
        run = es.search(cranfield.queries, k=100, show_progress=False)
        bm = create("bm25", lang="en")
        bm.index(cranfield.corpus, show_progress=False)
        ref = bm.search(cranfield.queries, k=100, show_progress=False)
        ours = evaluate(cranfield.qrels, run, ["nDCG@10"]).aggregate["nDCG@10"]
        theirs = evaluate(cranfield.qrels, ref, ["nDCG@10"]).aggregate["nDCG@10"]
        assert abs(ours - theirs) < 0.02, (ours, theirs)
        es.save(tmp_path / "saved")
        again = ElasticsearchRetriever.load(tmp_path / "saved")
        assert again.search(dict(list(cranfield.queries.items())[:5]), k=10, show_progress=False) == \
            es.search(dict(list(cranfield.queries.items())[:5]), k=10, show_progress=False)
        # same corpus + settings: reused, not re-indexed
        name = es._index
        es2 = ElasticsearchRetriever(lang="en", index_prefix=prefix)
        es2.index(cranfield.corpus, show_progress=False)
        assert es2._index == name
    finally:
        if es._index:
            es.client().indices.delete(index=es._index, ignore_unavailable=True)


@needs_es
@pytest.mark.es
def test_chinese_pretokenised_index(shared_data: Path) -> None:
    docs = {"1": Document("1", "原告与被告因房屋买卖合同纠纷诉至北京市朝阳区人民法院。"),
            "2": Document("2", "被告人盗窃他人财物，数额较大，构成盗窃罪。"), "3": Document("3", "a contract dispute")}
    es = ElasticsearchRetriever(lang="zh", index_prefix=f"databench-test-{uuid.uuid4().hex[:6]}", k1=0.9, b=0.4)
    try:
        es.index(docs, show_progress=False)
        run = es.search({"a": "合同纠纷", "b": "盗窃罪"}, k=3, show_progress=False)
        assert list(run["a"])[0] == "1" and list(run["b"])[0] == "2"
    finally:
        if es._index:
            es.client().indices.delete(index=es._index, ignore_unavailable=True)
