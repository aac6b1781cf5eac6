"""The exception types the CLI turns into one-line messages instead of tracebacks.

Every room raises its own subclass of a plain Exception; the CLI collects them here so a
new room's errors are one line to add.
"""
from __future__ import annotations

from benchmarks.tasks.base import TaskError
from retrieval.base import RetrieverError
from builders.webcpm.errors import WebCPMError
from builders.common.jobs import JobError  # ultrachat: builder jobs (resume, shards, bad inputs)
from builders.llm.base import BackendError  # ultrachat: chat backends


class DataError(Exception):
    """Bad or missing input data: the message names the file, line/record and field."""


USER_ERRORS: tuple[type[BaseException], ...] = (
    DataError,
    TaskError,
    RetrieverError,
    FileNotFoundError,
    WebCPMError,
    JobError,  # ultrachat
    BackendError,  # ultrachat
)
