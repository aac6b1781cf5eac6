"""Prompts rebuilt from traces reproduce the real prompts of test_output.json.

The real traces are not public: recover.py reads the 159 released prompts back into 4 traces
(hrefs and spaces are not recoverable), and the rebuilt prompts are compared with the real
ones. Quote abbreviations depend on the CPM tokenizer, whose vocabulary is not in the data:
there the test checks that the real and the rebuilt shortening are both faithful to the
same full quote (head...tail of it), everything else must be identical.
"""
from __future__ import annotations

import json
import re

from annotation.webcpm.validate import validate_record
from builders.webcpm.prompts import finish, search_instances, synthesis_instance
from builders.webcpm.recover import parse_prompt, parse_quotes, recover_traces, shown_pattern

HISTORY_QUOTE = re.compile(r"新增摘要；(.*?)\*\*\*(.*?)；", flags=re.S)


def test_rebuilt_action_prompts_match_real(test_output):
    rows = [json.loads(line) for line in test_output.read_text(encoding="utf-8").splitlines()]
    traces = recover_traces(test_output)
    assert [len(t["actions"]) for t in traces] == [32, 34, 63, 34]
    assert [t["meta"]["complete"] for t in traces] == [True, True, True, False]
    rebuilt = [i for t in traces for i in search_instances(t) if i.task == "action"]
    assert len(rebuilt) == len(rows) == 159
    exact = 0
    for n, (inst, row) in enumerate(zip(rebuilt, rows)):
        real = row["instance"][0]["source"]
        # the truncated 4th trace ends with a synthetic CLOSE: its last gold (下翻) has no recorded outcome
        synthetic_close = n == len(rows) - 1 and not traces[-1]["meta"]["complete"]
        assert inst.target == row["answer"] or synthetic_close, n
        exact += inst.source == real
        a, b = parse_prompt(inst.source), parse_prompt(real)
        for key in ("question", "query", "past_view", "view", "steps_left"):
            assert a[key] == b[key], (n, key)
        # the template lines around the fields are identical
        assert inst.source.split("剩余操作步数")[1].split("历史操作")[0] == real.split("剩余操作步数")[1].split("历史操作")[0]
        assert inst.source.endswith("\n下一步操作：") and real.endswith("\n下一步操作：")
        # history: identical outside quote abbreviations; both abbreviate the same quotes
        assert HISTORY_QUOTE.sub("Q", a["history"]) == HISTORY_QUOTE.sub("Q", b["history"]), n
        # collected quotes: same number; real and rebuilt forms both fit the full quote text
        qa, qb = parse_quotes(a["quotes"]), parse_quotes(b["quotes"])
        assert len(qa) == len(qb), n
        trace_quotes = [q for q in qa if "..." not in q]
        for mine, real_q in zip(qa, qb):
            if "..." not in mine:
                assert shown_pattern(real_q).fullmatch(mine), (n, real_q[:30])
        assert all(isinstance(q, str) for q in trace_quotes)
    assert exact >= 20          # prompts without long quotes match byte for byte (23 when written)


def test_recovered_real_traces_are_valid(test_output):
    for trace in recover_traces(test_output):
        assert validate_record(trace) == []


def test_query_and_fact_instances_follow_the_templates(test_output):
    trace = recover_traces(test_output)[0]
    insts = search_instances(trace)
    query = [i for i in insts if i.task == "query"]
    fact = [i for i in insts if i.task == "fact"]
    assert query and query[0].source.endswith("历史操作：开始；\n请生成新的合适的查询语句：")
    assert "可选操作" not in query[0].source
    assert query[0].target == "俄罗斯战机伊尔库茨克的苏-30再次失事坠落在民房里"
    assert fact and all(i.source.endswith("请对当前界面内容摘取和问题相关的内容：") for i in fact)
    assert fact[0].target.startswith("在俄罗斯的伊尔库茨克市")
    start_end = [i for i in search_instances(trace, fact_mode="start-end") if i.task == "fact"]
    assert start_end[0].target.startswith("起始字符：在俄罗斯的伊尔库茨克-结束字符：")


def test_synthesis_template():
    rec = {"_id": "x", "question": "为什么<天>蓝？", "answer": "因为散射【1】。 另有原因【2】",
           "digests": [{"datas": [{"desc": "瑞利"}, {"desc": "散射"}]}, {"datas": [{"desc": "大气"}]}], "actions": []}
    inst = synthesis_instance(rec)
    assert inst.source == "摘要：瑞利散射；摘要：大气；问题：为什么<<天>蓝？；答案："
    assert inst.target == "因为散射。 另有原因"
    assert finish(" a <b> ") == "a<<b>"


def test_vocab_tokenizer_shortens_by_tokens(tmp_path):
    from builders.webcpm.prompts import CharTokenizer, VocabTokenizer, render_quotes

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("俄罗斯\n伊尔库茨克\n战斗机\n", encoding="utf-8")
    tok = VocabTokenizer(vocab)
    assert tok.tokenize("在俄罗斯的伊尔库茨克") == ["在", "俄罗斯", "的", "伊尔库茨克"]
    text = "战斗机" * 20                              # 60 chars, 20 vocab tokens
    assert render_quotes(tok, [[{"desc": text}]]) == "摘要0：" + text
    shown = render_quotes(CharTokenizer(), [[{"desc": text}]])
    assert shown == "摘要0：" + text[:25] + "..." + text[-25:]
