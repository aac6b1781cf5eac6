"""What a result looks like once it leaves the submitter's machine: named by them, free of local paths.

`bench submit --model-name NAME --model-url URL --org ORG` records who submitted which model under
`extra.submitter` (the leaderboard shows that name, linked, with the org); the technical `model.name`
(`bm25`, `external-run:...`) stays as the label of what was run. Every local path still left in
`model.params`, `extra` or `scoring_params` becomes `{"file": basename, "sha256": ...}`
(benchmarks.provenance), and every URL of a local endpoint (127.0.0.1, localhost, a LAN host) becomes
"(local endpoint)", so no directory layout or machine of the submitter reaches a package or the page.
A judgments bundle (a judged result's run) gets the same treatment in its meta line (`publishable_run`).
Scores, per-query values and the lines they are computed from are untouched: `bench verify` re-scores
the package exactly as before.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.provenance import LOCAL_ENDPOINT, is_local_url, local_name, scrub_for_publication
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
    """A copy of a result dict with local paths and local endpoint URLs scrubbed from every free-form
    field (model params, extra, scoring params), and the submitter added. The fields the checks read
    (task, dataset, metrics, per-query scores, run sha) are ids and numbers and stay as they are."""
    data = dict(data)
    model = dict(data.get("model") or {})
    model["name"] = local_name(str(model.get("name") or ""), base=base) or model.get("name")
    model["params"] = scrub_for_publication(model.get("params") or {}, base=base)
    data["model"] = model
    data["extra"] = scrub_for_publication(data.get("extra") or {}, base=base)
    data["scoring_params"] = scrub_for_publication(data.get("scoring_params") or {}, base=base)
    who = submitter.to_dict() if submitter else {}
    if who:
        data["extra"]["submitter"] = who
    return data


_NAMES = frozenset({"model", "id"})      # a bundle meta's model names: a local path becomes its basename


def _scrub_meta(value: Any, base: Path, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _scrub_meta(v, base, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_meta(v, base, key) for v in value]
    if isinstance(value, str) and key in _NAMES:
        return LOCAL_ENDPOINT if is_local_url(value) else local_name(value, base=base)
    return scrub_for_publication(value, base=base, key=key)


def publishable_run(run_path: Path, base: Path) -> bytes:
    """The run file's bytes as published. A judgments bundle's meta line records where the questions,
    answers and endpoints were on the submitter's machine: it is scrubbed like the result (the lines the
    scores are recomputed from are kept byte for byte). Any other run is published unchanged."""
    from benchmarks.judging.bundle import is_bundle

    data = run_path.read_bytes()
    if not is_bundle(run_path):
        return data
    first, nl, rest = data.partition(b"\n")
    meta = json.loads(first.decode("utf-8-sig"))
    clean = _scrub_meta(meta, base)
    if clean == meta:
        return data
    return json.dumps(clean, ensure_ascii=False).encode("utf-8") + nl + rest


def unnamed(model_name: str) -> bool:
    """A result whose model only says it came from a file: the submitter should name it."""
    return model_name.startswith(("external-run", "external-predictions"))


__all__ = ["Submitter", "publishable", "publishable_run", "unnamed"]
