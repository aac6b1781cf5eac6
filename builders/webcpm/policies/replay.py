"""Replay a recorded trace against the local web and report where it diverges.

Searches are re-run, clicks are matched by href (then by title), quotes must be found in the
window the replay shows, scrolls and merges are re-executed. A divergence never stops the
replay: the action is skipped (refused) and reported with its index and reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotation.webcpm import actions as A
from builders.webcpm.browser import Browser


@dataclass
class ReplayPolicy:
    trace: dict[str, Any] | None = None
    traces: dict[str, dict[str, Any]] = field(default_factory=dict)   # by question id or question text
    name: str = "replay"

    def run(self, browser: Browser, question: dict[str, Any]) -> dict[str, Any]:
        trace = self.trace or self.traces.get(str(question.get("id"))) or self.traces.get(question["question"])
        if trace is None:
            browser.start()
            browser.close()
            return {"policy": self.name, "divergences": [{"index": 0, "reason": "no recorded trace for question"}]}
        divergences: list[dict[str, Any]] = []
        for i, action in enumerate(trace.get("actions", [])):
            if browser.closed:
                divergences.append({"index": i, "action": action.get("action"), "reason": "browser already closed"})
                break
            name, details = action.get("action"), action.get("details") or {}
            if name == A.LOAD:
                ok = self._load(browser, details.get("href", ""), action)
            elif name == A.MERGE:
                ok = browser.merge(details.get("merges"))
            else:
                ok = browser.act(name, **details)
            if not ok:
                divergences.append({"index": i, "action": name,
                                    "reason": browser.refusals[-1] if browser.refusals else "refused"})
                continue
            recorded = action.get("pageContentInViewport")
            got = browser.actions[-1].get("pageContentInViewport") if browser.actions else None
            if recorded is not None and got is not None and _view_key(recorded) != _view_key(got):
                divergences.append({"index": i, "action": name, "reason": "visible window differs from the recording"})
        if not browser.closed:
            browser.close()
        return {"policy": self.name, "divergences": divergences}

    @staticmethod
    def _load(browser: Browser, href: str, action: dict[str, Any]) -> bool:
        if browser.load_href(href):
            return True
        view = browser.viewport() if browser.mode == A.SEARCH_MODE else None
        title = ""
        for r in (action.get("details") or {}).get("result", []) or []:
            if r.get("href") == href:
                title = r.get("title", "")
        for i, r in enumerate(view or []):
            if title and r.get("title") == title:
                return browser.load(i)
        return False


def _view_key(view: Any) -> Any:
    if isinstance(view, list):
        return [r.get("href") for r in view]
    return view


def make(options: Any) -> Any:
    """Registry entry: replay the traces of `options.replay` (matched by question id, then question text)."""
    from core import require_file, sha256_file
    from builders.webcpm.traces import read_traces
    from builders.webcpm.errors import WebCPMError
    from builders.webcpm.policies import PolicySetup

    if options.replay is None:
        raise WebCPMError("--policy replay needs --replay TRACES")
    path = require_file(options.replay, "trace file to replay", error=WebCPMError)
    # a bad line, or a trace `bench validate webcpm` rejects (an unknown action...), is a one-line error
    traces = {str(r.get("_id")): r for r in read_traces(path)}
    traces.update({r.get("question", ""): r for r in list(traces.values())})

    def check(questions: list[dict[str, Any]]) -> str | None:
        """No recorded trace for any question: every record would be START/CLOSE only, so refuse."""
        missing = [q for q in questions if str(q.get("id")) not in traces and q.get("question") not in traces]
        if questions and len(missing) == len(questions):
            raise WebCPMError(f"{path}: none of the {len(questions)} questions of the corpus has a recorded trace "
                              f"here (matched by _id, then by question text; first question: {missing[0].get('id')} "
                              f"{str(missing[0].get('question'))[:30]!r}); nothing to replay")
        return (f"{len(missing)} of {len(questions)} questions have no recorded trace in {path} (their records hold "
                "START and CLOSE only)") if missing else None

    return PolicySetup(ReplayPolicy(traces=traces), {"replay_sha256": sha256_file(path)}, check=check)
