"""Run the tests marked `jvm` (the lucene retriever's) in a fresh pytest process.

Why: the JVM lives inside the Python process (pyjnius). A Ray driver started in that process after the
JVM (the Ray executor tests do) installs its own SIGSEGV handler over the JVM's, and the JVM, which uses
SIGSEGV internally, then dies with rc 139 and no message. In a fresh process no Ray has run. Users mixing
the two in one process start Python with LD_PRELOAD=$JAVA_HOME/lib/libjsig.so (README, Scaling out).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import JVM_CHILD_ENV, JVM_NODEIDS

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_jvm_marked_tests_pass_in_a_fresh_process():
    if os.environ.get(JVM_CHILD_ENV) == "1":         # the child itself collects this file: nothing to nest
        return
    # The tests this run deselected, by id: the child then imports only their modules (collecting all of
    # tests/ again costs ~8 s). Run alone, this test has none and the child finds them by marker.
    targets = list(JVM_NODEIDS) or ["-m", "jvm", "tests/"]
    # -n 0: the jvm tests share one JVM in one process (the suite's addopts would start xdist workers)
    child = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *targets],
                           cwd=REPO, env={**os.environ, JVM_CHILD_ENV: "1"}, capture_output=True, text=True,
                           timeout=900)
    tail = (child.stdout[-6000:] + child.stderr[-3000:])
    assert child.returncode == 0, tail
    if JVM_NODEIDS:                                  # every one of them ran and passed
        assert re.search(rf"\b{len(JVM_NODEIDS)} passed\b", child.stdout), tail
    else:                                            # the jvm tests ran, nothing else
        assert " passed" in child.stdout and "deselected" in child.stdout, tail
    print(child.stdout.strip().splitlines()[-1])
