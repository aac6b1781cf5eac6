"""`UserError`: the one base class of every error that is the user's input, not our bug.

The CLI catches exactly this class and prints its message as one line (exit 2). Each room keeps its
own subclass (TaskError, RetrieverError, JobError...) so callers can still catch narrowly; anything
that is not a UserError - including a FileNotFoundError raised by our own code - keeps its traceback.
"""
from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input or a refused request; the message names the file, the line or record, and the field."""


class DataError(UserError):
    """Bad or missing input data: the message names the file, line/record and field."""


def require_file(path: str | Path, what: str = "input file", *, error: type[UserError] = DataError) -> Path:
    """The path of a user-given input file, or a one-line error saying why it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise error(f"{path}: {what} not found")
    if path.is_dir():
        raise error(f"{path}: {what} is a directory, expected a file")
    return path
