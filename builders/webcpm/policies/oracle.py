"""Heuristic oracle: search the question, open the top results, quote the sentences that
overlap most with the question and its reference answers, merge quotes of one page, finish.

"Oracle" because it may read the reference answers to choose sentences (as an annotator who
knows the answer would); the quotes are still selections of the visible window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from builders.webcpm.browser import Browser
from builders.webcpm.web import split_sentences

_STOP = set("的了是在和也就都而及与或之于这那你我他她它们吗呢吧啊有个为以中上下不")


def terms(text: str) -> set[str]:
    import jieba  # noqa: PLC0415

    return {t for t in jieba.lcut(text.lower())
            if t.strip() and not re.fullmatch(r"[\W_]+", t) and t not in _STOP}


@dataclass
class OraclePolicy:
    name: str = "oracle"
    pages_to_open: int = 3
    windows_per_page: int = 3
    quotes_per_page: int = 2
    min_overlap: int = 2
    min_chars: int = 8
    max_chars: int = 200
    use_answers: bool = True

    def run(self, browser: Browser, question: dict[str, Any]) -> dict[str, Any]:
        q = question["question"]
        target = terms(q)
        if self.use_answers:
            for ans in question.get("answers", []):
                target |= terms(ans)
        browser.start()
        browser.search(q)
        opened = 0
        seen: set[str] = set()
        for index in range(min(self.pages_to_open, len(browser.viewport() or []))):
            if browser.closed or not browser.load(index):
                continue
            opened += 1
            page_quotes = 0
            for _ in range(self.windows_per_page):
                best = self._best_sentence(browser.visible_text(), target, seen)
                if best and page_quotes < self.quotes_per_page and browser.quote(best):
                    seen.add(best)
                    page_quotes += 1
                    if page_quotes == 2 and not browser.closed:
                        browser.merge()          # two quotes of one page become one fact
                if browser.closed or not browser.scroll_down():
                    break
            if not browser.closed:
                browser.back()
        if not browser.closed:
            browser.close()
        return {"policy": self.name, "pages_opened": opened, "refusals": len(browser.refusals)}

    def _best_sentence(self, visible: str, target: set[str], seen: set[str]) -> str | None:
        best, best_score = None, self.min_overlap - 1
        for line in visible.split("\n"):
            for sentence in split_sentences(line):
                sentence = sentence.strip()
                if not (self.min_chars <= len(sentence) <= self.max_chars) or sentence in seen:
                    continue
                if sentence not in visible:
                    continue
                score = len(terms(sentence) & target)
                if score > best_score:
                    best, best_score = sentence, score
        return best


def make(options: Any) -> Any:
    """Registry entry (builders.webcpm.policies.POLICIES): the oracle with its defaults."""
    from dataclasses import asdict  # noqa: PLC0415

    from builders.webcpm.policies import PolicySetup  # noqa: PLC0415

    policy = OraclePolicy()
    return PolicySetup(policy, asdict(policy))
