"""Inline SVG plots drawn by our own code (no JS library, no CDN), each in one scale only.

- `score_chart`: the main score of every (task, model); each task group has its own axis in the
  scale its table prints (0-1 or x100, benchmarks.leaderboard.scales), labelled at both ends, so a
  0.43 is never drawn next to a 19.23 on one axis.
- `distribution`: per-query scores of each row of one table: a box (quartiles, median, whiskers at
  1.5 IQR), the mean as a diamond, and every query as a faint jittered dot (a strip plot). It draws the
  main metric's per-query values (`Row.per_query_metric`), so its means are the table's main scores.
"""
from __future__ import annotations

from html import escape

from core import sha256_text
from benchmarks.leaderboard.collect import Row
from benchmarks.leaderboard.scales import Scale

WIDTH, LABEL_W, BAR_H, GAP, TITLE_H = 760, 220, 16, 4, 24


def _axis_top(scale: Scale, values: list[float]) -> float:
    if scale.high is not None:
        return scale.high
    top = max([abs(v) for v in values], default=0.0)
    return top * 1.05 if top > 0 else 1.0        # all zeros: a 0-1 axis, not one that ends at 1e-9


def score_chart(rows_by_task: dict[str, list[Row]], scales: dict[str, Scale]) -> str:
    """One group of horizontal bars per task (best first), on that task's own scale; best bar highlighted."""
    plot_w = WIDTH - LABEL_W - 70
    parts: list[str] = []
    y = 8
    for task, rows in rows_by_task.items():
        if not rows:
            continue
        scale = scales[task]
        shown = [scale.show(r.main_value) for r in rows]
        top = _axis_top(scale, shown)
        parts.append(f'<text class="task" x="0" y="{y + 14}">{escape(task)}: {escape(rows[0].main_metric)} '
                     f'({escape(scale.label)})</text>')
        parts.append(f'<text class="axis" x="{LABEL_W}" y="{y + 14}">0</text>'
                     f'<text class="axis" x="{LABEL_W + plot_w}" y="{y + 14}" text-anchor="end">'
                     f'{scale.fmt(top / scale.factor) if scale.high is None else f"{top:g}"}</text>')
        y += TITLE_H
        top_y = y
        for i, (row, v) in enumerate(zip(rows, shown)):
            w = max(1.0, plot_w * max(v, 0.0) / top)
            cls = "bar best" if i == 0 else "bar"
            parts.append(
                f'<g class="row" data-task="{escape(task)}" data-model="{escape(row.model)}" '
                f'data-value="{row.main_value!r}" data-scale="{scale.name}">'
                f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 4}" text-anchor="end">{escape(_short(row.model))}</text>'
                f'<rect class="{cls}" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}"/>'
                f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 4}">{scale.fmt(row.main_value)}</text></g>')
            y += BAR_H + GAP
        parts.append(f'<line class="frame" x1="{LABEL_W}" y1="{top_y - 2}" x2="{LABEL_W}" y2="{y - GAP + 2}"/>'
                     f'<line class="grid" x1="{LABEL_W + plot_w}" y1="{top_y - 2}" x2="{LABEL_W + plot_w}" '
                     f'y2="{y - GAP + 2}"/>')
        y += GAP * 2
    height = y + 4
    return (f'<svg id="score-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="main score per task and model, one scale per task">'
            + "".join(parts) + "</svg>")


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), without numpy."""
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _jitter(key: str) -> float:
    """A stable offset in [-1, 1] per query id: the same page every build."""
    return int(sha256_text(key)[:8], 16) / 0x7FFFFFFF - 1.0


def distribution(task: str, rows: list[Row], scale: Scale, *, labels: list[str] | None = None, width: int = WIDTH,
                 row_h: int = 30) -> str:
    """Box + strip plot of each row's per-query scores (the main metric when stored per query);
    `labels` names the rows (default: their model names)."""
    metric = next((r.per_query_metric for r in rows if r.per_query_metric), None)
    if metric is None:
        return ""
    plot_w = width - LABEL_W - 20
    data = [(r, r.per_query(metric)) for r in rows]
    values = [scale.show(v) for _, pq in data for v in pq.values()]
    top = _axis_top(scale, values)
    def x(v: float) -> float:
        return LABEL_W + plot_w * max(0.0, min(scale.show(v), top)) / top

    parts = []
    y = 22
    for frac in (0, 0.25, 0.5, 0.75, 1.0):
        gx = LABEL_W + plot_w * frac
        parts.append(f'<line class="grid" x1="{gx:.1f}" y1="16" x2="{gx:.1f}" y2="{16 + row_h * len(rows) + 4}"/>'
                     f'<text class="axis" x="{gx:.1f}" y="12" text-anchor="middle">{top * frac:g}</text>')
    for (row, pq), name in zip(data, labels or [r.model for r in rows]):
        vals = sorted(pq.values())
        mid = y + row_h / 2 - 4
        label = escape(_short(name, 34))
        if not vals:
            parts.append(f'<text x="{LABEL_W - 6}" y="{mid + 4}" text-anchor="end">{label} (no per-query scores)</text>')
            y += row_h
            continue
        q1, med, q3 = (_quantile(vals, q) for q in (0.25, 0.5, 0.75))
        iqr = q3 - q1
        lo = min(v for v in vals if v >= q1 - 1.5 * iqr)
        hi = max(v for v in vals if v <= q3 + 1.5 * iqr)
        mean = sum(vals) / len(vals)
        dots = "".join(f'<circle class="dot" cx="{x(v):.1f}" cy="{mid + 7 * _jitter(q):.1f}" r="1.6"/>'
                       for q, v in pq.items())
        box = (f'<line class="whisker" x1="{x(lo):.1f}" y1="{mid}" x2="{x(hi):.1f}" y2="{mid}"/>'
               f'<rect class="box" x="{x(q1):.1f}" y="{mid - 8}" width="{max(1.5, x(q3) - x(q1)):.1f}" height="16"/>'
               f'<line class="median" x1="{x(med):.1f}" y1="{mid - 8}" x2="{x(med):.1f}" y2="{mid + 8}"/>')
        if len(set(vals)) <= 2:          # right/wrong per query: a box says nothing, the mean (share) does
            box = ""
        parts.append(
            f'<g class="dist" data-model="{escape(row.model)}" data-n="{len(vals)}" data-median="{med!r}">'
            f'<text x="{LABEL_W - 6}" y="{mid + 4}" text-anchor="end">{label}</text>{dots}{box}'
            f'<path class="mean" d="M{x(mean):.1f},{mid - 5} l4,5 l-4,5 l-4,-5 z"/></g>')
        y += row_h
    height = y + 8
    return (f'<svg class="distribution" data-task="{escape(task)}" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="per-query {escape(metric)} ({escape(scale.label)}) per model">' + "".join(parts) + "</svg>")
