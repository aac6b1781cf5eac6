"""A small Markdown -> HTML renderer for data cards (headings, tables, lists, paragraphs, inline code,
bold, links). Enough for our own cards; it escapes everything first, so no raw HTML passes through."""
from __future__ import annotations

import html
import re

from benchmarks.cards import split_front_matter

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+|[^)\s:]+)\)")
_URL = re.compile(r"(?<![\"'>=])(https?://[^\s<|)]+)")


def inline(text: str) -> str:
    out = html.escape(text, quote=False)
    parts = re.split(r"(`[^`]*`)", out)           # no formatting inside code spans
    for i, part in enumerate(parts):
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            parts[i] = f"<code>{part[1:-1]}</code>"
            continue
        part = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", part)
        part = _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', part)
        parts[i] = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', part)
    return "".join(parts)


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def to_html(markdown: str) -> str:
    yaml_text, body = split_front_matter(markdown)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    lines = body.splitlines()
    out: list[str] = []
    if yaml_text:
        out.append(f'<details><summary>card metadata (YAML)</summary><pre>{html.escape(yaml_text)}</pre></details>')
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            i += 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            body_rows = [r for r in rows if not all(re.fullmatch(r":?-{3,}:?", c) for c in r)]
            head, rest = (body_rows[0], body_rows[1:]) if body_rows else ([], [])
            cells = "".join(f"<th>{inline(c)}</th>" for c in head) if any(head) else ""
            table = [f"<table>{'<thead><tr>' + cells + '</tr></thead>' if cells else ''}<tbody>"]
            table += ["<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in rest]
            out.append("".join(table) + "</tbody></table>")
        elif re.match(r"^\s*[-*]\s+", line):
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                if re.match(r"^\s*[-*]\s+", lines[i]):
                    items.append(re.sub(r"^\s*[-*]\s+", "", lines[i]))
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            out.append("<ul>" + "".join(f"<li>{inline(it)}</li>" for it in items) + "</ul>")
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"^(#|\||\s*[-*]\s)", lines[i]):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{inline(' '.join(para))}</p>")
    return "\n".join(out)


def card_figures(markdown: str, *, groups: int = 3, rows: int = 8) -> list[tuple[str, list[tuple[str, str]]]]:
    """The key figures of a card: the first `groups` tables of its generated statistics block
    (`**Title**` + a two-column table, see benchmarks.cards.render_stats), `rows` rows each."""
    block = re.search(r"<!-- stats:begin.*?-->(.*?)<!-- stats:end -->", markdown, re.S)
    out: list[tuple[str, list[tuple[str, str]]]] = []
    title = ""
    for line in (block.group(1) if block else "").splitlines():
        head = re.fullmatch(r"\*\*(.+)\*\*", line.strip())
        if head:
            title = head.group(1)
            out.append((title, []))
        elif line.lstrip().startswith("|") and out:
            cells = _cells(line)
            if len(cells) == 2 and any(cells) and not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                if len(out[-1][1]) < rows:
                    out[-1][1].append((cells[0], cells[1]))
    return [(t, r) for t, r in out if r][:groups]
