"""Render the leaderboard site: index.html (tables + charts), tasks/, results/, runs/ and cards/.

Tables are complete HTML (readable with JS off, best first); the inline script makes every
column sortable by a click, renumbers ranks, and applies `#sort=TASK:COLUMN:asc|desc` from
the URL so a sorted view can be linked. Every score column prints in its metric's one scale,
stated in the header (benchmarks.leaderboard.scales); the params cell is a readable summary
whose full record is one click away (results/<id>.html, with the run to download); "vs above"
is the paired test of `bench compare` against the next better row. Everything is escaped:
model names come from strangers.
"""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from pathlib import Path

from core import atomic_folder
from benchmarks.leaderboard.collect import Board, Row
from benchmarks.leaderboard.labels import differences, model_label, summary
from benchmarks.leaderboard.layout import page, safe_url, slug
from benchmarks.leaderboard.plot import distribution, score_chart
from benchmarks.leaderboard.scales import Scale, header, scale_for
from benchmarks.leaderboard.versus import ALPHA, Versus, versus_above

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



def task_kind(task: str) -> str | None:
    from benchmarks.tasks.base import TaskError
    from benchmarks.tasks.registry import get_task

    try:
        return get_task(task).kind
    except TaskError:
        return None


def metric_scale(row: Row, metric: str) -> Scale:
    return scale_for(row.dataset, metric, task_kind(row.task))


def row_ids(key: str, rows: list[Row]) -> list[str]:
    """Stable page ids of a table's rows: `cranfield-1`, `muser-standard-1`, ..."""
    return [f"{slug(key)}-{i}" for i, _ in enumerate(rows, 1)]


def _model_cell(row: Row, differs: str) -> str:
    url = safe_url(row.model_url)
    name = (f'<a class="name" href="{escape(url)}">{escape(row.model)}</a>' if url
            else f'<span class="name">{escape(row.model)}</span>')
    org = f'<div class="org">{escape(row.org)}</div>' if row.org else ""
    diff = f'<div class="differs" title="what sets it apart from the same name">{escape(differs)}</div>' if differs else ""
    return f'<td class="model" data-value="{escape(row.model)}">{name}{org}{diff}</td>'


def _params_cell(row: Row, rid: str) -> str:
    text = summary(row.params)
    return (f'<td class="params" data-value="{escape(row.model_id)} {escape(text)}"><span class="mlabel">'
            f'{escape(model_label(row.model_id))}</span> {escape(text)}'
            f'<a class="record" href="results/{rid}.html" title="full record, run sha256, run download">record</a></td>')


def sig_cell(vs: Versus | None) -> str:
    if vs is None:
        return '<td class="sig" data-value="">-</td>'
    title = (f"paired tests on per-query {vs.metric} against {vs.above}: t-test p={vs.p_ttest:.4f}, "
             f"randomization p={vs.p_randomization:.4f} ({vs.n_queries} queries); * = both below {ALPHA}")
    return (f'<td class="sig{" yes" if vs.significant else ""}" data-value="{vs.p!r}" title="{escape(title)}">'
            f'{escape(vs.text())}</td>')


def main_ci(row: Row) -> tuple[float, float] | None:
    """The row's interval of its main score (`MAIN_ci_low`/`MAIN_ci_high` in its metric set), if it has one."""
    lo, hi = (row.metrics.get(f"{row.main_metric}_ci_{end}") for end in ("low", "high"))
    return (float(lo), float(hi)) if lo is not None and hi is not None else None


def ci_ranks(rows: list[Row]) -> list[int | None]:
    """Arena-Hard's rank with intervals: 1 + the rows whose interval lies wholly above this row's, so rows whose
    intervals overlap share a rank and no order is claimed between them (None: the row has no interval)."""
    cis = [main_ci(r) for r in rows]
    return [None if ci is None else 1 + sum(1 for other in cis if other is not None and other[0] > ci[1])
            for ci in cis]


