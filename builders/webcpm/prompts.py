"""Module prompts of the WebCPM search model, rebuilt from a trace exactly as the original
training data was (templates visible in the released `test_output.json`).

A trace is folded action by action into the state the model saw (question, collected
quotes, current query, previous and current view, steps left, history); each action yields
an action-prediction instance, PRESS_SEARCH also a query-generation instance and
ADD_DIGEST also a fact-extraction instance. Long quotes are shortened by *tokens* of the
CPM tokenizer, which is not distributed with the data: `CharTokenizer` (one token per
character) is the default approximation, `VocabTokenizer` reproduces greedy longest-match
tokenisation when you have the vocabulary file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Protocol

from core import read_text
from annotation.webcpm import actions as A
from builders.webcpm.errors import WebCPMError

ACTION_CUE = "下一步操作："
QUERY_CUE = "请生成新的合适的查询语句："
FACT_CUE = "请对当前界面内容摘取和问题相关的内容："
ANSWER_CUE = "；答案："
LOAD_WORDS = (A.LABEL_WORDS[f"{A.LOAD}-0"], A.LABEL_WORDS[f"{A.LOAD}-1"], A.LABEL_WORDS[f"{A.LOAD}-2"])
CITATION = re.compile(r"【\d+】|<\d+>")


class Tokenizer(Protocol):
    def tokenize(self, text: str) -> list[str]: ...


class CharTokenizer:
    """One token per character: the approximation used when the CPM vocabulary is absent."""

    name = "char"

    def tokenize(self, text: str) -> list[str]:
        return list(text)


class VocabTokenizer:
    """Greedy longest match over a vocabulary file (one token per line), unknown chars alone."""

    name = "vocab"

    def __init__(self, path: str | Path) -> None:
        text = read_text(path, what="vocabulary file (one token per line)", error=WebCPMError)
        lines = (line[:-1] if line.endswith("\r") else line for line in text.split("\n"))
        self.vocab = {line for line in lines if line}
        if not self.vocab:
            raise WebCPMError(f"{path}: empty vocabulary file")
        self.max_len = max((len(t) for t in self.vocab), default=1)

    def tokenize(self, text: str) -> list[str]:
        out, i = [], 0
        while i < len(text):
            for j in range(min(len(text), i + self.max_len), i, -1):
                if text[i:j] in self.vocab or j == i + 1:
                    out.append(text[i:j])
                    i = j
                    break
        return out


def _head_tail(tok: Tokenizer, text: str, n: int) -> tuple[str, str]:
    tokens = tok.tokenize(text)
    return "".join(tokens[:n]), "".join(tokens[-n:])


def render_results(view: list[dict[str, Any]]) -> str:
    """A result window as the model sees it: `一号页面标题：T；简介：S` per line."""
    return "\n".join(f"{LOAD_WORDS[i]}标题：{r.get('title', '')}；简介：{r.get('summary', '')}"
                     for i, r in enumerate(view))


def render_quotes(tok: Tokenizer, digests: list[list[dict[str, Any]]]) -> str:
    lines = []
    for i, datas in enumerate(digests):
        text = "".join(d.get("desc", "") for d in datas)
        tokens = tok.tokenize(text)
        shown = text if len(tokens) <= 50 else "".join(tokens[:25]) + "..." + "".join(tokens[-25:])
        lines.append(f"摘要{i}：{shown}")
    return "\n".join(lines)


def finish(text: str) -> str:
    """The original writer's last pass: strip, drop every space, escape `<` as `<<` (CPM-Bee)."""
    return text.strip().replace(" ", "").replace("<", "<<")


@dataclass
class State:
    question: str
    quotes: str = ""
    query: str = ""
    past_view: str = ""
    view: str = ""
    steps_left: int = A.MAX_STEPS
    history: list[str] = field(default_factory=list)

    def render(self, kind: str = "action") -> str:
        def nothing(s: str) -> str:
            return s if s else "无"

        out = (f"问题：\n{self.question}\n摘要：\n{nothing(self.quotes)}\n当前搜索：\n{nothing(self.query)}\n"
               f"上回界面：\n{nothing(self.past_view)}\n当前界面：\n{nothing(self.view)}\n"
               f"剩余操作步数：{self.steps_left}\n")
        if kind == "action":
            out += "可选操作：" + "；".join(A.WORDS) + "\n"
        out += f"历史操作：{nothing(''.join(self.history))}\n"
        return out + {"action": ACTION_CUE, "query": QUERY_CUE, "fact": FACT_CUE}[kind]


@dataclass
class Instance:
    task: str            # action | query | fact
    record_id: str
    index: int           # position of the action in the trace
    source: str
    target: str

    @property
    def id(self) -> str:
        return f"{self.record_id}-{self.index:03d}-{self.task}"

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "record_id": self.record_id, "index": self.index, "task": self.task,
                "source": self.source, "target": self.target}


