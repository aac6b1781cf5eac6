"""The HTTP backend's adaptive in-flight limit (engines.llm.aimd): additive increase, multiplicative
decrease on 429 / 503 / a latency climb, counted in the backend's meter.

The limit's arithmetic is tested directly; the HTTP part runs against a real local HTTP exchange:
FailingProxy on 127.0.0.1 answering 429 / 503 on demand in front of FixedReplyServer. The upstream is a
fixed-reply server, not the llama.cpp model, because what is tested is the client's reaction to the
status codes, and a fixed reply keeps the 40 requests fast; no real server refuses on demand here.
"""
from __future__ import annotations

import threading
import time

from engines.llm import create_backend
from engines.llm.aimd import AdaptiveLimit
from tests.engines.llm.failing_proxy import FailingProxy
from tests.engines.llm.fixed_reply_server import FixedReplyServer


def test_additive_increase_multiplicative_decrease():
    lim = AdaptiveLimit(8, cooldown_s=0.0, warmup=1000)
    lim.on_overload("http_429")
    assert lim.snapshot()["limit"] == 4
    lim.on_overload("http_503")
    lim.on_overload("http_503")
    assert lim.snapshot() | {} == {"limit": 1, "max": 8, "lowest": 1, "max_in_flight": 0, "increases": 0,
                                   "decreases": {"http_429": 1, "http_503": 2}}
    lim.on_overload("http_429")                      # never below min_limit
    assert lim.snapshot()["limit"] == 1
    for _ in range(1 + 2 + 3):                       # +1/limit per answer: 1 -> 2 -> 3 -> 4 after 1+2+3 answers
        lim.on_success(0.1, 10)
    assert lim.snapshot()["limit"] == 4 and lim.increases == 3
    for _ in range(200):
        lim.on_success(0.1, 10)
    assert lim.snapshot()["limit"] == 8              # never above the ceiling


def test_one_burst_of_refusals_is_one_decrease():
    lim = AdaptiveLimit(8, cooldown_s=60.0)
    for _ in range(5):
        lim.on_overload("http_429")
    assert lim.snapshot()["limit"] == 4 and lim.decreases["http_429"] == 1


def test_latency_climb_per_token_decreases_the_limit():
    lim = AdaptiveLimit(8, cooldown_s=0.0, warmup=4, latency_factor=3.0)
    for _ in range(10):
        lim.on_success(1.0, 99)                      # 10 ms per token
    for _ in range(2):
        lim.on_success(10.0, 999)                    # a long answer at the same speed is no climb
    assert not lim.decreases
    for _ in range(20):
        lim.on_success(2.0, 9)                       # 200 ms per token: the server fell behind
    assert lim.decreases["latency"] >= 1 and lim.snapshot()["lowest"] <= 4


def test_acquire_waits_at_the_limit():
    lim = AdaptiveLimit(1)
    lim.acquire()
    got = threading.Event()
    t = threading.Thread(target=lambda: (lim.acquire(), got.set()))
    t.start()
    assert not got.wait(0.2)                         # the second request waits for a free slot
    lim.release()
    assert got.wait(2)
    lim.release()
    t.join()
    assert lim.snapshot()["max_in_flight"] == 1


def test_backend_halves_its_in_flight_limit_on_429_and_503_and_counts_it():
    def slow(body: dict) -> str:
        time.sleep(0.02)
        return "ok"

    sched = {1: "429", 2: "429", 20: "503"}
    with FixedReplyServer(slow) as upstream, FailingProxy(upstream.base_url, sched.get) as proxy:
        chat = create_backend("openai", "fixed", base_url=proxy.base_url, concurrency=8, backoff_base=0.01,
                              max_retries=4, jitter_seed=1)
        out = chat.chat_batch([[{"role": "user", "content": f"q{i}"}] for i in range(40)])
        snap = chat.meter.snapshot()
    assert [r.text for r in out] == ["ok"] * 40
    assert proxy.injected == {"429": 2, "503": 1}
    conc = snap["concurrency"]
    # the two 429s arrive together (one signal within the cooldown); the 503 comes later
    assert conc["decreases"]["http_429"] == 1 and conc["decreases"].get("http_503", 0) <= 1
    assert conc["lowest"] <= 4 and conc["max"] == 8 and conc["max_in_flight"] <= 8
    assert proxy.max_in_flight <= 8
    assert snap["retries"] == 3 and snap["retry_reasons"] == {"http_429": 2, "http_503": 1}


def test_adaptive_off_keeps_the_fixed_limit():
    with FixedReplyServer(lambda b: "ok") as upstream, FailingProxy(upstream.base_url, {1: "429"}.get) as proxy:
        chat = create_backend("openai", "fixed", base_url=proxy.base_url, concurrency=4, backoff_base=0.01,
                              adaptive=False)
        chat.chat_batch([[{"role": "user", "content": f"q{i}"}] for i in range(6)])
        conc = chat.meter.snapshot()["concurrency"]
    assert conc["limit"] == 4 and conc["decreases"] == {} and conc["increases"] == 0
