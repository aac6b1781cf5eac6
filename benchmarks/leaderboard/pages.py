"""The pages one click away from the board: a data card, a task, a result (with its run to download).

- cards/<dataset>.html: the card rendered from data_cards/<dataset>/README.md.
- tasks/<key>.html: what the task is, the dataset card's key figures (its generated statistics),
  the per-query score distribution of every model and the paired tests against the row above.
- results/<id>.html: the full record (the verified result JSON, paths already scrubbed at submit time),
  the run's sha256 and the run itself under runs/ to download and re-check.
"""
from __future__ import annotations

import json
import zipfile
from html import escape
from pathlib import Path, PurePosixPath
from typing import Callable

from benchmarks.leaderboard.collect import Row
from benchmarks.leaderboard.labels import model_label, summary
from benchmarks.leaderboard.layout import page, safe_url, slug
from benchmarks.leaderboard.markdown import card_figures, to_html
from benchmarks.leaderboard.scales import Scale, header
from benchmarks.leaderboard.versus import ALPHA, Versus

BACK = '<p><a href="../index.html">&larr; leaderboard</a></p>'


def write_card(root: Path, dataset: str, cards_dir: Path) -> str | None:
    """cards/<dataset>.html from the dataset's card, or None when there is no card."""
    card_md = cards_dir / dataset / "README.md"
    if not card_md.is_file():
        return None
    href = f"cards/{slug(dataset)}.html"
    if not (root / href).is_file():
        (root / href).write_text(page(f"data card: {dataset}", BACK + '<div class="card">'
                                      + to_html(card_md.read_text(encoding="utf-8")) + "</div>"), encoding="utf-8")
    return href


def _publish_run(root: Path, row: Row, rid: str) -> str | None:
    """Copy the verified run out of its package into runs/; the href, or None when it cannot be read."""
    run_member = row.record.run_file if row.record else None
    if not run_member or row.zip_path is None:
        return None
    try:
        with zipfile.ZipFile(row.zip_path) as zf:
            blob = zf.read(run_member)
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    href = f"runs/{rid}{PurePosixPath(run_member).suffix or '.txt'}"
    (root / href).write_bytes(blob)
    return href


def write_result(root: Path, row: Row, rid: str, scale_of: Callable[[Row, str], Scale]) -> str:
    """results/<rid>.html: who, what, every metric in its scale, run sha256 + download, the full JSON."""
    run_href = _publish_run(root, row, rid)
    rec = row.record
    url = safe_url(row.model_url)
    facts = [("model", escape(row.model)), ("model id", f"<code>{escape(row.model_id)}</code>"),
             ("parameters", escape(summary(row.params)) or "-"),
             ("submitted by", escape(row.org or "-")),
             ("model URL", f'<a href="{escape(url)}">{escape(url)}</a>' if url else "-"),
             ("task", escape(row.task) + (f" (mode {escape(rec.mode)})" if rec and rec.mode else "")),
             ("dataset sha256", f"<code>{escape(rec.dataset_sha if rec else '')}</code>"),
             ("date", escape(row.date)), ("package", escape(row.submission)),
             ("run sha256", f"<code>{escape((rec.run_sha256 if rec else None) or '-')}</code>"),
             ("run", f'<a class="run" href="../{run_href}" download>download the run</a>' if run_href else "-")]
    metrics = "".join(f"<tr><td>{escape(header(m, scale_of(row, m)))}</td>"
                      f'<td class="num">{scale_of(row, m).fmt(v)}</td></tr>' for m, v in row.metrics.items())
    record = json.dumps(rec.to_dict() if rec else {}, ensure_ascii=False, indent=2, sort_keys=True)
    body = (BACK + f"<h1>{escape(row.model)}</h1><p class=\"sub\">{escape(model_label(row.model_id))} on "
            f"{escape(row.task)}</p><dl class=\"kv\">"
            + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
            f'<h2>Scores ({escape(row.main_set)})</h2><table class="board scores"><tbody>{metrics}</tbody></table>'
            f'<h2>Full record</h2><pre class="json">{escape(record)}</pre>')
    href = f"results/{rid}.html"
    (root / href).write_text(page(f"{row.model} on {row.task}", body), encoding="utf-8")
    return href


def _figures(dataset: str, cards_dir: Path) -> str:
    card_md = cards_dir / dataset / "README.md"
    if not card_md.is_file():
        return "<p>No data card.</p>"
    groups = card_figures(card_md.read_text(encoding="utf-8"))
    return '<div class="figs">' + "".join(
        f"<div><h3>{escape(title)}</h3><table><tbody>"
        + "".join(f"<tr><td>{escape(k)}</td><td class=\"num\">{escape(v if len(v) < 24 else v[:12] + '...')}</td></tr>"
                  for k, v in rows) + "</tbody></table></div>" for title, rows in groups) + "</div>"


def write_task(root: Path, key: str, rows: list[Row], ids: list[str], vs: list[Versus | None], scale: Scale,
               card_href: str | None, cards_dir: Path, names: list[str], plot: str) -> str:
    """tasks/<key>.html: description, the card's key figures, distributions and significance
    (`names`: each row's name, with what sets it apart from a row of the same name; `plot`: the
    per-query distribution SVG the board already drew for this task)."""
    from benchmarks.tasks.base import TaskError
    from benchmarks.tasks.registry import get_task

    try:
        description = get_task(rows[0].task).description
    except TaskError:
        description = ""
    metric = rows[0].per_query_metric or rows[0].main_metric
    sig_rows = []
    for i, (row, v, rid, name) in enumerate(zip(rows, vs, ids, names), 1):
        cells = [str(i), f'<a href="../results/{rid}.html">{escape(name)}</a>', scale.fmt(row.main_value)]
        if v is None:
            cells += ["-", "-", "-", "-"]
        else:
            cells += [f"{scale.fmt(v.delta) if scale.name != 'count' else v.delta}", f"{v.p_ttest:.4f}",
                      f"{v.p_randomization:.4f}", "yes" if v.significant else "no"]
        sig_rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    card = f' &middot; <a href="../{escape(card_href)}">full data card</a>' if card_href else ""
    body = (BACK + f"<h1>{escape(key)}</h1><p class=\"sub\">{escape(description)}</p>"
            f"<h2>Dataset: {escape(rows[0].dataset)}</h2><p class=\"note\">key figures from the data card's generated "
            f"statistics{card}</p>{_figures(rows[0].dataset, cards_dir)}"
            f"<h2>Per-query {escape(metric)} ({escape(scale.label)})</h2>"
            f'<p class="note">box = quartiles, line = median, whiskers = 1.5 IQR, diamond = mean, dots = queries</p>'
            + plot
            + f"<h2>Significance against the row above</h2><p class=\"note\">paired over per-query {escape(metric)} "
            f"(benchmarks.significance, as <code>bench compare</code>): t-test and 10,000 seeded sign flips; "
            f"significant = both p &lt; {ALPHA}</p>"
            f'<table class="board"><thead><tr><th>#</th><th>model</th><th>{escape(header(rows[0].main_metric, scale))}</th>'
            f"<th>delta vs above</th><th>p (t-test)</th><th>p (randomization)</th><th>significant</th></tr></thead>"
            f"<tbody>{''.join(sig_rows)}</tbody></table>")
    href = f"tasks/{slug(key)}.html"
    (root / href).write_text(page(f"task {key}", body), encoding="utf-8")
    return href
