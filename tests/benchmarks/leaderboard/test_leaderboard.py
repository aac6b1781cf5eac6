"""The leaderboard page rendered by real headless Chromium from file://, checked against the results.

The page is built from the session's real submission (Cranfield bm25 + bm25-rank; MUSER when its
task exists) plus a tampered copy that must show up as rejected. The DOM is read after the page's
own JavaScript ran (sorting, rank numbering), once in default order and once with a `#sort=` link.
The screenshot goes to $BENCH_ARTIFACTS/leaderboard.png (default: the test's tmp folder).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests.benchmarks.datasets_fixtures import bench

from benchmarks.leaderboard import build_site, collect
from benchmarks.submission.verify import verify

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]


class BoardParser(HTMLParser):
    """tables[task] = {"attrs": {...}, "head": [col ids], "rows": [[(text, data-value, class)]]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self.body_attrs: dict[str, str] = {}
        self.links: list[str] = []
        self.svg_rows: list[dict[str, str]] = []
        self._table: dict | None = None
        self._cell: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body_attrs = a
        elif tag == "a":
            self.links.append(a.get("href", ""))
        elif tag == "g" and "row" in a.get("class", ""):
            self.svg_rows.append(a)
        elif tag == "table" and "board" in a.get("class", ""):
            self._table = {"attrs": a, "head": [], "rows": []}
            self.tables[a["data-task"]] = self._table
        elif self._table is not None and tag == "th":
            self._table["head"].append(a.get("data-col"))
        elif self._table is not None and tag == "tr" and "data-model" in a:
            self._table["rows"].append([])
        elif self._table is not None and tag == "td":
            self._cell = ["", a.get("data-value"), a.get("class", "")]

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self._table["rows"][-1].append(tuple(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None


def chromium(url: str, tmp: Path, *extra: str) -> str:
    """Run headless Chromium once: `--dump-dom` (the DOM after scripts ran) unless `extra` says otherwise."""
    assert CHROMIUM, "headless Chromium is missing: CI must render the leaderboard (tests/setup.sh installs it)"
    action = list(extra) or ["--dump-dom"]
    proc = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'chromium-profile'}", *action, url],
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def parse(dom: str) -> BoardParser:
    parser = BoardParser()
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def site(submission_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list]]:
    """Submissions folder = the real package + a tampered copy; returns (index.html, expected rows)."""
    subs = tmp_path_factory.mktemp("submissions")
    shutil.copy(submission_zip, subs / "team-a.zip")
    with zipfile.ZipFile(submission_zip) as src, zipfile.ZipFile(subs / "team-evil.zip", "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("../escape.txt", b"x")
    expected: dict[str, list] = {}
    for acc in verify(submission_zip, rescore=False).accepted:
        expected.setdefault(acc.result.task, []).append(acc.result)
    out = tmp_path_factory.mktemp("site") / "site"
    bench("leaderboard", "build", str(subs), "--out", str(out))
    return out / "index.html", expected


def test_collect_rejects_tampered_packages(submission_zip: Path, tmp_path: Path) -> None:
    shutil.copy(submission_zip, tmp_path / "ok.zip")
    shutil.copy(submission_zip, tmp_path / "bad.zip")
    with zipfile.ZipFile(tmp_path / "bad.zip", "a") as zf:
        zf.writestr("/abs.json", b"{}")
    board = collect(tmp_path, rescore=False)
    assert list(board.rejected) == ["bad.zip"] and "absolute path" in board.rejected["bad.zip"][0]
    assert sum(len(r) for r in board.rows.values()) == len(verify(submission_zip, rescore=False).accepted)
    index = build_site(board, tmp_path / "site")
    html = index.read_text()
    assert "bad.zip" in html and 'class="rejected"' in html
    assert (tmp_path / "site" / "cards" / "cranfield.html").is_file()


def test_static_html_without_javascript_is_complete(site: tuple[Path, dict]) -> None:
    index, expected = site
    page = parse(index.read_text(encoding="utf-8"))
    assert set(page.tables) == set(expected)
    for task, results in expected.items():
        rows = page.tables[task]["rows"]
        best_first = sorted(results, key=lambda r: (-r.main_value, r.model.name))
        assert [r[1][0] for r in rows] == [r.model.name for r in best_first]
    assert "<script src" not in index.read_text() and "http" not in index.read_text().split("<body")[0]


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI", "").lower() != "true",
                    reason="headless Chromium not installed (tests/setup.sh installs it; under CI this fails)")
def test_page_renders_in_chromium_and_matches_results(site: tuple[Path, dict], tmp_path: Path) -> None:
    index, expected = site
    page = parse(chromium(index.as_uri(), tmp_path))
    assert page.body_attrs.get("data-ready") == "1", "the page's script did not run"
    assert set(page.tables) == set(expected)
    for task, results in expected.items():
        table = page.tables[task]
        head = table["head"]
        main_col = head.index(results[0].main_metric)
        assert table["attrs"]["data-sort-col"] == results[0].main_metric and table["attrs"]["data-sort-dir"] == "desc"
        best_first = sorted(results, key=lambda r: -r.main_value)
        assert len(table["rows"]) == len(results)
        for rank, (row, result) in enumerate(zip(table["rows"], best_first), 1):
            assert row[0][0] == str(rank)                              # ranks renumbered by the script
            assert row[1][0] == result.model.name
            text, value, cls = row[main_col]
            assert "main" in cls and float(value) == result.main_value and text == f"{result.main_value:.4f}"
            for metric, v in result.metrics[result.main_score["set"]].items():
                assert float(row[head.index(metric)][1]) == v
    # the chart has one bar per result with the same values
    assert sorted((g["data-task"], g["data-model"], float(g["data-value"])) for g in page.svg_rows) == \
        sorted((r.task, r.model.name, r.main_value) for rs in expected.values() for r in rs)
    # the rejected package is listed, the card link resolves on disk
    assert "team-evil.zip" in index.read_text()
    for href in page.links:
        if href.startswith("cards/"):
            assert (index.parent / href).is_file()

    # a linked sort order is applied by the script: by model name, ascending
    task = "cranfield"
    sorted_page = parse(chromium(index.as_uri() + f"#sort={task}:model:asc", tmp_path))
    models = [row[1][0] for row in sorted_page.tables[task]["rows"]]
    assert models == sorted(r.model.name for r in expected[task])
    assert [row[0][0] for row in sorted_page.tables[task]["rows"]] == [str(i + 1) for i in range(len(models))]

    shots = Path(os.environ.get("BENCH_ARTIFACTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "leaderboard.png"
    chromium(index.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,1500")
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI", "").lower() != "true",
                    reason="headless Chromium not installed (tests/setup.sh installs it; under CI this fails)")
def test_card_page_renders(site: tuple[Path, dict], tmp_path: Path) -> None:
    index, _ = site
    card = index.parent / "cards" / "cranfield.html"
    dom = chromium(card.as_uri(), tmp_path)
    assert "<h1>Cranfield 1400</h1>" in dom and "1,400" in dom and "<table>" in dom
    assert json.dumps("oussbenk/cranfield-trec-dataset")[1:-1] in dom


def test_each_mode_gets_its_own_table(shared_data: Path, tmp_path: Path) -> None:
    """MUSER in its default mode (NDCG@30) and in `standard` (nDCG@10) rank by different metrics: two tables."""
    from benchmarks.runner import run_task
    from benchmarks.submission.package import pack
    from benchmarks.tasks.base import RunOptions
    from benchmarks.tasks.registry import TASKS

    if "muser" not in TASKS:
        pytest.skip("muser task not merged")
    run = shared_data / "muser" / "predictions" / "bm25_top100.json"
    for mode in ("paper", "standard"):
        run_task("muser", RunOptions(run_file=run, mode=mode, output=tmp_path / "results", show_progress=False))
    pack(tmp_path / "results", tmp_path / "subs" / "muser.zip")
    board = collect(tmp_path / "subs")
    assert sorted(board.rows) == ["muser", "muser (standard)"]
    assert [r.main_metric for r in board.rows["muser"]] == ["NDCG@30"]
    assert [(r.main_set, r.main_metric) for r in board.rows["muser (standard)"]] == [("standard", "nDCG@10")]
