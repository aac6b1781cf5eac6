"""Label Studio exports made in the tests: what the server's JSON export holds, built from our tasks."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable


def make_export(tasks: list[dict[str, Any]], annotators: dict[str, Callable[[int, dict[str, Any]], list | None]],
                path: Path) -> Path:
    """`annotators[email](i, data)` returns the result list of that annotator for task i (None: skipped)."""
    rows = []
    for i, task in enumerate(tasks):
        anns = []
        for n, (email, fn) in enumerate(annotators.items()):
            result = fn(i, task["data"])
            if result is not None:
                anns.append({"id": 100 * i + n, "completed_by": {"id": n + 1, "email": email}, "result": result,
                             "was_cancelled": False, "updated_at": "2026-12-02T10:00:00Z"})
        rows.append({"id": i + 1, "data": task["data"], "annotations": anns,
                     "predictions": task.get("predictions", [])})
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def choice(name: str, to: str, value: object) -> dict[str, Any]:
    return {"from_name": name, "to_name": to, "type": "choices", "value": {"choices": [str(value)]}}


def rating(name: str, to: str, value: int) -> dict[str, Any]:
    return {"from_name": name, "to_name": to, "type": "rating", "value": {"rating": value}}


def span(name: str, to: str, start: int, end: int, text: str) -> dict[str, Any]:
    return {"from_name": name, "to_name": to, "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": ["answer"]}}