def _table(key: str, rows: list[Row], vs: list[Versus | None], ids: list[str], links: str,
           differs: list[str]) -> str:
    main = rows[0].main_metric
    main_scale = metric_scale(rows[0], main)
    others = sorted({m for r in rows for m in r.metrics} - {main})
    ranks = ci_ranks(rows)
    with_ci = any(r is not None for r in ranks)
    head = ['<th class="num" data-col="rank">#</th>', '<th data-col="model">model</th>',
            '<th data-col="params">params</th>',
            f'<th class="num main" data-col="{escape(main)}" data-scale="{main_scale.name}" title="main score">'
            f'{escape(header(main, main_scale))}</th>',
            '<th data-col="vs-above" title="paired t-test + randomization test against the row above '
            '(in main-score order), as bench compare">vs above</th>']
    if with_ci:
        head.insert(4, '<th class="num" data-col="ci-rank" title="1 + the rows whose 95% interval of the main score '
                       'lies wholly above this one: rows whose intervals overlap share a rank">rank (CI)</th>')
    for m in others:
        sc = metric_scale(rows[0], m)
        head.append(f'<th class="num" data-col="{escape(m)}" data-scale="{sc.name}">{escape(header(m, sc))}</th>')
    head += ['<th data-col="date">date</th>', '<th data-col="submission">submission</th>']
    body = []
    for i, (r, v, rid, diff) in enumerate(zip(rows, vs, ids, differs), 1):
        ci = main_ci(r)
        ci_text = (f' <span class="ci" title="95% bootstrap interval">[{main_scale.fmt(ci[0])}, '
                   f'{main_scale.fmt(ci[1])}]</span>' if ci else "")
        cells = [f'<td class="num">{i}</td>', _model_cell(r, diff), _params_cell(r, rid),
                 f'<td class="num main" data-value="{r.main_value!r}">{main_scale.fmt(r.main_value)}{ci_text}</td>',
                 sig_cell(v)]
        if with_ci:
            rank = ranks[i - 1]
            cells.insert(4, f'<td class="num ci-rank" data-value="{rank if rank is not None else ""}">'
                            f'{rank if rank is not None else "-"}</td>')
        for m in others:
            val = r.metrics.get(m)
            cells.append(f'<td class="num" data-value="{val!r}">{metric_scale(r, m).fmt(val)}</td>'
                         if val is not None else '<td class="num" data-value="">-</td>')
        cells += [f'<td class="date" data-value="{escape(r.date)}">{escape(r.date[:10])}</td>',
                  f'<td class="sub">{escape(r.submission)}</td>']
        body.append(f'<tr data-model="{escape(r.model)}" data-id="{rid}">' + "".join(cells) + "</tr>")
    return (f'<section id="task-{slug(key)}"><h2>{escape(key)}</h2>'
            f'<p class="sub">dataset {escape(rows[0].dataset)} &middot; main score <b>{escape(main)}</b>'
            f' ({escape(rows[0].main_set)}, {escape(main_scale.label)}){links} &middot; {len(rows)} result(s)</p>'
            f'<div class="wrap"><table class="board" data-task="{escape(key)}"><thead><tr>{"".join(head)}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table></div></section>')


def _differs(rows: list[Row]) -> list[str]:
    """What tells apart rows that share a display name (params, then submitter, date)."""
    out = [""] * len(rows)
    for name in {r.model for r in rows}:
        idx = [i for i, r in enumerate(rows) if r.model == name]
        labels = differences([{"model_id": rows[i].model_id, "params": rows[i].params, "org": rows[i].org, "date": rows[i].date[:10],
                               "submission": rows[i].submission} for i in idx])
        for i, label in zip(idx, labels):
            out[i] = label
    return out


def build_site(board: Board, out_dir: str | Path, *, cards_dir: Path | None = None,
               title: str = "databench leaderboard") -> Path:
    """Write index.html, a page per task and per result, the runs and the linked cards into `out_dir`
    (built aside, then renamed in)."""
    from benchmarks.cards import CARDS_DIR
    from benchmarks.leaderboard.pages import write_card, write_result, write_task

    cards_dir = cards_dir or CARDS_DIR
    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as tmp:
        for sub in ("cards", "tasks", "results", "runs"):
            (tmp / sub).mkdir()
        sections, scales = [], {}
        for key in sorted(board.rows):
            rows = board.rows[key]
            ids = row_ids(key, rows)
            vs = versus_above(rows)
            scales[key] = metric_scale(rows[0], rows[0].main_metric)
            card_href = write_card(tmp, rows[0].dataset, cards_dir)
            for row, rid in zip(rows, ids):
                write_result(tmp, row, rid, metric_scale)
            differs = _differs(rows)
            names = [f"{r.model} \u00b7 {d}" if d else r.model for r, d in zip(rows, differs)]
            plot = distribution(key, rows, scales[key], labels=names)
            task_href = write_task(tmp, key, rows, ids, vs, scales[key], card_href, cards_dir, names, plot)
            links = (f' &middot; <a class="task-link" href="{task_href}">task page: distributions, significance, '
                     f'dataset figures</a>')
            if card_href:
                links += f' &middot; <a class="card-link" href="{escape(card_href)}">data card: {escape(rows[0].dataset)}</a>'
            sections.append(_table(key, rows, vs, ids, links, differs)
                            + (f'<p class="note">per-query {escape(rows[0].per_query_metric or "")} '
                               f'({escape(scales[key].label)}): box = quartiles, line = median, diamond = mean, '
                               f'dots = queries</p>{plot}' if plot else ""))
        rejected = "".join(f'<li><b>{escape(name)}</b>: {escape(" | ".join(reasons[:3]))}</li>'
                           for name, reasons in sorted(board.rejected.items()))
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        n = sum(len(r) for r in board.rows.values())
        body = (f"<h1>{escape(title)}</h1><p class=\"sub\">{n} verified result(s) on {len(board.rows)} task(s); "
                f"built {stamp}. Every run was re-scored by our metric code before it was listed. Click a column "
                f"header to sort; each score column states its scale in the header.</p>"
                + (f'<h2>Main score per task</h2><p class="note">each task on its own axis, in the scale its table '
                   f'prints</p>{score_chart({t: board.rows[t] for t in sorted(board.rows)}, scales)}'
                   if board.rows else "<p>No verified submissions.</p>")
                + "".join(sections)
                + (f'<h2 class="rejected">Rejected packages</h2><ul class="rejected">{rejected}</ul>'
                   if rejected else ""))
        (tmp / "index.html").write_text(page(title, body, JS), encoding="utf-8")
    return out_dir / "index.html"
