"""The browser state machine the policies drive: one instance per question.

Mirrors the annotation client: a page stack (result list, then opened pages), windows of 3
results or 500 characters, quotes only from the visible window, merges of >= 2 digests, a
100-step budget with auto-close. Refused actions are not recorded and cost no step; every
recorded action carries the full action record of the WebCPM format.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from annotation.webcpm import actions as A
from builders.webcpm.recorder import Recorder, ThinkTimes
from builders.webcpm.web import LocalWeb, WebPage, render_window


class BrowserClosed(RuntimeError):
    """An action after RECORD_CLOSE: a policy bug, not a refusal."""


@dataclass
class _Frame:
    kind: int                      # A.SEARCH_MODE | A.PAGE_MODE
    window: int = 0
    results: list[dict[str, str]] = field(default_factory=list)
    page: WebPage | None = None
    chunks: list[str] = field(default_factory=list)

    @property
    def n_windows(self) -> int:
        if self.kind == A.SEARCH_MODE:
            return max(1, -(-len(self.results) // A.RESULTS_PER_WINDOW))
        return max(1, len(self.chunks))


class Browser:
    """Step API: each method returns True when the action was recorded, False when refused."""

    def __init__(self, web: LocalWeb, question: str, *, record_id: str, seed: int = 0,
                 max_steps: int = A.MAX_STEPS, timing: ThinkTimes | None = None) -> None:
        self.web = web
        self.question = question
        self.record_id = record_id
        self.max_steps = max_steps
        self.rec = Recorder(record_id, seed=seed, timing=timing)
        self.actions: list[dict[str, Any]] = []
        self.digests: list[list[dict[str, Any]]] = []
        self.stack: list[_Frame] = []
        self.keyword = ""
        self.closed = False
        self.refusals: list[str] = []

    # ---- what the policy sees -------------------------------------------------------------
    @property
    def mode(self) -> int | None:
        return self.stack[-1].kind if self.stack else None

    @property
    def steps_left(self) -> int:
        return self.max_steps - len(self.actions)

    def viewport(self) -> list[dict[str, str]] | str | None:
        if not self.stack:
            return None
        top = self.stack[-1]
        if top.kind == A.SEARCH_MODE:
            i = top.window * A.RESULTS_PER_WINDOW
            return [dict(r) for r in top.results[i:i + A.RESULTS_PER_WINDOW]]
        return top.chunks[top.window]

    def visible_text(self) -> str:
        """The selectable text of the page window (quotes must be substrings of it)."""
        view = self.viewport()
        return render_window(view) if isinstance(view, str) else ""

    def facts(self) -> list[str]:
        return ["".join(d["desc"] for d in datas) for datas in self.digests]

    # ---- recording ------------------------------------------------------------------------
    def _refuse(self, why: str) -> bool:
        self.refusals.append(why)
        return False

    def _record(self, name: str, details: dict[str, Any]) -> bool:
        if self.closed:
            raise BrowserClosed(f"{self.record_id}: {name} after RECORD_CLOSE")
        step = 0 if not self.actions else self.actions[-1]["step"] + (0 if name == A.CLOSE else 1)
        top = self.stack[-1] if self.stack else None
        action: dict[str, Any] = {"action": name, "details": details}
        view = self.viewport()
        if view is not None:
            action["pageContentInViewport"] = view
        action.update({
            "digests": copy.deepcopy(self.digests),
            "keyword": self.keyword,
            "triggerAt": self.rec.tick(name, details),
            "stackLength": len(self.stack),
            "step": step,
            "traceId": self.rec.trace_id,
            "currentPageInfo": {
                "title": "",
                "type": "" if top is None else top.kind,
                "href": top.page.href if top is not None and top.page is not None else "",
                "scrollTop": 0 if top is None else top.window,
            },
        })
        self.actions.append(action)
        if name == A.CLOSE:
            self.closed = True
        elif self.steps_left <= 1:          # budget spent: the client closes the record itself
            self.close()
        return True

    def _guard(self) -> bool:
        if self.closed:
            raise BrowserClosed(f"{self.record_id}: browser already closed")
        return bool(self.actions)

    # ---- the 13 actions -------------------------------------------------------------------
    def start(self) -> bool:
        if self.actions:
            return self._refuse("RECORD_START: already started")
        return self._record(A.START, {})

    def search(self, keyword: str) -> bool:
        if not self._guard():
            return self._refuse("PRESS_SEARCH: not started")
        keyword = keyword.strip()
        if not keyword:
            return self._refuse("PRESS_SEARCH: empty keyword")
        results = self.web.search(keyword)
        self.keyword = keyword
        self.stack = [_Frame(kind=A.SEARCH_MODE, results=results)]
        return self._record(A.SEARCH, {"keyword": keyword, "result": results[: A.MAX_RESULTS]})

    def load(self, index: int) -> bool:
        """Open result `index` (0, 1, 2) of the visible window."""
        if not self._guard() or self.mode != A.SEARCH_MODE:
            return self._refuse("LOAD_PAGE_DETAIL: only from a result list")
        view = self.viewport() or []
        if not 0 <= index < len(view):
            return self._refuse(f"LOAD_PAGE_DETAIL: no result {index + 1} in the window")
        href = view[index]["href"]
        page = self.web.page(href)
        if page is None:
            return self._refuse(f"LOAD_PAGE_DETAIL: {href} is not in the corpus")
        # recorded with the viewport of the list it was clicked in
        ok = self._record(A.LOAD, {"href": href, "pageMainContent": page.windows()})
        self.stack.append(_Frame(kind=A.PAGE_MODE, page=page, chunks=page.windows()))
        self.actions[-1]["pageContentInViewport"] = self.viewport()
        self.actions[-1]["stackLength"] = len(self.stack)
        self.actions[-1]["currentPageInfo"].update({"type": A.PAGE_MODE, "href": href, "scrollTop": 0})
        return ok

    def load_href(self, href: str) -> bool:
        view = self.viewport() if self.mode == A.SEARCH_MODE else []
        hrefs = [r["href"] for r in view or []]
        if href not in hrefs:
            return self._refuse(f"LOAD_PAGE_DETAIL: {href} is not in the visible window")
        return self.load(hrefs.index(href))

    def _scroll(self, name: str, new_window: int) -> bool:
        top = self.stack[-1]
        top.window = new_window
        return self._record(name, {})

    def scroll_down(self) -> bool:
        if not self._guard() or not self.stack:
            return self._refuse("TRIGGER_SCROLL_DOWN: nothing to scroll")
        top = self.stack[-1]
        if top.window + 1 >= top.n_windows:
            return self._refuse("TRIGGER_SCROLL_DOWN: already at the last window")
        return self._scroll(A.DOWN, top.window + 1)

    def scroll_up(self) -> bool:
        if not self._guard() or not self.stack or self.stack[-1].window == 0:
            return self._refuse("TRIGGER_SCROLL_UP: already at the top")
        return self._scroll(A.UP, self.stack[-1].window - 1)

    def scroll_top(self) -> bool:
        if not self._guard() or not self.stack or self.stack[-1].window == 0:
            return self._refuse("TRIGGER_SCROLL_TO_TOP: already at the top")
        return self._scroll(A.TOP, 0)

    def back(self) -> bool:
        if not self._guard() or len(self.stack) < 2:
            return self._refuse("PAGE_GO_BACK: no page to leave")
        self.stack.pop()
        return self._record(A.BACK, {})

    def quote(self, text: str) -> bool:
        if not self._guard() or self.mode != A.PAGE_MODE:
            return self._refuse("ADD_DIGEST: only inside a page")
        if not text or not text.strip() or text not in self.visible_text():
            return self._refuse("ADD_DIGEST: text is not a selection of the visible window")
        self.digests.append([{"title": self.rec.local_time(), "desc": text, "chunkIndex": self.stack[-1].window}])
        return self._record(A.QUOTE, {"text": text})

    def merge(self, indices: list[int] | None = None) -> bool:
        """Merge the ticked digests into the first one (default: the last two, as inference does)."""
        if not self._guard():
            return self._refuse("MERGE_DIGEST: not started")
        if indices is None:
            indices = [len(self.digests) - 2, len(self.digests) - 1]
        indices = sorted(set(indices))
        if len(indices) < 2 or indices[0] < 0 or indices[-1] >= len(self.digests):
            return self._refuse("MERGE_DIGEST: needs >= 2 existing digests")
        before = copy.deepcopy(self.digests)
        merged = [d for i in indices for d in self.digests[i]]
        self.digests = [merged if i == indices[0] else ds for i, ds in enumerate(self.digests)
                        if i == indices[0] or i not in indices]
        return self._record(A.MERGE, {"merges": indices, "before": before, "after": copy.deepcopy(self.digests)})

    def reject(self) -> bool:
        if not self._guard():
            return self._refuse("RECORD_REJECT: not started")
        self._record(A.REJECT, {})
        return self.close() or True

    def close(self) -> bool:
        if self.closed:
            return self._refuse("RECORD_CLOSE: already closed")
        if not self.actions:
            self.start()
        return self._record(A.CLOSE, {"digests": copy.deepcopy(self.digests)})

    # ---- generic entry point (replay, LLM policy) -----------------------------------------
    def act(self, name: str, **args: Any) -> bool:
        """Dispatch by recorded action name (LOAD takes `index` or `href`)."""
        if name == A.LOAD:
            return self.load_href(args["href"]) if "href" in args else self.load(int(args.get("index", 0)))
        table = {A.START: self.start, A.CLOSE: self.close, A.REJECT: self.reject, A.DOWN: self.scroll_down,
                 A.UP: self.scroll_up, A.TOP: self.scroll_top, A.BACK: self.back}
        if name in table:
            return table[name]()
        if name == A.SEARCH:
            return self.search(args.get("keyword", ""))
        if name == A.QUOTE:
            return self.quote(args.get("text", ""))
        if name == A.MERGE:
            return self.merge(args.get("merges"))
        return self._refuse(f"unknown action {name!r}")

    def record(self, answer: str = "", meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """The WebCPM record: `_id, question, answer, digests, actions` (+ our `meta`)."""
        if not self.closed:
            self.close()
        rec: dict[str, Any] = {
            "_id": self.record_id,
            "question": self.question,
            "answer": answer,
            "digests": [{"datas": copy.deepcopy(d)} for d in self.digests],
            "actions": self.actions,
        }
        if meta:
            rec["meta"] = meta
        return rec
