"""Render the leaderboard site: index.html (tables + chart) and cards/<dataset>.html.

Tables are complete HTML (readable with JS off, best first); the inline script makes every
column sortable by a click, renumbers ranks, and applies `#sort=TASK:COLUMN:asc|desc` from
the URL so a sorted view can be linked. Everything is escaped: model names come from strangers.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from benchmarks.leaderboard.collect import Board, Row
from benchmarks.leaderboard.markdown import to_html
from benchmarks.leaderboard.plot import score_chart
from annotation.floor import atomic_folder

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
table.board{border-collapse:collapse;margin:.5rem 0 2rem;width:100%;font-size:14px}
table.board th,table.board td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
table.board th{cursor:pointer;background:#f4f4f8;user-select:none;white-space:nowrap}
table.board th[aria-sort=ascending]::after{content:" \\25B2"} table.board th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.main{background:#fff4c2;font-weight:600} th.main{background:#ffe88a}
tbody tr:first-child td.main{background:#ffd84d}
.params{color:#555;font-size:12px;font-family:ui-monospace,monospace} td.model,td.date{white-space:nowrap}
svg text{font-size:12px;fill:#222} svg text.task{font-weight:700;font-size:13px}
svg rect.bar{fill:#8fa8d8} svg rect.best{fill:#e0a800}
.wrap{overflow-x:auto} .rejected{color:#a00} .card{max-width:900px} .card table{border-collapse:collapse} .card td,.card th{border:1px solid #ddd;padding:2px 6px}
"""

JS = """
(function(){
  function val(td){var v=td.getAttribute('data-value');if(v===null)v=td.textContent;
    var n=parseFloat(v);return (v!==''&&!isNaN(n)&&isFinite(v))?{n:n}:{s:v.toLowerCase()};}
  function cmp(a,b){if('n' in a&&'n' in b)return a.n-b.n;var x=('s' in a)?a.s:String(a.n),y=('s' in b)?b.s:String(b.n);
    return x<y?-1:x>y?1:0;}
  function sortTable(table,col,dir){
    var tb=table.tBodies[0],rows=Array.prototype.slice.call(tb.rows);
    rows.sort(function(r1,r2){var c=cmp(val(r1.cells[col]),val(r2.cells[col]));return dir==='asc'?c:-c;});
    rows.forEach(function(r,i){tb.appendChild(r);r.cells[0].textContent=String(i+1);});
    var ths=table.tHead.rows[0].cells;
    for(var i=0;i<ths.length;i++)ths[i].removeAttribute('aria-sort');
    ths[col].setAttribute('aria-sort',dir==='asc'?'ascending':'descending');
    table.setAttribute('data-sort-col',ths[col].getAttribute('data-col'));table.setAttribute('data-sort-dir',dir);
  }
  var tables=document.querySelectorAll('table.board');
  tables.forEach(function(table){
    var ths=table.tHead.rows[0].cells;
    for(var i=1;i<ths.length;i++)(function(i){ths[i].addEventListener('click',function(){
      var cur=table.getAttribute('data-sort-col')===ths[i].getAttribute('data-col')?table.getAttribute('data-sort-dir'):null;
      sortTable(table,i,cur==='desc'?'asc':'desc');});})(i);
    var main=table.querySelector('th.main');sortTable(table,main.cellIndex,'desc');
  });
  var m=/^#sort=([^:]+):([^:]+):(asc|desc)$/.exec(decodeURIComponent(location.hash||''));
  if(m){tables.forEach(function(table){if(table.getAttribute('data-task')!==m[1])return;
    var ths=table.tHead.rows[0].cells;for(var i=0;i<ths.length;i++)if(ths[i].getAttribute('data-col')===m[2])sortTable(table,i,m[3]);});}
  document.body.setAttribute('data-ready','1');
})();
"""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _params(params: dict, *, full: bool = False) -> str:
    """Compact `k1=1.2, b=0.75, tokenizer=en` for the cell; full JSON for the tooltip."""
    if full:
        return json.dumps(params, ensure_ascii=False, sort_keys=True)
    parts = []
    for k, v in sorted(params.items()):
        if isinstance(v, dict):
            v = v.get("name", "{...}")
        elif isinstance(v, str) and len(v) > 24:
            v = v[:23] + "..."
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def _fmt(value: float) -> str:
    """Scores with 4 decimals; counts (whole numbers above 1, e.g. `scored`) as integers."""
    return f"{int(value):,}" if float(value).is_integer() and abs(value) > 1 else f"{value:.4f}"


