"""The Elasticsearch request bodies as data: no server is needed (and none is faked)."""
from __future__ import annotations

from retrieval import es_requests as req
from retrieval.tokenize import get_tokenizer
from retrieval.types import Document


def test_index_body_sets_bm25_and_whitespace_analyzer() -> None:
    body = req.index_body(0.9, 0.4)
    index = body["settings"]["index"]
    assert index["similarity"][req.SIMILARITY] == {"type": "BM25", "k1": 0.9, "b": 0.4}
    assert index["number_of_shards"] == 1 and index["refresh_interval"] == "-1"
    assert index["analysis"]["analyzer"][req.WS_ANALYZER] == {"type": "custom", "tokenizer": "whitespace"}
    field = body["mappings"]["properties"][req.BODY_FIELD]
    assert field["similarity"] == req.SIMILARITY and field["analyzer"] == req.WS_ANALYZER
    assert body["mappings"]["properties"][req.ID_FIELD] == {"type": "keyword"}
    assert body["mappings"]["_meta"] == {"databench_complete": False}   # marked complete only after bulk
    assert body["mappings"]["dynamic"] == "strict"
    assert req.index_body(1.2, 0.75, analyzer="cjk")["mappings"]["properties"][req.BODY_FIELD]["analyzer"] == "cjk"


def test_index_name_is_stable_and_depends_on_settings() -> None:
    a = req.index_name("ab" * 32, {"k1": 1.2, "b": 0.75})
    assert a == req.index_name("ab" * 32, {"b": 0.75, "k1": 1.2})
    assert a.startswith("databench-abababababab-") and a == a.lower()
    assert a != req.index_name("ab" * 32, {"k1": 0.9, "b": 0.75})
    assert a != req.index_name("cd" * 32, {"k1": 1.2, "b": 0.75})
    assert req.index_name("ab" * 32, {}, prefix="My Lab/").startswith("my-lab-")


def test_bulk_actions_pretokenise_chinese_with_jieba() -> None:
    zh = get_tokenizer("zh")
    corpus = {"7": Document("7", "原告与被告因房屋买卖合同纠纷诉至北京市朝阳区人民法院。", title="合同纠纷")}
    (action,) = list(req.bulk_actions("idx", corpus, zh))
    assert action["_op_type"] == "index" and action["_index"] == "idx" and action["_id"] == "7"
    body = action["_source"][req.BODY_FIELD]
    assert body.split() == zh(corpus["7"].full_text)            # exactly our tokens, space separated
    assert "合同纠纷" in body.split() and "。" not in body
    raw = list(req.bulk_actions("idx", corpus, None))[0]["_source"][req.BODY_FIELD]
    assert raw == corpus["7"].full_text                          # analyzer mode: ES analyses raw text


def test_msearch_body_pairs_and_skips_empty_queries() -> None:
    en = get_tokenizer("en")
    sent, body = req.msearch_body("idx", {"1": "What similarity laws?", "2": "the of and", "3": "heat"}, 10, en)
    assert sent == ["1", "3"]                                    # "2" is only stopwords: not sent
    assert body[0] == {"index": "idx"} and body[2] == {"index": "idx"}
    assert body[1]["query"]["match"][req.BODY_FIELD]["query"] == "what similarity laws"
    assert body[1]["size"] == 10 and body[1]["_source"] is False


def test_client_options_take_credentials_from_env_only() -> None:
    opts = req.client_options(None, {"BENCH_ES_URL": "https://es:9200", "BENCH_ES_API_KEY": "k"})
    assert opts["hosts"] == ["https://es:9200"] and opts["api_key"] == "k" and "basic_auth" not in opts
    opts = req.client_options("http://127.0.0.1:9200", {"BENCH_ES_USER": "u", "BENCH_ES_PASSWORD": "p",
                                                        "BENCH_ES_CA_CERTS": "/ca.pem"})
    assert opts["basic_auth"] == ("u", "p") and opts["ca_certs"] == "/ca.pem"
    assert req.redact_url("https://user:secret@es.example:9200/prefix?x=1") == "https://es.example:9200/prefix"
