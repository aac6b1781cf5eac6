"""The dialogue loop against the real llama.cpp server, with a recording proxy to check what each side saw."""
from __future__ import annotations

import pytest

from engines.llm import create_backend
from builders.ultrachat import prompts as P
from builders.ultrachat.config import config_from_dict
from builders.ultrachat.dialogue import DialogueGenerator
from builders.ultrachat.seeds import Node
from tests.engines.llm.failing_proxy import FailingProxy

pytestmark = pytest.mark.llm


def test_user_simulator_is_a_separate_call_with_rendered_history(llama_server):
    cfg = config_from_dict({"sector2": {"rounds": [2, 2]}, "assistant_sampling": {"max_tokens": 64},
                            "user_sampling": {"max_tokens": 48}, "user_retries": 1,
                            "system_prompt": "Answer in one short sentence."})
    node = Node("s2.m00.i000", "s2.m00", 2, "instruction", "Write a two-line poem about rain.",
                {"material_type": "Poems"})
    with FailingProxy(llama_server.base_url, lambda n: None) as proxy:
        b = create_backend("openai", "smollm2", base_url=proxy.base_url)
        rec = DialogueGenerator(cfg, b, b).generate(node)
    msgs = proxy.bodies
    ai = [m for m in msgs if m["messages"][0]["role"] == "system"]
    sim = [m for m in msgs if m["messages"][0]["role"] == "user"]
    assert ai and ai[0]["messages"][1:] == [{"role": "user", "content": node.text}]
    assert ai[0]["max_tokens"] == 64 and ai[0]["seed"] is not None
    for s in sim:                              # one user message: history as text + sector 2 instruction + persona
        assert len(s["messages"]) == 1 and s["max_tokens"] == 48
        content = s["messages"][0]["content"]
        assert content.startswith(f"User: {node.text}\n\nAssistant: ")
        assert P.USER_SIM[2] in content and content.endswith(P.PERSONA_LINE.format(
            persona=P.PERSONAS[rec["meta"]["persona_id"]]))
    gen = rec["gen"]
    assert gen["usage"]["calls"] == len(msgs) and gen["rounds_planned"] == 2
    assert gen["prompts_version"] == P.PROMPTS_VERSION and gen["ai_model"] == "smollm2"
    assert rec["meta"]["material_type"] == "Poems" and rec["meta"]["parent_id"] == "s2.m00"
    if rec.get("_rejected"):
        assert rec["messages"] == [] and rec["reject_reason"] in ("assistant_length", "assistant_empty")
    else:
        roles = [m["role"] for m in rec["messages"]]
        assert roles == ["user", "assistant"] * (len(roles) // 2) and len(roles) >= 2
        assert len(roles) // 2 == gen["rounds"]
        if gen["stop_reason"] == "rounds_done":
            assert gen["rounds"] == 2
