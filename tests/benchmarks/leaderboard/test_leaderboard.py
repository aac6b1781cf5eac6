"""The leaderboard page rendered by real headless Chromium from file://, checked against the results.

The page is built from real packages: the session's unnamed submission (Cranfield bm25 + bm25-rank,
MUSER from the release's BM25 run, WebCPM-action from the released outputs), a named Cranfield
bm25+bm25-rank fusion, and xquad-en's rule reader submitted twice under one name by two teams with
different seeds, plus a tampered copy that must show up as rejected. The DOM is read after the page's
own JavaScript ran (sorting, rank numbering), once in default order and once with a `#sort=` link, and
checked for one scale per column (stated in its header), no local path in any cell, readable labels,
and same-name rows that say what differs. The screenshot goes to $BENCH_ARTIFACTS/leaderboard.png
(default: test-artifacts/, gitignored).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests.benchmarks.datasets_fixtures import REPO, bench, bench_env

from core import sha256_file
from benchmarks.leaderboard import Row, build_site, collect
from benchmarks.leaderboard.collect import _board_key
from benchmarks.leaderboard.scales import scale_for
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
        self._th: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body_attrs = a
        elif tag == "a":
            self.links.append(a.get("href", ""))
        elif tag == "g" and "row" in a.get("class", ""):
            self.svg_rows.append(a)
        elif tag == "table" and "board" in a.get("class", "") and "data-task" in a:
            self._table = {"attrs": a, "head": [], "head_text": [], "head_scale": [], "rows": []}
            self.tables[a["data-task"]] = self._table
        elif self._table is not None and tag == "th":
            self._table["head"].append(a.get("data-col"))
            self._table["head_scale"].append(a.get("data-scale"))
            self._table["head_text"].append("")
            self._th = self._table
        elif self._table is not None and tag == "tr" and "data-model" in a:
            self._table["rows"].append([])
        elif self._table is not None and tag == "td":
            self._cell = ["", a.get("data-value"), a.get("class", "")]

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0] += data
        elif self._th is not None:
            self._th["head_text"][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._th = None
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


def _bench_all(*commands: list[str]) -> None:
    """Run several `bench` commands at once (the two rule-reader runs take ~15 s each) and check them all."""
    procs = [subprocess.Popen([sys.executable, "-m", "bench", *args], cwd=REPO, env=bench_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for args in commands]
    for args, proc in zip(commands, procs):
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"bench {' '.join(args)} failed:\n{out[-3000:]}"


@pytest.fixture(scope="module")
def site(submission_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list]]:
    """Submissions folder = the real packages + a tampered copy; returns (index.html, expected rows per table)."""
    subs = tmp_path_factory.mktemp("submissions")
    work = tmp_path_factory.mktemp("named-runs")
    shutil.copy(submission_zip, subs / "team-a.zip")
    with zipfile.ZipFile(submission_zip) as src, zipfile.ZipFile(subs / "team-evil.zip", "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("../escape.txt", b"x")
    named = {   # package -> (bench run args, bench submit names): a fusion, and one name by two teams
        "team-b-fusion": (["cranfield", "-r", "bm25+bm25-rank"],
                          ["--model-name", "BM25 + BM25 RRF", "--org", "team-b", "--model-url", "https://example.org/rrf"]),
        "team-c-xquad": (["xquad-en", "-m", "rule", "-p", "seed=0"], ["--model-name", "rule-reader", "--org", "team-c"]),
        "team-d-xquad": (["xquad-en", "-m", "rule", "-p", "seed=1"], ["--model-name", "rule-reader", "--org", "team-d"]),
    }
    _bench_all(*[["run", *run, "-o", str(work / name), "-q"] for name, (run, _) in named.items()])
    _bench_all(*[["submit", str(work / name), "--out", str(subs / f"{name}.zip"), *names]
                 for name, (_, names) in named.items()])
    expected: dict[str, list] = {}
    for zpath in sorted(subs.glob("team-[a-d]*.zip")):
        for acc in verify(zpath, rescore=False).accepted:     # the build below re-scores every one
            expected.setdefault(_board_key(acc.result), []).append(Row.from_result(acc.result, zpath.name, "", zpath))
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
        best_first = sorted(results, key=lambda r: (-r.main_value, r.model))
        assert [r[1][1] for r in rows] == [r.model for r in best_first]
    assert "<script src" not in index.read_text() and "http" not in index.read_text().split("<body")[0]


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI", "").lower() != "true",
                    reason="headless Chromium not installed (tests/setup.sh installs it; under CI this fails)")
def test_page_renders_in_chromium_and_matches_results(site: tuple[Path, dict], tmp_path: Path) -> None:
    index, expected = site
    page = parse(chromium(index.as_uri(), tmp_path))
    assert page.body_attrs.get("data-ready") == "1", "the page's script did not run"
    assert set(page.tables) == set(expected)
    for task, rows in expected.items():
        table = page.tables[task]
        head = table["head"]
        main = rows[0].main_metric
        main_col = head.index(main)
        assert table["attrs"]["data-sort-col"] == main and table["attrs"]["data-sort-dir"] == "desc"
        best_first = sorted(rows, key=lambda r: (-r.main_value, r.model))
        assert len(table["rows"]) == len(rows)
        for rank, (cells, row) in enumerate(zip(table["rows"], best_first), 1):
            assert cells[0][0] == str(rank)                            # ranks renumbered by the script
            assert cells[1][1] == row.model                            # the submitter's name, else a readable id
            text, value, cls = cells[main_col]
            scale = scale_for(row.dataset, main, _kind(row.task))
            assert "main" in cls and float(value) == row.main_value and text == scale.fmt(row.main_value)
            for metric, v in row.metrics.items():
                assert float(cells[head.index(metric)][1]) == v
    # the chart has one bar per result with the same values, each in its task's scale
    assert sorted((g["data-task"], g["data-model"], float(g["data-value"])) for g in page.svg_rows) == \
        sorted((task, r.model, r.main_value) for task, rs in expected.items() for r in rs)
    for g in page.svg_rows:                                            # the chart never mixes scales
        row0 = expected[g["data-task"]][0]
        assert g["data-scale"] == scale_for(row0.dataset, row0.main_metric, _kind(row0.task)).name
    # the rejected package is listed, the card and task links resolve on disk
    assert "team-evil.zip" in index.read_text()
    for href in page.links:
        if href.startswith(("cards/", "tasks/", "results/")):
            assert (index.parent / href).is_file(), href

    # a linked sort order is applied by the script: by model name, ascending
    task = "cranfield"
    sorted_page = parse(chromium(index.as_uri() + f"#sort={task}:model:asc", tmp_path))
    models = [cells[1][1] for cells in sorted_page.tables[task]["rows"]]
    assert models == sorted((r.model for r in expected[task]), key=str.lower)
    assert [cells[0][0] for cells in sorted_page.tables[task]["rows"]] == [str(i + 1) for i in range(len(models))]

    _check_readable(page, expected)
    shots = Path(os.environ.get("BENCH_ARTIFACTS") or REPO / "test-artifacts")
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "leaderboard.png"
    chromium(index.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,2300")
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def _kind(task: str) -> str:
    from benchmarks.tasks.registry import get_task

    return get_task(task).kind


_PATH = re.compile(r"(/|\\|\.\./|^~|[A-Za-z]:\\)")
_RAW_REPR = re.compile(r"(\{'|\{\"|\[\{|'\s*:|\bNone\b|\bTrue\b|\bFalse\b)")
_SCALE_IN_HEADER = re.compile(r"\(([^()]+)\)\s*[\u25b2\u25bc]?\s*$")


def _check_readable(page: BoardParser, expected: dict[str, list]) -> None:
    """One scale per score column (stated in its header), no local path and no raw dict in any cell,
    and rows of one name that say what sets them apart."""
    for task, table in page.tables.items():
        row0 = expected[task][0]
        for col, (metric, label, scale_name) in enumerate(zip(table["head"], table["head_text"], table["head_scale"])):
            if scale_name is None:
                continue
            scale = scale_for(row0.dataset, metric, _kind(row0.task))
            stated = _SCALE_IN_HEADER.search(label)
            assert stated and stated.group(1) == scale.label and scale.name == scale_name, (task, label)
            cells = [cells[col] for cells in table["rows"] if cells[col][1]]
            decimals = {len(text.split(".")[1]) if "." in text else 0 for text, _, _ in cells}
            assert len(decimals) == 1, (task, metric, decimals)              # one precision per column
            for text, value, _ in cells:
                assert text == scale.fmt(float(value)), (task, metric, text, value)
                if scale.high is not None:                                   # inside the stated range
                    assert 0.0 <= float(text.replace(",", "")) <= scale.high, (task, metric, text)
        by_name: dict[str, list[str]] = {}
        for cells in table["rows"]:
            for text, _, cls in cells:
                visible = re.sub(r"https?://\S+", "", text)                  # a URL the submitter gave is fine
                assert not _PATH.search(visible), f"{task}: a path in cell {cls!r}: {text!r}"
                assert not _RAW_REPR.search(text), f"{task}: a raw repr in cell {cls!r}: {text!r}"
                assert len(text) < 220, f"{task}: cell {cls!r} is a dump: {text!r}"
            by_name.setdefault(cells[1][1], []).append(cells[1][0] + " | " + cells[2][0])
        for name, shown in by_name.items():
            assert len(set(shown)) == len(shown), f"{task}: rows named {name!r} look identical: {shown}"
    assert any(len(rows) > 1 and len({r.model for r in rows}) < len(rows) for rows in expected.values()), \
        "the board should hold two results of one name (xquad-en rule-reader by two teams)"


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI", "").lower() != "true",
                    reason="headless Chromium not installed (tests/setup.sh installs it; under CI this fails)")
def test_result_and_task_pages(site: tuple[Path, dict], tmp_path: Path) -> None:
    """Each row's record page has the JSON, the run sha256 and the run itself; a task page has the card's
    figures, the per-query distribution and the significance table; no page shows a local path."""
    index, expected = site
    root = index.parent
    for key, rows in expected.items():
        for i, row in enumerate(sorted(rows, key=lambda r: (-r.main_value, r.model)), 1):
            html = (root / "results" / f"{re.sub(r'[^A-Za-z0-9_-]+', '-', key).strip('-')}-{i}.html").read_text()
            assert row.record.run_sha256 in html and row.model in html.replace("&amp;", "&")
            run_href = re.search(r'href="\.\./(runs/[^"]+)" download', html).group(1)
            assert sha256_file(root / run_href) == row.record.run_sha256
    for html_file in root.rglob("*.html"):
        text = html_file.read_text()
        for local in (str(REPO), str(Path.home()), "/tmp/", "../shared"):
            assert local not in text, f"{html_file.name}: local path {local!r}"
    dom = chromium((root / "tasks" / "xquad-en.html").as_uri(), tmp_path)
    assert "questions" in dom and "1,190" in dom                          # the card's key figures
    assert dom.count('class="dist"') == 2 and "Significance against the row above" in dom
    assert re.search(r"<td>-?\d+\.\d</td><td>\d\.\d{4}</td><td>\d\.\d{4}</td><td>(yes|no)</td>", dom)


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
