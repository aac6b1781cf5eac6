"""The 13 WebCPM actions, their model words and the limits of the recorded browser.

Lives in `annotation/` because the validator needs it and `annotation/` never imports
`builders/`; the builder, converters and scorers import it from here.
"""
from __future__ import annotations

START = "RECORD_START"
CLOSE = "RECORD_CLOSE"
REJECT = "RECORD_REJECT"
SEARCH = "PRESS_SEARCH"
LOAD = "LOAD_PAGE_DETAIL"
BACK = "PAGE_GO_BACK"
QUOTE = "ADD_DIGEST"
MERGE = "MERGE_DIGEST"
DOWN = "TRIGGER_SCROLL_DOWN"
UP = "TRIGGER_SCROLL_UP"
TOP = "TRIGGER_SCROLL_TO_TOP"

ACTIONS: tuple[str, ...] = (DOWN, UP, BACK, QUOTE, MERGE, LOAD, CLOSE, SEARCH, START, REJECT, TOP)
"""The 11 recorded names; LOAD_PAGE_DETAIL splits into 3 model labels (result 1/2/3) -> 13 labels."""

# model word per label, in the order of the original `可选操作` line (A..M)
LABEL_WORDS: dict[str, str] = {
    DOWN: "下翻", UP: "上翻", BACK: "返回", QUOTE: "新增摘要", MERGE: "合并摘要",
    f"{LOAD}-0": "一号页面", f"{LOAD}-1": "二号页面", f"{LOAD}-2": "三号页面",
    CLOSE: "结束", SEARCH: "搜索", START: "开始", REJECT: "拒答", TOP: "至顶",
}
WORDS: tuple[str, ...] = tuple(LABEL_WORDS.values())
WORD_TO_LABEL: dict[str, str] = {w: k for k, w in LABEL_WORDS.items()}
UNSCORED_WORDS: frozenset[str] = frozenset({"开始", "拒答", "至顶"})
SCORED_WORDS: tuple[str, ...] = tuple(w for w in WORDS if w not in UNSCORED_WORDS)

MAX_STEPS = 100           # the client's step budget; at 0 it auto-closes
RESULTS_PER_WINDOW = 3    # search results visible at once
PAGE_WINDOW_CHARS = 500   # characters of page text visible at once
MAX_RESULTS = 25          # the server keeps <= 25 search results
LINE_MARK = "<br />"      # paragraph end marker inside page windows

SEARCH_MODE = 0           # currentPageInfo.type of a result list
PAGE_MODE = 1             # currentPageInfo.type of an opened page


def label_of(action: dict, visible_hrefs: list[str] | None = None) -> str:
    """Model label of a recorded action; LOAD needs the hrefs of the window it was clicked in."""
    name = action.get("action", "")
    if name == LOAD:
        href = (action.get("details") or {}).get("href")
        if visible_hrefs is None or href not in visible_hrefs:
            raise ValueError(f"LOAD_PAGE_DETAIL href {href!r} is not in the visible window")
        return f"{LOAD}-{visible_hrefs.index(href)}"
    return name
