"""The static leaderboard: `bench leaderboard build SUBMISSIONS_DIR --out site/`.

- `collect`: verified submission zips -> rows grouped by task.
- `page`: one HTML page (a table per task, sortable, main score highlighted, links to cards).
- `plot`: the inline SVG chart of the main score per task and model.
- `markdown`: the small Markdown -> HTML renderer for the data cards linked from the page.
No CDN, no server: the site opens from file:// (the test renders it in headless Chromium).
"""
from __future__ import annotations

from benchmarks.leaderboard.collect import Row, collect
from benchmarks.leaderboard.page import build_site

__all__ = ["Row", "collect", "build_site"]
