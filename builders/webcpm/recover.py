"""Rebuild WebCPM trace records from the released action-prediction prompts (`test_output.json`).

The dataset's traces (`data.json`) are not public; the 159 prompts of the repository's
inference output are the only real trace material. Each prompt shows the state before one
action and its gold label, so the action sequence, queries, result windows (titles and
snippets, not hrefs), page windows and quotes can be read back. What cannot be: hrefs
(made up from titles, stable within a trace), spaces (the writer deleted them), timestamps,
and quotes shown only abbreviated when the page window no longer contains them.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from core import iter_jsonl
from annotation.webcpm import actions as A
from builders.webcpm.errors import WebCPMError

_SECTIONS = ("问题：\n", "\n摘要：\n", "\n当前搜索：\n", "\n上回界面：\n", "\n当前界面：\n", "\n剩余操作步数：")
_RESULT = re.compile(r"^(一号|二号|三号)页面标题：(.*?)；简介：(.*)$")


def parse_prompt(source: str) -> dict[str, Any]:
    """Split an action prompt into its fields (unescaped: `<<` -> `<`)."""
    text = source.replace("<<", "<")
    out: dict[str, Any] = {}
    rest = text
    keys = ("question", "quotes", "query", "past_view", "view")
    for key, head, nxt in zip(keys, _SECTIONS, _SECTIONS[1:]):
        if not rest.startswith(head):
            raise ValueError(f"prompt section {head.strip()!r} not found")
        body, _, rest = rest[len(head):].partition(nxt)
        rest = nxt + rest
        out[key] = "" if body == "无" else body
    m = re.match(r"\n剩余操作步数：(\d+)\n", rest)
    out["steps_left"] = int(m.group(1)) if m else None
    hist = re.search(r"历史操作：(.*)\n", rest, flags=re.S)
    out["history"] = "" if not hist or hist.group(1) == "无" else hist.group(1)
    return out


def parse_quotes(block: str) -> list[str]:
    if not block:
        return []
    parts = re.split(r"(?:^|\n)摘要\d+：", block)
    return [p for p in parts[1:]]


def parse_view(view: str, rid: str) -> list[dict[str, str]] | str:
    """A result window -> list of {title, href, summary}; a page window -> its text with `<br />`."""
    lines = view.split("\n")
    results = [_RESULT.match(line) for line in lines]
    if view and all(results):
        return [{"title": m.group(2), "href": _href(rid, m.group(2)), "summary": m.group(3)} for m in results]
    return view.replace("<br/>", A.LINE_MARK)


def _href(rid: str, title: str) -> str:
    return f"recovered://{rid}/{hashlib.sha1(title.encode()).hexdigest()[:12]}"


def shown_pattern(shown: str) -> re.Pattern[str]:
    """A quote as the prompt shows it -> regex of the full text (`...` = elided middle, `<unk>` = any chars)."""
    parts = [re.escape(p).replace(re.escape("<unk>"), ".+?") for p in shown.split("...")]
    return re.compile(".*?".join(parts), flags=re.S)


def _full_quote(shown: str, window: str) -> str:
    """A quote shown as `head...tail` (or with `<unk>`) is read back from the window it was selected in."""
    visible = window.replace(A.LINE_MARK, "\n")
    if shown in visible:
        return shown
    m = shown_pattern(shown).search(visible)
    return m.group(0) if m else shown


def recover_traces(path: str | Path) -> list[dict[str, Any]]:
    """One record per question of a test_output.json file (actions up to the last prompt's gold)."""
    groups: list[list[dict[str, Any]]] = []
    for lineno, row in iter_jsonl(path, error=WebCPMError):
        try:
            p = parse_prompt(row["instance"][0]["source"])
            p["gold"] = row["answer"]
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise WebCPMError(f"{path}:{lineno}: field instance[0].source / answer: not a WebCPM action prompt "
                              f"({type(exc).__name__}: {exc})") from None
        if not groups or groups[-1][0]["question"] != p["question"] or p["steps_left"] == A.MAX_STEPS:
            groups.append([])
        groups[-1].append(p)
    if not groups:
        raise WebCPMError(f"{path}: no prompts (empty file)")
    return [_trace(f"recovered_{n:03d}", g) for n, g in enumerate(groups)]


def _trace(rid: str, prompts: list[dict[str, Any]]) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    digests: list[list[dict[str, Any]]] = []
    tick = 0

    def add(name: str, details: dict[str, Any], viewport: Any, keyword: str) -> None:
        nonlocal tick
        tick += 1000
        step = 0 if not actions else actions[-1]["step"] + (0 if name == A.CLOSE else 1)
        act: dict[str, Any] = {"action": name, "details": details}
        if viewport not in (None, ""):
            act["pageContentInViewport"] = viewport
        mode = A.SEARCH_MODE if isinstance(viewport, list) else A.PAGE_MODE if viewport else ""
        act.update({"digests": json.loads(json.dumps(digests)), "keyword": keyword, "triggerAt": tick,
                    "stackLength": 0 if mode == "" else 1 if mode == A.SEARCH_MODE else 2, "step": step,
                    "traceId": rid, "currentPageInfo": {"title": "", "type": mode, "href": "", "scrollTop": 0}})
        actions.append(act)

    add(A.START, {}, None, "")
    for k, p in enumerate(prompts):
        nxt = prompts[k + 1] if k + 1 < len(prompts) else None
        label = A.WORD_TO_LABEL.get(p["gold"], "")
        after = parse_view(nxt["view"], rid) if nxt else None
        keyword = nxt["query"] if nxt else p["query"]
        current = parse_view(p["view"], rid)
        if label == A.CLOSE:
            add(A.CLOSE, {"digests": json.loads(json.dumps(digests))}, None, p["query"])
            break
        if nxt is None:
            break                               # the last gold action's outcome is not in the file
        if label == A.SEARCH:
            add(A.SEARCH, {"keyword": nxt["query"], "result": after}, after, keyword)
        elif label.startswith(A.LOAD):
            idx = int(label[-1])
            href = current[idx]["href"] if isinstance(current, list) and idx < len(current) else ""
            add(A.LOAD, {"href": href, "pageMainContent": [after] if isinstance(after, str) else []}, after, keyword)
            actions[-1]["currentPageInfo"]["href"] = href
        elif label == A.QUOTE:
            shown = parse_quotes(nxt["quotes"])[-1]
            text = _full_quote(shown, current if isinstance(current, str) else "")
            digests.append([{"title": "", "desc": text, "chunkIndex": 0}])
            add(A.QUOTE, {"text": text}, after, keyword)
        elif label == A.MERGE:
            before = json.loads(json.dumps(digests))
            merges = _find_merge(digests, parse_quotes(nxt["quotes"]))
            merged = [d for i in merges for d in digests[i]]
            digests = [merged if i == merges[0] else ds for i, ds in enumerate(digests)
                       if i == merges[0] or i not in merges]
            add(A.MERGE, {"merges": merges, "before": before, "after": json.loads(json.dumps(digests))}, after, keyword)
        else:
            add(label, {}, after, keyword)
    if actions[-1]["action"] != A.CLOSE:
        add(A.CLOSE, {"digests": json.loads(json.dumps(digests))}, None, actions[-1]["keyword"])
    return {"_id": rid, "question": prompts[0]["question"], "answer": "",
            "digests": [{"datas": d} for d in digests], "actions": actions,
            "meta": {"source": "recovered from WebCPM inference/output/test_output.json",
                     "complete": prompts[-1]["gold"] == A.LABEL_WORDS[A.CLOSE]}}


def _find_merge(digests: list[list[dict[str, Any]]], shown_after: list[str]) -> list[int]:
    """Which digests were merged: the set whose result reproduces the shown list (default: last two)."""
    from itertools import combinations

    n, k = len(digests), len(digests) - len(shown_after) + 1
    texts = ["".join(d["desc"] for d in ds) for ds in digests]
    for combo in combinations(range(n), max(k, 2)):
        merged = [("".join(texts[i] for i in combo) if i == combo[0] else texts[i])
                  for i in range(n) if i == combo[0] or i not in combo]
        if len(merged) == len(shown_after) and all(
                shown_pattern(s).fullmatch(t) for s, t in zip(shown_after, merged)):
            return list(combo)
    return [n - 2, n - 1]
