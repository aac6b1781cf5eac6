"""benchmarks.coverage: what a run or predictions file covers of a task, and when that is too little to score.

Small hand-made ids, so each count can be checked by eye; the CLI flows on real data are in
tests/bad_inputs/test_silent_scoring.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import coverage
from benchmarks.tasks.base import TaskError

SCORED = {"1", "2", "3", "4"}                 # the split's judged queries
OTHER = {"5", "6"}                            # the dataset's other queries (another split)
CORPUS = {"d1": None, "d2": None, "d3": None}


def _run(run: dict, **kw):
    return coverage.run_coverage(Path("/x/my.run"), run, task="t", scored=SCORED,
                                 known_queries=OTHER, known_docs=coverage.known(CORPUS, {"j1"}), **kw)


def test_counts_and_the_one_line() -> None:
    cov = _run({"1": {"d1": 2.0, "zz": 1.0}, "2": ["j1"], "5": ["d2"], "9": ["d3"], "3": []})
    assert (cov.scored, cov.ids, cov.in_task, cov.answered) == (4, 5, 3, 2)     # "3" retrieved nothing
    assert cov.unknown == ("9",) and cov.docs == 5 and cov.unknown_docs == ("zz",)
    assert cov.line() == ("coverage: my.run has 3/4 task queries (2 retrieved a known document) · 1/5 run query "
                          "ids unknown to the task · 1/5 documents unknown to the corpus")
    kept = coverage.check(cov)
    assert kept["in_task"] == 3 and kept["unknown_documents"] == 1 and kept["allow_partial"] is False
    assert "/x/" not in str(kept)                                 # the result keeps the file's name, not its path


@pytest.mark.parametrize("run, why", [
    ({"1": ["zz"], "2": ["yy"]}, "no query of task t retrieved a document the task knows"),
    ({"1": ["d1"], "7": ["d1"], "8": ["d1"]}, r"2 of its 3 query ids are unknown to task t \(7, 8\)"),
])
def test_a_meaningless_figure_is_refused_unless_partial_is_allowed(run: dict, why: str) -> None:
    cov = _run(run)
    with pytest.raises(TaskError, match=r"^/x/my\.run: " + why + r".*pass --allow-partial"):
        coverage.check(cov)
    assert coverage.check(cov, allow_partial=True)["allow_partial"] is True


def test_half_unknown_is_still_scored_and_no_overlap_never_is() -> None:
    assert coverage.check(_run({"1": ["d1"], "7": ["d1"]}))["unknown_ids"] == 1     # 1 of 2: not "most"
    with pytest.raises(TaskError, match=r"none of its 2 query ids is scored by task t \(7, 8 unknown\)"):
        coverage.check(_run({"7": ["d1"], "8": ["d1"]}), allow_partial=True)
    with pytest.raises(TaskError, match="none of its 1 query ids"):              # another split only
        coverage.check(_run({"5": ["d1"]}), allow_partial=True)


def test_predictions_repeated_or_unknown_ids_are_errors_naming_the_first_few() -> None:
    ok = coverage.predictions_coverage("p.jsonl", ["1", "2"], task="t", scored=SCORED)
    assert coverage.check(ok)["line"] == "coverage: p.jsonl has 2/4 task questions · 0/2 ids unknown to the task"
    with pytest.raises(TaskError, match=r"p\.jsonl: 1 repeated id\(s\): 2 \(lines 2 and 4\)"):
        coverage.predictions_coverage("p.jsonl", ["1", "2", "3", "2"], task="t", scored=SCORED, lines=[1, 2, 3, 4])
    unknown = [f"x{i}" for i in range(7)]
    with pytest.raises(TaskError, match=r"7 of its 8 ids are not questions of task t: x0, x1, x2, x3, x4 \.\.\. "
                                        r"\(7 in all\)"):
        coverage.predictions_coverage("p.json", ["1", *unknown], task="t", scored=SCORED)
    unscored = coverage.predictions_coverage("p.json", ["1", "u"], task="t", scored=SCORED, known_ids={"u"})
    assert (unscored.in_task, unscored.unknown) == (1, ())      # e.g. a SQuAD 2.0 unanswerable question
    with pytest.raises(TaskError, match=r"p\.json: no prediction in it"):
        coverage.check(coverage.predictions_coverage("p.json", [], task="t", scored=SCORED), allow_partial=True)
