import pytest

from retrieval.base import RetrieverError
from retrieval.registry import create
from retrieval.types import Document


def test_pool_order_ranks_by_numeric_id_and_ignores_text():
    corpus = {d: Document(d, "text") for d in ["10", "9", "100", "2"]}
    run = create("pool-order", lang="zh").rerank(corpus, {"q": "x"}, {"q": ["100", "9", "10", "2"]}, k=3)
    assert sorted(run["q"], key=run["q"].get, reverse=True) == ["2", "9", "10"]


def test_pool_order_cannot_search():
    with pytest.raises(RetrieverError, match="re-ranking baseline"):
        create("pool-order").search({"q": "x"})
