"""Leaderboard submissions: check results against their tasks, pack them, verify a received package.

Never trust submitted numbers: every check re-scores the included run file with the task's own
metric code and compares (anchors note, "what our submission script should do").
- `checks`: one result + its run file against the schema and its task (re-scoring).
- `package`: `bench submit RESULTS_DIR --out submission.zip` (results + runs + manifest with hashes).
- `verify`: `bench verify submission.zip` (safe archive reading, hashes, then the checks).
"""
from __future__ import annotations
from core import UserError


class SubmissionError(UserError):
    """A result or package that cannot be accepted; `problems` holds every reason found."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


def format_problems(head: str, problems: list[str], limit: int = 8) -> str:
    """One line: the head, then the first `limit` reasons separated by ' | '."""
    shown = " | ".join(problems[:limit])
    more = f" | ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{head}: {shown}{more}"


__all__ = ["SubmissionError", "format_problems"]
