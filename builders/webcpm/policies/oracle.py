"""Heuristic oracle: browse as an annotator would, with the reference answers in mind.

Search a keyword form of the question (sometimes the question itself), skim the result list
(skipping results whose title and snippet share nothing with the question, scrolling the list
when the first window is used up), open pages, read them window by window, quote the passage
that overlaps most with the question and its reference answers, scroll back up to a passage
passed over when nothing better came, merge two quotes of one page, and search again
(sub-question, missing keywords, what the question asks for) while the facts miss part of the
question. Every quote passes a relevance check first: its paragraph must share at least
`min_relevance` of the question keywords.

"Oracle" because it may read the reference answers to choose sentences (as an annotator who knows
the answer would); `heuristic` is the same policy without them. Quotes are still selections of
the visible window. Random choices (first query form, reading depth, quote length) come from a
`random.Random` seeded with (seed, question id): same seed, same trace.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from builders.webcpm.browser import Browser
from builders.webcpm.policies.queries import coverage, follow_up, keyword_query, keywords, terms
from builders.webcpm.web import split_sentences

__all__ = ["OraclePolicy", "terms", "make"]


@dataclass(frozen=True)
class _Candidate:
    score: int
    text: str
    window: int


@dataclass
class OraclePolicy:
    name: str = "oracle"
    pages_per_search: int = 3       # results opened per search
    max_searches: int = 3
    max_list_windows: int = 3       # result-list windows skimmed per search
    windows_per_page: int = 4       # reading depth: drawn from [2, windows_per_page] per page
    quotes_per_page: int = 2
    min_relevance: float = 0.3      # share of question keywords the quoted paragraph must contain
    min_overlap: int = 2            # target terms (question [+ answers]) a quoted sentence must contain
    strong_overlap: int = 4         # quote at once; weaker candidates wait (scroll back up for them)
    min_chars: int = 8
    quote_chars: tuple[int, int] = (100, 420)  # quote length drawn from this range (sentences added)
    max_chars: int = 480
    min_facts: int = 2              # search again below this many facts ...
    min_coverage: float = 0.75      # ... or below this share of question keywords covered
    verbatim_rate: float = 0.25     # share of traces whose first query is the question itself
    reserve_steps: int = 8          # stop opening pages with fewer steps left
    use_answers: bool = True
    seed: int = 0

    # ---- one question ------------------------------------------------------------------------
    def run(self, browser: Browser, question: dict[str, Any]) -> dict[str, Any]:
        q = question["question"]
        rng = random.Random(hashlib.sha256(f"{self.seed}:{question.get('id')}:{self.name}".encode()).digest())
        target = terms(q)
        if self.use_answers:
            for ans in question.get("answers", []):
                target |= terms(ans)
        qkeys = set(keywords(q))
        seen: set[str] = set()
        visited: set[str] = set()
        searched: list[str] = []
        skipped = 0
        browser.start()
        query: str | None = q.strip() if rng.random() < self.verbatim_rate else keyword_query(q)
        while query and len(searched) < self.max_searches and self._can_go_on(browser):
            if not browser.search(query):
                break
            searched.append(query)
            skipped += self._browse_results(browser, rng, target, qkeys, visited, seen)
            facts = browser.facts()
            if len(facts) >= self.min_facts and coverage(q, facts) >= self.min_coverage:
                break
            query = follow_up(q, facts, searched)
        if not browser.closed:
            browser.close()
        return {"policy": self.name, "pages_opened": len(visited), "searches": searched,
                "results_skipped": skipped, "refusals": len(browser.refusals)}

    def _can_go_on(self, browser: Browser) -> bool:
        return not browser.closed and browser.steps_left > self.reserve_steps

    # ---- the result list ---------------------------------------------------------------------
    def _browse_results(self, browser: Browser, rng: random.Random, target: set[str], qkeys: set[str],
                        visited: set[str], seen: set[str]) -> int:
        """Open up to `pages_per_search` unvisited, plausible results; returns how many were skipped."""
        opened = skipped = 0
        for list_window in range(self.max_list_windows):
            view = browser.viewport() or []
            for index, result in enumerate(view):
                if opened >= self.pages_per_search or not self._can_go_on(browser):
                    return skipped
                href = result["href"]
                if href in visited:
                    continue
                shown = terms(result.get("title", "") + result.get("summary", ""))
                if qkeys and len(shown & qkeys) / len(qkeys) < self.min_relevance:
                    skipped += 1                   # the snippet shows nothing of the question
                    visited.add(href)
                    continue
                if not browser.load(index):
                    continue
                visited.add(href)
                opened += 1
                self._read_page(browser, rng, target, qkeys, seen)
                if not browser.closed:
                    browser.back()
            if opened >= self.pages_per_search or not self._can_go_on(browser) or not browser.scroll_down():
                break
        return skipped

    # ---- one page ----------------------------------------------------------------------------
    def _read_page(self, browser: Browser, rng: random.Random, target: set[str], qkeys: set[str],
                   seen: set[str]) -> None:
        depth = rng.randint(2, max(2, self.windows_per_page))
        want = rng.randint(*self.quote_chars)
        quotes = 0
        pending: _Candidate | None = None
        window = 0
        for _ in range(depth):
            best = self._best_quote(browser.visible_text(), target, qkeys, seen, window, want)
            if best is not None and quotes < self.quotes_per_page:
                if best.score >= self.strong_overlap and self._quote(browser, best, seen):
                    quotes += 1
                    if quotes == 2:
                        browser.merge()       # two quotes of one page become one fact
                elif pending is None or best.score > pending.score:
                    pending = best
            if browser.closed or browser.steps_left <= self.reserve_steps or not browser.scroll_down():
                break
            window += 1
        if pending is not None and quotes < self.quotes_per_page and pending.text not in seen \
                and self._can_go_on(browser):
            while window > pending.window and browser.scroll_up():   # back up to the passage passed over
                window -= 1
            if window == pending.window and self._quote(browser, pending, seen):
                quotes += 1
                if quotes == 2:
                    browser.merge()

    @staticmethod
    def _quote(browser: Browser, cand: _Candidate, seen: set[str]) -> bool:
        if browser.closed or not browser.quote(cand.text):
            return False
        seen.add(cand.text)
        return True

    def _best_quote(self, visible: str, target: set[str], qkeys: set[str], seen: set[str], window: int,
                    want: int) -> _Candidate | None:
        """The best relevant passage of the window: the sentence with most target terms (ties: earliest),
        extended by the following sentences of its paragraph up to `want` characters."""
        best: _Candidate | None = None
        for line in visible.split("\n"):
            if qkeys and len(terms(line) & qkeys) / len(qkeys) < self.min_relevance:
                continue                                   # the paragraph is not about the question
            sentences = split_sentences(line)
            for k, sentence in enumerate(sentences):
                if not (self.min_chars <= len(sentence) <= self.max_chars):
                    continue
                score = len(terms(sentence) & target)
                if score < self.min_overlap or (best is not None and score <= best.score):
                    continue
                text = _extend(line, sentences, k, want, self.max_chars)
                if text and text not in seen and text in visible:
                    best = _Candidate(score, text, window)
        return best


def _extend(line: str, sentences: list[str], k: int, want: int, max_chars: int) -> str:
    """Sentence k of `line` plus the sentences after it, as the exact span of `line`, while shorter than `want`."""
    start = line.find(sentences[k])
    if start < 0:
        return ""
    end = start + len(sentences[k])
    for nxt in sentences[k + 1:]:
        if end - start >= want:
            break
        j = line.find(nxt, end)
        if j < 0 or j + len(nxt) - start > max_chars:
            break
        end = j + len(nxt)
    return line[start:end].strip()


def make(options: Any) -> Any:
    """Registry entry (builders.webcpm.policies.POLICIES): the oracle with its defaults."""
    return setup(OraclePolicy(seed=options.seed), options)


def setup(policy: OraclePolicy, options: Any) -> Any:
    """PolicySetup of a heuristic policy: its settings hashed; with `options.llm` the answers are written by
    the model (the llm answer path), otherwise extractive (and marked so in the module datasets)."""
    from dataclasses import asdict

    from builders.webcpm.policies import PolicySetup

    config = asdict(policy)
    if options.llm is None:
        return PolicySetup(policy, config)
    from engines.llm.base import backend_info
    from engines.llm.cached import with_cache
    from builders.webcpm.answer import llm_answerer

    # through the shared request cache (BENCH_LLM_CACHE; off in the test suite)
    backend = with_cache(options.llm.create())
    answer = llm_answerer(backend, options.seed)
    config["answer_backend"] = options.llm.describe(for_hash=True)
    return PolicySetup(policy, config, answer, {"llm": backend_info(backend)},
                       answer_kind=f"llm:{getattr(backend, 'model', '')}",
                       meters=[backend.meter] if hasattr(backend, "meter") else [])

