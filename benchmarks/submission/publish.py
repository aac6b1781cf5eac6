"""What a result looks like once it leaves the submitter's machine: named by them, free of local paths.

`bench submit --model-name NAME --model-url URL --org ORG` records who submitted which model under
`extra.submitter` (the leaderboard shows that name, linked, with the org); the technical `model.name`
(`bm25`, `external-run:...`) stays as the label of what was run. Every local path still left in
`model.params` or `extra` becomes `{"file": basename, "sha256": ...}` (benchmarks.provenance), so no
directory layout of the submitter reaches a package or the page. Scores, per-query values and the run
are untouched: `bench verify` re-scores the package exactly as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.provenance import local_name, scrub_paths
from benchmarks.submission import SubmissionError

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)
MAX_NAME = 80


@dataclass(frozen=True)
class Submitter:
    model_name: str | None = None
    model_url: str | None = None
    org: str | None = None

    def __post_init__(self) -> None:
        for field, value in (("--model-name", self.model_name), ("--org", self.org)):
            if value is not None and (not value.strip() or len(value) > MAX_NAME or any(ord(c) < 32 for c in value)):
                raise SubmissionError(f"{field} {value!r}: expected 1-{MAX_NAME} printable characters")
            if value is not None and ("/" in value or "\\" in value):
                raise SubmissionError(f"{field} {value!r}: no '/' or '\\' (a name, not a path)")
        if self.model_url is not None and not _URL.match(self.model_url):
            raise SubmissionError(f"--model-url {self.model_url!r}: expected an http(s):// URL")

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("model_name", self.model_name), ("model_url", self.model_url),
                                  ("org", self.org)) if v}


def publishable(data: dict[str, Any], base: Path, submitter: Submitter | None = None) -> dict[str, Any]:
    """A copy of a result dict with paths scrubbed from model params and extra, and the submitter added."""
    data = dict(data)
    model = dict(data.get("model") or {})
    model["name"] = local_name(str(model.get("name") or ""), base=base) or model.get("name")
    model["params"] = scrub_paths(model.get("params") or {}, base=base, prefixed=True)
    data["model"] = model
    data["extra"] = scrub_paths(data.get("extra") or {}, base=base, prefixed=True)
    who = submitter.to_dict() if submitter else {}
    if who:
        data["extra"]["submitter"] = who
    return data


def unnamed(model_name: str) -> bool:
    """A result whose model only says it came from a file: the submitter should name it."""
    return model_name.startswith(("external-run", "external-predictions"))


__all__ = ["Submitter", "publishable", "unnamed"]
