"""BackendSpec: the CLI's generic flags reach only the backends whose constructor takes them; user-named
options are kept and a wrong one is a one-line BackendError; the hashed description leaves out how calls
are made (URL, concurrency, retries) but keeps what changes the replies."""
from __future__ import annotations

import pytest

from engines.llm.base import BackendError
from engines.llm.spec import BackendSpec, parse_options


def test_shared_flags_are_filtered_by_constructor_signature():
    shared = {"base_url": "http://127.0.0.1:1/v1", "concurrency": 2, "gguf_file": None, "device": "cpu"}
    http = BackendSpec.from_cli("openai", "m", shared=shared)
    assert http.options == {"base_url": "http://127.0.0.1:1/v1", "concurrency": 2}
    local = BackendSpec.from_cli("hf", "path/to/model", shared=shared)
    assert local.kind == "transformers" and local.options == {"device": "cpu"}
    assert http.describe(for_hash=True) == {"kind": "openai", "model": "m", "options": {}}


def test_bad_options_are_one_line_errors():
    assert parse_options(["temperature=0.5", "name=abc", "flags=[1, 2]"]) == \
        {"temperature": 0.5, "name": "abc", "flags": [1, 2]}
    with pytest.raises(BackendError, match="expected KEY=VALUE"):
        parse_options(["novalue"])
    with pytest.raises(BackendError, match="unknown backend 'nope'"):
        BackendSpec.from_cli("nope", "m")
    with pytest.raises(BackendError, match="needs --llm-model"):
        BackendSpec.from_cli("openai", None, what="--llm-model")
    with pytest.raises(BackendError, match=r"--llm-option colour: unknown key for backend openai; accepted: .*base_url"):
        BackendSpec.from_cli("openai", "m", explicit={"colour": "red"})     # refused before anything is built
    assert BackendSpec.from_cli("openai", "m", explicit={"base_url": "http://127.0.0.1:1/v1"}).options == \
        {"base_url": "http://127.0.0.1:1/v1"}
