"""The frozen local web the browser searches: pages plus a Bing-like search adapter.

Any retriever of `retrieval/` is the engine; results look like the annotation server's
(`{title, href, summary}`, summary = the passage of the page that best matches the query,
at most 25 results), so traces built here have the shape of the human ones.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from core import iter_jsonl
from builders.webcpm.errors import WebCPMError
from annotation.webcpm.actions import LINE_MARK, MAX_RESULTS, PAGE_WINDOW_CHARS
from retrieval.base import Retriever
from retrieval.types import Document

_SENTENCE_END = re.compile(r"(?<=[。！？!?；\n])")


@dataclass(frozen=True)
class WebPage:
    href: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def marked_text(self) -> str:
        """Text as the client showed it: every paragraph end marked with `<br />`."""
        return "".join(p + LINE_MARK for p in self.paragraphs)

    def windows(self, size: int = PAGE_WINDOW_CHARS) -> list[str]:
        """Fixed 500-character windows over the marked text (the client cut by offset, even mid-marker)."""
        text = self.marked_text()
        return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def render_window(window: str) -> str:
    """What the user sees (and can select) in a page window: markers become line breaks."""
    return window.replace(LINE_MARK, "\n")


def _terms(text: str) -> set[str]:
    import jieba  # heavy import only when searching

    return {t for t in jieba.lcut(text.lower()) if t.strip() and not re.fullmatch(r"\W+", t)}


def split_sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


def best_passage(text: str, query: str, max_chars: int = 150) -> str:
    """Snippet = the sentence run with most query terms (ties: earliest), cut to `max_chars`."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    q = _terms(query)
    best, best_score = 0, -1.0
    for i, sentence in enumerate(sentences):
        score = len(q & _terms(sentence))
        if score > best_score:
            best, best_score = i, score
    snippet = sentences[best]
    j = best + 1
    while len(snippet) < max_chars // 2 and j < len(sentences):
        snippet += sentences[j]
        j += 1
    return snippet if len(snippet) <= max_chars else snippet[: max_chars - 3] + "..."


class LocalWeb:
    """Pages by href plus a search engine over them (any `retrieval` Retriever)."""

    def __init__(self, pages: Iterable[WebPage], retriever: Retriever, *, max_results: int = MAX_RESULTS,
                 snippet_chars: int = 150, show_progress: bool = False) -> None:
        self.pages: dict[str, WebPage] = {}
        for page in pages:
            self.pages.setdefault(page.href, page)
        self.retriever = retriever
        self.max_results = max_results
        self.snippet_chars = snippet_chars
        corpus = {p.href: Document(doc_id=p.href, title=p.title, text=p.text, lang="zh") for p in self.pages.values()}
        self.retriever.index(corpus, show_progress=show_progress)
        self._cache: dict[str, list[dict[str, str]]] = {}

    def search(self, keyword: str) -> list[dict[str, str]]:
        """Ranked `{title, href, summary}` for a keyword, at most `max_results`."""
        if keyword not in self._cache:
            run = self.retriever.search({"q": keyword}, k=self.max_results, show_progress=False).get("q", {})
            ranked = sorted(run.items(), key=lambda kv: (-kv[1], kv[0]))[: self.max_results]
            self._cache[keyword] = [
                {"title": self.pages[h].title, "href": h,
                 "summary": best_passage(self.pages[h].text, keyword, self.snippet_chars)}
                for h, _ in ranked if h in self.pages]
        return [dict(r) for r in self._cache[keyword]]

    def page(self, href: str) -> WebPage | None:
        return self.pages.get(href)

    def fingerprint(self) -> str:
        """sha256 over the pages (href, title, text): goes into every trace's metadata."""
        h = hashlib.sha256()
        for href in sorted(self.pages):
            p = self.pages[href]
            h.update(json.dumps([href, p.title, list(p.paragraphs)], ensure_ascii=False).encode())
        return h.hexdigest()


def dureader_pages(path: str | Path) -> tuple[list[WebPage], list[dict]]:
    """DuReader search.*.json -> (pages, questions). Each document is a page at a stable local href.

    Questions carry `id`, `question`, `answers` (reference answers, used by the oracle and
    the answer step, never shown to the policy as page text).
    """
    pages: list[WebPage] = []
    questions: list[dict] = []
    for line_no, row in iter_jsonl(path, error=WebCPMError):
        try:
            qid = str(row["question_id"])
            for i, doc in enumerate(row.get("documents", [])):
                paragraphs = tuple(p.strip() for p in doc.get("paragraphs", []) if p.strip())
                if paragraphs:
                    pages.append(WebPage(href=f"https://dureader.local/{qid}/{i}", title=doc.get("title", "").strip(),
                                         paragraphs=paragraphs))
            if not isinstance(row["question"], str):
                raise TypeError("question is not a string")
            questions.append({"id": qid, "question": row["question"], "answers": list(row.get("answers", []))})
        except (KeyError, TypeError, AttributeError) as exc:
            raise WebCPMError(f"{path}:{line_no}: not a DuReader record (fields question_id, question, "
                              f"documents[].paragraphs; {type(exc).__name__}: {exc})") from None
    if not questions:
        raise WebCPMError(f"{path}: no DuReader questions (empty file)")
    return pages, questions