def walk(record: dict[str, Any], tok: Tokenizer | None = None,
         fact_mode: str = "full") -> Iterator[tuple[State, dict[str, Any], str, list[Instance]]]:
    """Yield (state before the action, action, label word, instances) for every action of a trace."""
    tok = tok or CharTokenizer()
    rid = str(record.get("_id", ""))
    state = State(question=record.get("question", ""))
    pending_history = ""
    next_view, next_query, next_quotes, prev_view = "", "", "", ""
    links: dict[str, int] = {}
    titles: list[str] = []
    for index, action in enumerate(record.get("actions", [])):
        name = action.get("action", "")
        details = action.get("details") or {}
        if pending_history:
            state.history.append(pending_history)
        state.query, state.past_view, state.view, state.quotes = next_query, prev_view, next_view, next_quotes
        prev_view = state.view
        viewport = action.get("pageContentInViewport")

        def take_list(vp: Any) -> None:
            nonlocal next_view, links, titles
            if isinstance(vp, list):
                next_view = render_results(vp)
                links = {r.get("href", ""): i for i, r in enumerate(vp)}
                titles = [r.get("title", "") for r in vp]

        label = name
        instances: list[Instance] = []
        if name == A.START:
            pending_history = A.LABEL_WORDS[A.START] + "；"
            yield replace(state, history=list(state.history)), action, A.LABEL_WORDS[A.START], []
            continue
        if name == A.SEARCH:
            take_list(viewport)
            next_query = details.get("keyword", "")
            pending_history = "搜索" + next_query + "；"
            instances.append(Instance("query", rid, index, finish(state.render("query")), finish(next_query)))
        elif name == A.LOAD:
            i = links.get(details.get("href", ""), -1)
            label = f"{A.LOAD}-{i}" if i >= 0 else A.LOAD
            next_view = viewport if isinstance(viewport, str) else ""
            pending_history = (LOAD_WORDS[i] + titles[i] if 0 <= i < 3 else "") + "；"
        elif name == A.QUOTE:
            text = details.get("text", "")
            head, tail = _head_tail(tok, text, 10)
            target = text if fact_mode == "full" else f"起始字符：{head}-结束字符：{tail}"
            instances.append(Instance("fact", rid, index, finish(state.render("fact")), finish(target)))
            next_quotes = render_quotes(tok, action.get("digests") or [])
            pending_history = f"新增摘要；{head}***{tail}；"
        elif name in (A.DOWN, A.UP, A.TOP):
            if isinstance(viewport, str):
                next_view = viewport
            else:
                take_list(viewport)
            pending_history = ("下翻" if name == A.DOWN else "上翻") + "；"   # TOP is written 上翻 (original quirk)
        elif name == A.MERGE:
            next_quotes = render_quotes(tok, action.get("digests") or [])
            pending_history = "合并摘要；"
        elif name == A.BACK:
            if viewport is not None:
                take_list(viewport)
            pending_history = "返回；"
        elif name in (A.CLOSE, A.REJECT):
            pending_history = A.LABEL_WORDS[name] + "；"
        word = A.LABEL_WORDS.get(label, "")
        instances.append(Instance("action", rid, index, finish(state.render("action")), finish(word)))
        yield replace(state, history=list(state.history)), action, word, instances
        state.steps_left -= 1


def search_instances(record: dict[str, Any], tok: Tokenizer | None = None,
                     fact_mode: str = "full") -> list[Instance]:
    """Action, query and fact instances of one trace, in trace order."""
    return [inst for _, _, _, insts in walk(record, tok, fact_mode) for inst in insts]


def next_action_prompt(record: dict[str, Any], tok: Tokenizer | None = None, kind: str = "action") -> str:
    """The prompt for the action that comes *after* the last recorded one (LLM policy)."""
    actions = list(record.get("actions", [])) + [{"action": A.CLOSE, "details": {}}]
    states = [state for state, _, _, _ in walk({**record, "actions": actions}, tok)]
    return finish(states[-1].render(kind))


def record_facts(record: dict[str, Any]) -> list[str]:
    """The trace's facts: each digest's quoted pieces joined (what the synthesis source is built from)."""
    return ["".join(d.get("desc", "") for d in dig.get("datas", [])) for dig in record.get("digests", [])]


def synthesis_instance(record: dict[str, Any]) -> Instance:
    """`摘要：f1；摘要：f2；…问题：q；答案：` -> the answer without citation marks."""
    facts = record_facts(record)
    context = "".join(f"摘要：{c}；" for c in facts if c).replace("<", "<<")
    answer = CITATION.sub("", record.get("answer", "")).replace("<", "<<")
    source = context + "问题：" + record.get("question", "").replace("<", "<<") + ANSWER_CUE
    return Instance("synthesis", str(record.get("_id", "")), len(record.get("actions", [])),
                    source.strip(), answer.strip())
