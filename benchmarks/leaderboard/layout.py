"""The shared frame of every leaderboard page: CSS, the HTML shell, slugs and small escaped helpers."""
from __future__ import annotations

import re
from html import escape

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1240px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
table.board{border-collapse:collapse;margin:.5rem 0 2rem;width:100%;font-size:14px}
table.board th,table.board td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
table.board th{cursor:pointer;background:#f4f4f8;user-select:none;white-space:nowrap}
table.board th[aria-sort=ascending]::after{content:" \\25B2"} table.board th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.main{background:#fff4c2;font-weight:600} th.main{background:#ffe88a}
tbody tr:first-child td.main{background:#ffd84d}
td.params{color:#444;font-size:12px;max-width:330px} td.params .mlabel{font-family:ui-monospace,monospace;color:#222;background:#eef;padding:0 3px;border-radius:3px}
td.params a.record{font-size:11px;margin-left:4px} td.date{white-space:nowrap;font-size:12px;color:#555}
td.model{min-width:150px} td.model .name{font-weight:600} td.model .org,td.model .differs{font-size:11px;color:#666} td.model .differs{color:#8a4b00}
td.sig{font-size:12px;white-space:nowrap;color:#777} td.sig.yes{color:#0a6a2a;font-weight:600}
td.sub{font-size:12px;color:#555} td.main .ci{font-weight:400;font-size:11px;color:#666;white-space:nowrap}
svg text{font-size:12px;fill:#222} svg text.task{font-weight:700;font-size:13px} svg text.axis{font-size:10px;fill:#888}
svg rect.bar{fill:#8fa8d8} svg rect.best{fill:#e0a800} svg line.grid{stroke:#e4e4ea} svg line.frame{stroke:#999}
svg circle.dot{fill:#4a6fb5;opacity:.25} svg rect.box{fill:#ffe88a;fill-opacity:.55;stroke:#8a6d00}
svg line.median{stroke:#8a2b00;stroke-width:2} svg line.whisker{stroke:#555} svg path.mean{fill:#c0392b}
.note{font-size:12px;color:#666} dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 12px} dl.kv dt{color:#666}
table.scores{width:auto;min-width:320px} pre.json{background:#f6f6f8;padding:8px;overflow-x:auto;font-size:12px;max-height:600px}
.figs{display:flex;flex-wrap:wrap;gap:1.5rem} .figs table{border-collapse:collapse;font-size:13px} .figs td{border-bottom:1px solid #eee;padding:2px 6px}
.wrap{overflow-x:auto} .rejected{color:#a00} .card{max-width:900px} .card table{border-collapse:collapse} .card td,.card th{border:1px solid #ddd;padding:2px 6px}
"""


def slug(text: str) -> str:
    """A file-name-safe id: `muser (standard)` -> `muser-standard`."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def page(title: str, body: str, script: str = "") -> str:
    """A complete page: inline CSS (and script), nothing loaded from elsewhere (works from file://)."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f'<body>{body}{"<script>" + script + "</script>" if script else ""}</body></html>\n')


def safe_url(url: str | None) -> str | None:
    """Only http(s) links from submitters become hrefs (no javascript:, no file paths)."""
    return url if url and re.match(r"^https?://", url, re.I) else None
