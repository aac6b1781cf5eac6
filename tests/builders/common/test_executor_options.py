"""--executor / --address / --num-workers errors, and a missing ray, are one-line errors (no Ray needed)."""
from __future__ import annotations

import sys

import pytest

from engines.executors import ExecutorError, ExecutorSpec, create_executor


def _digest(item):
    return item


def test_bad_executor_options_are_one_line_errors(monkeypatch):
    with pytest.raises(ExecutorError, match="--executor 'spark'"):
        ExecutorSpec("spark")
    with pytest.raises(ExecutorError, match="--num-workers 0"):
        ExecutorSpec("ray", num_workers=0)
    with pytest.raises(ExecutorError, match="--address is only used with --executor ray"):
        ExecutorSpec("local", address="auto")
    monkeypatch.setitem(sys.modules, "ray", None)           # as if ray were not installed
    with pytest.raises(ExecutorError, match=r"pip install 'ray==2\.60\.0'"):
        create_executor(ExecutorSpec("ray"), _digest)
