"""How result and run files are named on disk, so the runner and every task agree without importing each other."""
from __future__ import annotations

import re

__all__ = ["artifact_stem"]


def artifact_stem(task: str, model: str) -> str:
    """`cranfield__bm25`: file-name-safe, one per (task, model)."""
    safe = re.sub(r'[^A-Za-z0-9._+-]+', '_', task)        # `local:NAME` (a user's folder) -> `local_NAME`
    return f"{safe}__{re.sub(r'[^A-Za-z0-9._+-]+', '_', model).strip('_') or 'model'}"
