"""The one shape every validator reports in: where (file, line or record, step, field) and what.

Validators collect *all* issues of a file instead of stopping at the first, so a user fixes
a file in one pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Issue:
    file: str
    message: str
    record: str | None = None     # record id (case uid, trace _id, dialogue id...)
    field: str | None = None      # dotted path inside the record, e.g. "actions[3].details.href"
    line: int | None = None       # 1-based line for JSONL/TSV inputs
    severity: str = "error"       # "error" | "warning"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.record is not None:
            where += f" record {self.record}"
        if self.field:
            where += f" field {self.field}"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Validation:
    """What `annotation.registry.validate` hands back: every issue, plus notes (e.g. inter-annotator
    agreement) that a validator's registry entry computes once the data has no error."""

    path: str
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors
def issue_from_error(file: str, message: str, severity: str = "error") -> Issue:
    """An Issue from a `core` reader's one-line error ("FILE:LINE[:COL]: problem" or "FILE: problem")."""
    rest = message[len(file):] if message.startswith(file) else None
    m = re.match(r":(\d+)(?::\d+)?: (.*)$", rest, re.S) if rest is not None else None
    if m:
        return Issue(file, m.group(2), line=int(m.group(1)), severity=severity)
    return Issue(file, rest.lstrip(": ") if rest is not None else message, severity=severity)
