"""The leaderboard prints each row's interval of its main score and ranks with it: three ultrachat-eval pairwise
results (real questions, hand-written judge replies: one model wins everything, one loses everything, one is
mixed) are submitted, verified and rendered; headless Chromium reads the intervals and the shared ranks."""
from __future__ import annotations

import os

import pytest

from tests.benchmarks.judging.test_bundle import _bundle
from tests.benchmarks.leaderboard.test_leaderboard import CHROMIUM, chromium, parse

REPLIES = {"strong": (["[[A]]"] * 3, ["[[B]]"] * 3), "weak": (["[[B]]"] * 3, ["[[A]]"] * 3),
           "mixed": (["[[A]]", "[[B]]", "[[C]]"], ["[[B]]", "[[A]]", "[[C]]"])}


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI", "").lower() != "true",
                    reason="headless Chromium not installed (CI must have it)")
def test_rows_show_intervals_and_overlapping_rows_share_a_rank(shared_data, tmp_path):
    from benchmarks.data.registry import dataset_sha
    from benchmarks.leaderboard.collect import collect
    from benchmarks.leaderboard.page import build_site, ci_ranks, metric_scale
    from benchmarks.runner import run_task
    from benchmarks.submission.package import pack
    from benchmarks.tasks.base import RunOptions

    for name, (ab, ba) in REPLIES.items():
        b = _bundle(shared_data)
        b.meta.update({"model": {"model": name}, "dataset_sha": dataset_sha("ultrachat")})
        for i, q in enumerate(b.questions):
            b.pairs[q.id]["AB"]["judgment"], b.pairs[q.id]["BA"]["judgment"] = ab[i], ba[i]
        path = b.save(tmp_path / name / f"{name}.judgments.jsonl")
        run_task("ultrachat-eval", RunOptions(predictions=path, output=tmp_path / name, mode="pairwise"))
        pack(tmp_path / name, tmp_path / "subs" / f"{name}.zip")
    board = collect(tmp_path / "subs")
    rows = board.rows["ultrachat-eval (pairwise)"]
    assert [r.model for r in rows] == ["strong", "mixed", "weak"]
    assert ci_ranks(rows) == [1, 1, 2]          # mixed's interval overlaps strong's: no order claimed between them
    index = build_site(board, tmp_path / "site")

    table = parse(chromium(index.as_uri(), tmp_path)).tables["ultrachat-eval (pairwise)"]
    assert table["head"][:5] == ["rank", "model", "params", "score", "ci-rank"]
    cells = {row[1][0]: row for row in table["rows"]}
    for r in rows:
        lo, hi = r.metrics["score_ci_low"], r.metrics["score_ci_high"]
        sc = metric_scale(r, "score")                 # printed in the main score's own scale
        assert cells[r.model][3][0] == f"{sc.fmt(r.main_value)} [{sc.fmt(lo)}, {sc.fmt(hi)}]"
    assert [cells[m][4][0] for m in ("strong", "mixed", "weak")] == ["1", "1", "2"]
    assert rows[1].metrics["score_ci_low"] < 0.5 < rows[1].metrics["score_ci_high"]
