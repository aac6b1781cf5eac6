"""The browser state machine over the real DuReader demo corpus and real BM25."""
from __future__ import annotations

import pytest

from annotation.webcpm import actions as A
from annotation.webcpm.validate import validate_record
from builders.webcpm.browser import Browser, BrowserClosed
from builders.webcpm.web import WebPage, render_window


def _browser(web, dureader, seed=0, **kw):
    q = dureader[1][0]
    return Browser(web, q["question"], record_id=q["id"], seed=seed, **kw)


def test_search_results_are_bing_like(web, dureader):
    q = dureader[1][0]["question"]
    results = web.search(q)
    assert 0 < len(results) <= A.MAX_RESULTS
    for r in results:
        assert set(r) == {"title", "href", "summary"}
        page = web.page(r["href"])
        # the snippet is a passage of the page (possibly cut with "...")
        assert r["summary"].removesuffix("...")[:20] in page.text
    # the question's own documents rank high: at least one of the top 3 belongs to it
    qid = dureader[1][0]["id"]
    assert any(f"/{qid}/" in r["href"] for r in results[:3])


def test_windows_and_refusals(web, dureader):
    b = _browser(web, dureader)
    assert not b.search("x")                       # not started
    assert b.start()
    assert not b.quote("任何")                      # no page open
    assert not b.back()                            # nothing to go back to
    assert b.search(b.question)
    assert b.mode == A.SEARCH_MODE and len(b.viewport()) <= A.RESULTS_PER_WINDOW
    assert not b.scroll_up() and not b.scroll_top()
    assert not b.quote("任何")                      # quotes only inside a page
    n = len(b.actions)
    assert not b.load(5)                           # only results 1-3 of the window
    assert len(b.actions) == n                     # refused actions are not recorded
    assert b.load(0)
    window = b.viewport()
    assert isinstance(window, str) and len(window) <= A.PAGE_WINDOW_CHARS
    visible = b.visible_text()
    assert not b.quote("这段文字不在窗口里也不在页面里")
    sentence = visible.split("\n")[0][:12]
    assert b.quote(sentence)
    assert not b.merge()                           # one digest only
    page = b.stack[-1]
    while b.scroll_down():
        pass
    assert page.window == page.n_windows - 1       # scrolling stops at the last window
    assert b.back() and b.mode == A.SEARCH_MODE
    assert b.close()
    with pytest.raises(BrowserClosed):
        b.search("x")
    rec = b.record()
    assert [a["step"] for a in rec["actions"][:-1]] == list(range(len(rec["actions"]) - 1))
    assert rec["actions"][-1]["step"] == rec["actions"][-2]["step"]       # CLOSE costs no step (template)
    assert validate_record(rec) == []


def test_budget_auto_closes(web, dureader):
    b = _browser(web, dureader, max_steps=10)
    b.start()
    b.search(b.question)
    b.load(0)
    while not b.closed:
        if not b.scroll_down():
            b.scroll_top() or b.back() or b.load(0)
    assert len(b.actions) == 10 and b.actions[-1]["action"] == A.CLOSE


def test_records_are_deterministic(web, dureader):
    def build(seed):
        b = _browser(web, dureader, seed=seed)
        b.start()
        b.search(b.question)
        b.load(0)
        b.quote(b.visible_text()[:10])
        b.back()
        b.load(1)
        b.quote(b.visible_text()[:8])
        b.merge()
        b.close()
        return b.record("答")
    one, two, other = build(0), build(0), build(1)
    assert one == two
    assert one["actions"][0]["traceId"] != other["actions"][0]["traceId"]
    assert len(one["digests"]) == 1 and len(one["digests"][0]["datas"]) == 2
    merge = [a for a in one["actions"] if a["action"] == A.MERGE][0]
    assert merge["details"]["merges"] == [0, 1] and len(merge["details"]["before"]) == 2


def test_page_windows_cut_by_offset():
    page = WebPage(href="h", title="t", paragraphs=("甲" * 498, "乙乙乙"))
    windows = page.windows()
    assert windows[0] == "甲" * 498 + "<b" and windows[1].startswith("r />乙乙乙")
    assert render_window("a<br />b") == "a\nb"
