"""LLM policy: the model reads the same action prompt the WebCPM search model was trained on
and answers with an action word (optionally `word；argument`), through any
`engines.llm.base.ChatBackend` (OpenAI-compatible HTTP, vLLM, transformers).

Search without a query and quote without text trigger the query-generation and
fact-extraction prompts. Unparseable or refused replies cost no step; after
`max_failures` in a row the record is closed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from annotation.webcpm import actions as A
from builders.webcpm.browser import Browser
from builders.webcpm.prompts import Tokenizer, next_action_prompt

_SEP = re.compile(r"[；;：:\n]")


def parse_reply(text: str) -> tuple[str | None, str]:
    """`'搜索；今天天气'` -> ('搜索', '今天天气'); a reply that starts with no action word -> (None, text)."""
    text = text.strip()
    for word in sorted(A.WORDS, key=len, reverse=True):
        if text.startswith(word):
            rest = text[len(word):]
            if rest[:1] and _SEP.match(rest[:1]):
                rest = rest[1:]
            return word, rest.strip()
    return None, text


def _locate(reply: str, visible: str) -> str | None:
    """Quote text from a fact-extraction reply: exact substring, or `起始字符：X-结束字符：Y` span."""
    reply = reply.strip()
    if reply and reply in visible:
        return reply
    m = re.match(r"起始字符：(.+?)-结束字符：(.+)$", reply, flags=re.S)
    if m:
        i = visible.find(m.group(1))
        j = visible.find(m.group(2), i + 1) if i >= 0 else -1
        if i >= 0 and j >= 0:
            return visible[i:j + len(m.group(2))]
    return None


@dataclass
class LLMPolicy:
    backend: Any                                  # engines.llm.base.ChatBackend
    sampling: Any = None                          # engines.llm.base.Sampling
    tokenizer: Tokenizer | None = None
    max_failures: int = 3
    name: str = "llm"
    log: list[dict[str, Any]] = field(default_factory=list)

    def _ask(self, prompt: str) -> str:
        reply = self.backend.chat([{"role": "user", "content": prompt}], self.sampling)
        self.log.append({"prompt_chars": len(prompt), "reply": reply.text})
        return reply.text

    def _prompt(self, browser: Browser, kind: str) -> str:
        partial = {"_id": browser.record_id, "question": browser.question, "actions": browser.actions}
        return next_action_prompt(partial, self.tokenizer, kind)

    def run(self, browser: Browser, question: dict[str, Any]) -> dict[str, Any]:
        browser.start()
        first_call = len(self.log)
        failures = unparsed = 0
        calls = 0
        while not browser.closed and calls < 3 * browser.max_steps:
            calls += 1
            word, arg = parse_reply(self._ask(self._prompt(browser, "action")))
            ok = False
            if word is None:
                unparsed += 1
            elif word == "搜索":
                ok = browser.search(arg or self._ask(self._prompt(browser, "query")).strip())
            elif word == "新增摘要":
                text = _locate(arg, browser.visible_text()) if arg else None
                if text is None and browser.mode == A.PAGE_MODE:
                    text = _locate(self._ask(self._prompt(browser, "fact")), browser.visible_text())
                ok = browser.quote(text or "")
            else:
                label = A.WORD_TO_LABEL[word]
                if label.startswith(A.LOAD):
                    ok = browser.load(int(label[-1]))
                elif label == A.MERGE:
                    ok = browser.merge()
                else:
                    ok = browser.act(label)
            failures = 0 if ok else failures + 1
            if failures >= self.max_failures and not browser.closed:
                browser.close()
        if not browser.closed:
            browser.close()
        return {"policy": self.name, "model": getattr(self.backend, "model", ""), "llm_calls": len(self.log) - first_call,
                "unparsed_replies": unparsed, "refusals": len(browser.refusals)}


def make(options: Any) -> Any:
    """Registry entry: an LLMPolicy over `options.llm` (a BackendSpec), temperature 0, seeded."""
    from engines.llm import Sampling
    from engines.llm.base import backend_info
    from builders.webcpm.answer import extractive_answer, llm_answerer
    from builders.webcpm.errors import WebCPMError
    from builders.webcpm.policies import PolicySetup

    if options.llm is None:
        raise WebCPMError("--policy llm needs --llm-model NAME_OR_PATH")
    from engines.llm.cached import with_cache

    # through the shared request cache (BENCH_LLM_CACHE; off in the test suite)
    backend = with_cache(options.llm.create())
    policy = LLMPolicy(backend, sampling=Sampling(temperature=0.0, max_tokens=options.llm_max_tokens,
                                                  seed=options.seed))

    answer = llm_answerer(backend, options.seed) if options.llm_answer else extractive_answer
    config = {"backend": options.llm.describe(for_hash=True), "max_tokens": options.llm_max_tokens,
              "llm_answer": options.llm_answer}
    kind = f"llm:{getattr(backend, 'model', '')}" if options.llm_answer else "extractive"
    return PolicySetup(policy, config, answer, {"llm": backend_info(backend)}, answer_kind=kind,
                       meters=[backend.meter] if hasattr(backend, "meter") else [])
