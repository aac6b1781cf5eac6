"""How result and run files are named on disk, so the runner and every task agree without importing each other.

`TASK__MODEL[.VARIANT]`: VARIANT is `p` + 8 hex digits of the sha256 over what the user chose beyond the
task and the model name (`-p` params, `--k`, `--split`, a retriever's `--model`, the scored file; see
`Task.choices`), and is left out when they chose none of it. So `bench run cranfield -r bm25 -o d` and
`... -p stem=true -o d` write two results side by side instead of one replacing the other, while the
same command run again rewrites its own files (idempotent).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core import sha256_json

__all__ = ["artifact_stem", "variant"]


def variant(choices: Mapping[str, Any]) -> str:
    """"" when nothing was chosen, else `p1a2b3c4d`: the same choices always give the same tag."""
    return f"p{sha256_json(dict(choices))[:8]}" if choices else ""


def artifact_stem(task: str, model: str, variant: str = "") -> str:
    """`cranfield__bm25` (or `cranfield__bm25.p1a2b3c4d` for a variant): file-name-safe, one per (task, model, variant)."""
    safe = re.sub(r'[^A-Za-z0-9._+-]+', '_', task)        # `local:NAME` (a user's folder) -> `local_NAME`
    stem = f"{safe}__{re.sub(r'[^A-Za-z0-9._+-]+', '_', model).strip('_') or 'model'}"
    return f"{stem}.{variant}" if variant else stem
