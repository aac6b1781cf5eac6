"""Replay, LLM policy (through a scripted stand-in ChatBackend) and the answer step."""
from __future__ import annotations

import copy
import json

from annotation.webcpm import actions as A
from annotation.webcpm.validate import validate_record
from engines.llm.base import ChatBackend, ChatResponse
from builders.webcpm.answer import add_citations, extractive_answer, llm_answer
from builders.webcpm.browser import Browser
from builders.webcpm.policies.llm import LLMPolicy, parse_reply
from builders.webcpm.policies.replay import ReplayPolicy


class ScriptedBackend:
    """Stand-in for a real chat model (none can run in the test budget): replies from a script,
    but sees the real prompts, so the test checks what the policy sends."""

    name = "scripted"
    model = "script"

    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts: list[str] = []

    def chat(self, messages, sampling=None):
        self.prompts.append(messages[-1]["content"])
        return ChatResponse(text=self.replies.pop(0) if self.replies else "结束", finish_reason="stop", model=self.model)

    def chat_batch(self, conversations, sampling=None):
        return [self.chat(c, sampling) for c in conversations]


def test_scripted_backend_satisfies_the_protocol():
    assert isinstance(ScriptedBackend([]), ChatBackend)


def test_replay_reproduces_a_trace_and_reports_divergence(oracle_traces, web, dureader):
    rec = json.loads(oracle_traces.read_text(encoding="utf-8").splitlines()[0])
    q = next(q for q in dureader[1] if q["id"] == rec["_id"])
    b = Browser(web, q["question"], record_id=q["id"])
    notes = ReplayPolicy(trace=rec).run(b, q)
    assert notes["divergences"] == []
    assert [a["action"] for a in b.actions] == [a["action"] for a in rec["actions"]]
    assert b.digests == [d["datas"] for d in rec["digests"]]

    broken = copy.deepcopy(rec)
    i_quote = next(i for i, a in enumerate(broken["actions"]) if a["action"] == A.QUOTE)
    broken["actions"][i_quote]["details"]["text"] = "此句不在任何页面中出现过"
    i_load = next(i for i, a in enumerate(broken["actions"]) if a["action"] == A.LOAD)
    broken["actions"][i_load]["details"]["href"] = "https://elsewhere.example/1"
    b2 = Browser(web, q["question"], record_id=q["id"])
    notes = ReplayPolicy(trace=broken).run(b2, q)
    where = {d["index"] for d in notes["divergences"]}
    assert i_quote in where and i_load in where
    assert validate_record(b2.record()) == []        # the replayed record stays valid


def test_parse_reply():
    assert parse_reply("搜索；天空为什么是蓝色") == ("搜索", "天空为什么是蓝色")
    assert parse_reply("二号页面") == ("二号页面", "")
    assert parse_reply("新增摘要：一段话") == ("新增摘要", "一段话")
    assert parse_reply("我觉得应该下翻")[0] is None


def test_llm_policy_drives_the_browser(web, dureader):
    q = dureader[1][0]
    backend = ScriptedBackend(["搜索", q["question"], "一号页面", "新增摘要", "PLACEHOLDER", "胡言乱语",
                               "新增摘要；不在窗口里的话", "也不在窗口里", "返回", "结束"])
    policy = LLMPolicy(backend)
    b = Browser(web, q["question"], record_id=q["id"])

    # the fact-extraction reply must be a selection of the window the model saw: fill it in lazily
    orig_chat = backend.chat

    def chat(messages, sampling=None):
        if backend.replies and backend.replies[0] == "PLACEHOLDER":
            backend.replies[0] = b.visible_text().split("\n")[0][:15]
        return orig_chat(messages, sampling)

    backend.chat = chat
    notes = policy.run(b, q)
    names = [a["action"] for a in b.actions]
    assert names == [A.START, A.SEARCH, A.LOAD, A.QUOTE, A.BACK, A.CLOSE]
    assert notes["unparsed_replies"] == 1 and notes["llm_calls"] == 10
    assert backend.prompts[0].endswith("历史操作：开始；\n下一步操作：")
    assert backend.prompts[1].endswith("请生成新的合适的查询语句：")
    assert backend.prompts[4].endswith("请对当前界面内容摘取和问题相关的内容：")
    assert "剩余操作步数：99" in backend.prompts[2]      # counted as in the released prompts
    assert len(b.refusals) == 1                                 # the quote that is not in the window
    assert validate_record(b.record()) == []


def test_answer_step_cites_facts():
    facts = ["天空呈蓝色是因为瑞利散射。短波长的光散射更强。", "日落时光程更长，天空偏红。"]
    ans = extractive_answer("天空为什么是蓝色", facts)
    assert "【1】" in ans and "【2】" in ans
    cited = add_citations("天空呈蓝色是因为瑞利散射。这与外星人无关。日落时光程更长。", facts)
    assert cited == "天空呈蓝色是因为瑞利散射。【1】这与外星人无关。日落时光程更长。【2】"
    backend = ScriptedBackend(["天空呈蓝色是因为瑞利散射。"])
    assert llm_answer(backend, "天空为什么是蓝色", facts) == "天空呈蓝色是因为瑞利散射。【1】"
    assert backend.prompts[0].startswith("摘要：天空呈蓝色") and backend.prompts[0].endswith("；答案：")
