"""The exception types the CLI turns into one-line messages instead of tracebacks.

Every room raises its own subclass of a plain Exception; the CLI collects them here so a
new room's errors are one line to add.
"""
from __future__ import annotations

from benchmarks.cards import CardError
from benchmarks.results import ResultError
from benchmarks.submission import SubmissionError
from benchmarks.tasks.base import TaskError
from retrieval.base import RetrieverError
from annotation.squad import QADataError  # QASnowball / QA files
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
    ResultError,  # datasets: a result file that breaks the schema
    SubmissionError,  # datasets: bench submit / verify refusals
    CardError,  # datasets: missing or malformed data card
    QADataError,
    WebCPMError,
    JobError,  # ultrachat
    BackendError,  # ultrachat
)

# --- MUSER (issue 4): schema/file/build/tagger input errors ---
from annotation.muser.files import MuserFileError  # noqa: E402
from annotation.muser.schema import SchemaError as MuserSchemaError  # noqa: E402
from builders.muser.build import BuildError as MuserBuildError  # noqa: E402
from builders.muser.tagger.data import TaggerDataError  # noqa: E402

USER_ERRORS += (MuserFileError, MuserSchemaError, MuserBuildError, TaggerDataError)
