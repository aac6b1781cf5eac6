"""The static leaderboard: `bench leaderboard build SUBMISSIONS_DIR --out site/`.

- `collect`: verified submission zips -> rows grouped by (task, mode).
- `scales`: the one printing convention per metric family (0-1 or x100, decimals), stated in headers.
- `labels`: readable model labels and parameter summaries; what tells same-name rows apart.
- `versus`: paired significance of each row against the row above (benchmarks.significance).
- `page`: index.html (a table per task, sortable, main score highlighted, charts); `pages`: the task,
  result (full record + run download) and card pages; `layout`: the shared CSS and HTML shell.
- `plot`: inline SVG charts (main score per task on its own scale; per-query box + strip plots).
- `markdown`: the small Markdown -> HTML renderer for the data cards, and their key figures.
No CDN, no server: the site opens from file:// (the test renders it in headless Chromium).
"""
from __future__ import annotations

from benchmarks.leaderboard.collect import Row, collect
from benchmarks.leaderboard.page import build_site

__all__ = ["Row", "collect", "build_site"]
