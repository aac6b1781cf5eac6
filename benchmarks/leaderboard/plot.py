"""An inline SVG bar chart of the main score of every (task, model): no JS library, no CDN."""
from __future__ import annotations

from html import escape

from benchmarks.leaderboard.collect import Row

WIDTH, LABEL_W, BAR_H, GAP, TITLE_H = 760, 220, 16, 4, 24


def score_chart(rows_by_task: dict[str, list[Row]]) -> str:
    """One group of horizontal bars per task (best first); the best bar of each task is highlighted."""
    values = [r.main_value for rows in rows_by_task.values() for r in rows]
    top = max([1.0, *values]) if values else 1.0
    plot_w = WIDTH - LABEL_W - 70
    parts: list[str] = []
    y = 8
    for task, rows in rows_by_task.items():
        metric = rows[0].main_metric if rows else ""
        parts.append(f'<text class="task" x="0" y="{y + 14}">{escape(task)} ({escape(metric)})</text>')
        y += TITLE_H
        for i, row in enumerate(rows):
            w = max(1.0, plot_w * max(row.main_value, 0.0) / top)
            cls = "bar best" if i == 0 else "bar"
            parts.append(
                f'<g class="row" data-task="{escape(task)}" data-model="{escape(row.model)}" '
                f'data-value="{row.main_value!r}">'
                f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 4}" text-anchor="end">{escape(row.model)}</text>'
                f'<rect class="{cls}" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}"/>'
                f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 4}">{row.main_value:.4f}</text></g>')
            y += BAR_H + GAP
        y += GAP * 2
    height = y + 4
    return (f'<svg id="score-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="main score per task and model">'
            + "".join(parts) + "</svg>")
