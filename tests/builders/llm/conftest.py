from __future__ import annotations

import os

import pytest

from tests.builders.llm.llama_server import ensure_server, llama_server_available

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def llama_server():
    ok, why = llama_server_available()
    if not ok:
        pytest.skip(why)
    return ensure_server()