def _table(task: str, rows: list[Row], card_href: str | None) -> str:
    main = rows[0].main_metric
    others = sorted({m for r in rows for m in r.metrics} - {main})
    head = ['<th class="num" data-col="rank">#</th>', '<th data-col="model">model</th>',
            '<th data-col="params">params</th>',
            f'<th class="num main" data-col="{escape(main)}" title="main score">{escape(main)}</th>']
    head += [f'<th class="num" data-col="{escape(m)}">{escape(m)}</th>' for m in others]
    head += ['<th data-col="date">date</th>', '<th data-col="submission">submission</th>']
    body = []
    for i, r in enumerate(rows, 1):
        cells = [f'<td class="num">{i}</td>', f'<td class="model">{escape(r.model)}</td>',
                 f'<td class="params" title="{escape(_params(r.params, full=True))}">{escape(_params(r.params))}</td>',
                 f'<td class="num main" data-value="{r.main_value!r}">{r.main_value:.4f}</td>']
        for m in others:
            v = r.metrics.get(m)
            cells.append(f'<td class="num" data-value="{v!r}">{_fmt(v)}</td>' if v is not None
                         else '<td class="num" data-value="">-</td>')
        cells += [f'<td class="date">{escape(r.date[:10])}</td>',
                  f'<td title="{escape(r.result)}">{escape(r.submission)}</td>']
        body.append(f'<tr data-model="{escape(r.model)}">' + "".join(cells) + "</tr>")
    card = (f' &middot; <a class="card-link" href="{escape(card_href)}">data card: {escape(rows[0].dataset)}</a>'
            if card_href else "")
    return (f'<section id="task-{_slug(task)}"><h2>{escape(task)}</h2>'
            f'<p class="sub">dataset {escape(rows[0].dataset)} &middot; main score <b>{escape(main)}</b>'
            f' ({escape(rows[0].main_set)}){card} &middot; {len(rows)} result(s)</p>'
            f'<div class="wrap"><table class="board" data-task="{escape(task)}"><thead><tr>{"".join(head)}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table></div></section>')


def _page(title: str, body: str, script: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f'<body>{body}{"<script>" + script + "</script>" if script else ""}</body></html>\n')


def build_site(board: Board, out_dir: str | Path, *, cards_dir: Path | None = None,
               title: str = "databench leaderboard") -> Path:
    """Write index.html and the linked cards into `out_dir` (built aside, then renamed in)."""
    from benchmarks.cards import CARDS_DIR

    cards_dir = cards_dir or CARDS_DIR
    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as tmp:
        (tmp / "cards").mkdir()
        sections = []
        for task in sorted(board.rows):
            rows = board.rows[task]
            dataset = rows[0].dataset
            card_md = cards_dir / dataset / "README.md"
            href = None
            if card_md.is_file():
                href = f"cards/{_slug(dataset)}.html"
                (tmp / href).write_text(_page(f"data card: {dataset}", '<p><a href="../index.html">'
                                              '&larr; leaderboard</a></p><div class="card">'
                                              + to_html(card_md.read_text(encoding="utf-8")) + "</div>"),
                                        encoding="utf-8")
            sections.append(_table(task, rows, href))
        rejected = "".join(f'<li><b>{escape(name)}</b>: {escape(" | ".join(reasons[:3]))}</li>'
                           for name, reasons in sorted(board.rejected.items()))
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        n = sum(len(r) for r in board.rows.values())
        body = (f"<h1>{escape(title)}</h1><p class=\"sub\">{n} verified result(s) on {len(board.rows)} task(s); "
                f"built {stamp}. Click a column header to sort.</p>"
                + (f'<h2>Main score per task</h2>{score_chart({t: board.rows[t] for t in sorted(board.rows)})}'
                   if board.rows else "<p>No verified submissions.</p>")
                + "".join(sections)
                + (f'<h2 class="rejected">Rejected packages</h2><ul class="rejected">{rejected}</ul>'
                   if rejected else ""))
        (tmp / "index.html").write_text(_page(title, body, JS), encoding="utf-8")
    return out_dir / "index.html"
