"""OpenAI-compatible backend against a real llama.cpp server (SmolLM2-135M) and a real failing proxy."""
from __future__ import annotations

import time

import pytest

from engines.llm import BackendError, Sampling, create_backend
from engines.llm.openai_compat import OpenAICompatBackend
from tests.engines.llm.failing_proxy import FailingProxy, every

pytestmark = pytest.mark.llm
HELLO = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]


def test_chat_returns_text_usage_and_finish_reason(llama_server):
    b = create_backend("openai", "smollm2", base_url=llama_server.base_url, price_prompt_per_mtok=1000.0,
                       price_completion_per_mtok=2000.0)
    r = b.chat(HELLO, Sampling(temperature=0.0, max_tokens=16))
    assert "paris" in r.text.lower()
    assert r.finish_reason == "stop"
    assert r.prompt_tokens > 0 and r.completion_tokens > 0
    assert r.cost_usd == pytest.approx((r.prompt_tokens * 1000 + r.completion_tokens * 2000) / 1e6)
    cut = b.chat([{"role": "user", "content": "Write a long story about a dragon."}], Sampling(temperature=0.0, max_tokens=4))
    assert cut.finish_reason == "length" and cut.completion_tokens == 4
    snap = b.meter.snapshot()
    assert snap["requests"] == 2 and snap["retries"] == 0
    assert snap["completion_tokens"] == r.completion_tokens + 4
    assert snap["cost_usd"] == pytest.approx(r.cost_usd + cut.cost_usd)


def test_seeded_sampling_is_repeatable(llama_server):
    b = OpenAICompatBackend("smollm2", base_url=llama_server.base_url)
    msgs = [{"role": "user", "content": "Name a colour."}]
    a1 = b.chat(msgs, Sampling(temperature=0.9, max_tokens=12, seed=7)).text
    a2 = b.chat(msgs, Sampling(temperature=0.9, max_tokens=12, seed=7)).text
    assert a1 == a2


def test_retries_on_429_500_malformed_and_counts_them(llama_server):
    sched = every({2: "429", 3: "500", 5: "malformed"})
    with FailingProxy(llama_server.base_url, sched) as proxy:
        b = OpenAICompatBackend("smollm2", base_url=proxy.base_url, backoff_base=0.01, backoff_max=0.05,
                                max_retries=10, jitter_seed=0, concurrency=2)
        convs = [[{"role": "user", "content": f"Say the number {i}."}] for i in range(4)]
        out = b.chat_batch(convs, Sampling(temperature=0.0, max_tokens=6))
    assert len(out) == 4 and all(r.text for r in out)
    snap = b.meter.snapshot()
    assert proxy.total_injected() >= 3
    assert snap["retries"] == proxy.total_injected()
    assert snap["requests"] == 4 == proxy.forwarded
    assert sum(r.retries for r in out) == snap["retries"]
    reasons = snap["retry_reasons"]
    assert reasons.get("http_429", 0) == proxy.injected.get("429", 0)
    assert reasons.get("http_500", 0) == proxy.injected.get("500", 0)
    assert reasons.get("malformed_json", 0) == proxy.injected.get("malformed", 0)


def test_gives_up_after_max_retries_with_one_line_error(llama_server):
    with FailingProxy(llama_server.base_url, lambda n: "503") as proxy:
        b = OpenAICompatBackend("smollm2", base_url=proxy.base_url, backoff_base=0.001, max_retries=3)
        with pytest.raises(BackendError, match="gave up after 3 retries .*http_503"):
            b.chat(HELLO, Sampling(max_tokens=4))
    assert proxy.requests == 4
    assert b.meter.snapshot()["failures"] == 1


def test_timeout_is_retried(llama_server):
    with FailingProxy(llama_server.base_url, lambda n: "stall" if n == 1 else None, stall_s=12.0) as proxy:
        b = OpenAICompatBackend("smollm2", base_url=proxy.base_url, timeout=6.0, backoff_base=0.01, max_retries=3)
        r = b.chat([{"role": "user", "content": "Hi"}], Sampling(temperature=0.0, max_tokens=2))
    assert r.text and r.retries == 1
    assert b.meter.snapshot()["retry_reasons"] == {"timeout": 1}


def test_client_error_is_not_retried(llama_server):
    # a wrong base URL: the real server answers 404, which no retry can fix
    b = OpenAICompatBackend("smollm2", base_url=llama_server.base_url + "/wrong", max_retries=5, backoff_base=0.01)
    with pytest.raises(BackendError, match=r"HTTP 404 \(not retried\)"):
        b.chat(HELLO, Sampling(max_tokens=4))
    assert b.meter.snapshot()["retries"] == 0


def test_concurrency_cap_and_key_from_env(llama_server, monkeypatch):
    monkeypatch.setenv("UC_TEST_KEY", "sk-test-secret")
    with FailingProxy(llama_server.base_url, lambda n: None) as proxy:
        b = OpenAICompatBackend("smollm2", base_url=proxy.base_url, api_key_env="UC_TEST_KEY", concurrency=2)
        t0 = time.monotonic()
        b.chat_batch([[{"role": "user", "content": f"Count to {i}."}] for i in range(6)],
                     Sampling(temperature=0.0, max_tokens=8))
        assert time.monotonic() - t0 > 0
    assert proxy.max_in_flight <= 2
    assert set(proxy.auth_headers) == {"Bearer sk-test-secret"}
    assert "sk-test-secret" not in repr(b) and "sk-test-secret" not in str(b.params())


def test_unknown_backend_and_bad_settings():
    with pytest.raises(BackendError, match="unknown backend"):
        create_backend("nope", "m")
    with pytest.raises(BackendError, match="concurrency"):
        OpenAICompatBackend("m", base_url="http://127.0.0.1:9/v1", concurrency=0)


def test_connection_refused_is_retried_then_fails():
    b = OpenAICompatBackend("m", base_url="http://127.0.0.1:9/v1", max_retries=2, backoff_base=0.001)
    with pytest.raises(BackendError, match="gave up after 2 retries .*connection"):
        b.chat(HELLO)
    assert b.meter.snapshot()["retries"] == 2
