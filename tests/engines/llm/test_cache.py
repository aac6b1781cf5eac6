"""The shared request cache (engines.llm.cache, engines.llm.cached): keys, sharing, one process per file.

The HTTP exchange is real (FixedReplyServer on 127.0.0.1, a fixed-reply stand-in: these tests are about what
reaches the server, not about a model's replies)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engines.llm import Sampling, create_backend
from engines.llm.cache import CacheBusy, open_cache, request_key
from engines.llm.cached import CachedBackend, release, with_cache
from tests.engines.llm.fixed_reply_server import FixedReplyServer

REPO = Path(__file__).resolve().parents[3]
MSG = [{"role": "user", "content": "hello"}]


def test_key_names_what_determines_the_reply_and_nothing_else():
    s = Sampling(temperature=0.7, max_tokens=8, seed=1).to_dict()
    k = request_key("openai", "m", MSG, s)
    assert k == request_key("openai", "m", [dict(MSG[0])], dict(s))
    assert k != request_key("openai", "m2", MSG, s)
    assert k != request_key("vllm", "m", MSG, s)
    assert k != request_key("openai", "m", MSG, {**s, "seed": 2})
    assert k != request_key("openai", "m", [{"role": "user", "content": "hello!"}], s)
    assert k != request_key("openai", "m", MSG, s, {"grammar": "root ::= \"a\""})


def test_cached_backend_asks_once_and_keeps_no_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-never-cached")
    with FixedReplyServer(lambda body: "reply to " + body["messages"][-1]["content"]) as server:
        a = with_cache(create_backend("openai", "m", base_url=server.base_url, concurrency=2), tmp_path)
        # another backend object, another URL spelling: same model, same cache file, same instance
        b = with_cache(create_backend("openai", "m", base_url=server.base_url + "/"), tmp_path)
        assert isinstance(a, CachedBackend) and a.cache is b.cache
        s = Sampling(temperature=0.5, max_tokens=8, seed=3)
        first = a.chat(MSG, s)
        again = b.chat(MSG, s)
        assert server.requests == 1 and again.text == first.text == "reply to hello"
        assert (again.prompt_tokens, again.completion_tokens) == (first.prompt_tokens, first.completion_tokens)
        convs = [MSG] + [[{"role": "user", "content": f"q{i}"}] for i in range(4)]
        out = a.chat_batch(convs, s)
        assert [r.text for r in out] == ["reply to hello"] + [f"reply to q{i}" for i in range(4)]
        assert server.requests == 5                          # the cached one was not sent again
        assert a.meter.snapshot()["cache_hits"] == 1 and b.meter.snapshot()["cache_hits"] == 1
        release(a, b)
    text = (tmp_path / "chat.jsonl").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 5 and "sk-secret" not in text and "Bearer" not in text
    assert "127.0.0.1" not in text


def test_off_by_default_in_the_suite_unless_a_folder_is_named(tmp_path):
    with FixedReplyServer(lambda body: "x") as server:
        plain = create_backend("openai", "m", base_url=server.base_url)
        assert os.environ["BENCH_LLM_CACHE"] == "off"
        assert with_cache(plain) is plain                     # tests/conftest.py sets BENCH_LLM_CACHE=off
        assert with_cache(plain, tmp_path, enabled=False) is plain
        wrapped = with_cache(plain, tmp_path)
        assert isinstance(wrapped, CachedBackend)
        release(wrapped)


def test_a_second_process_is_refused_in_one_line(tmp_path):
    path = tmp_path / "chat.jsonl"
    code = ("import sys, time; from engines.llm.cache import open_cache; c = open_cache(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(CacheBusy, match="in use by another running process.*--llm-cache DIR"):
            open_cache(path)
    finally:
        child.kill()
        child.wait()
    cache = open_cache(path)                                  # free again once the holder is gone
    cache.put({"key": "k", "text": "t"})
    assert cache.get("k") == {"key": "k", "text": "t"} and cache.hits == 1
    cache.close()
