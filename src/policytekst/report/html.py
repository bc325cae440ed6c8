"""HTML building blocks for the report: escaping, tables, figures, the page skeleton and its styling.

Everything captured from documents (titles, passages, terms, warnings) goes through :func:`esc`; the page holds
its CSS, images and its one small script (``static/report.js``: sortable, filterable tables and hover labels on
chart points) inline, so ``index.html`` opens from disk with no server and no network. With scripts off the page
reads the same: rows are all in the HTML, points carry an SVG <title> and every point and row is a plain link.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

CSS = """
:root { --ink:#1d2430; --muted:#5b6575; --line:#d9dee6; --accent:#1f5f8b; --warn:#8a5a00; --bad:#9b1c1c;
        --paper:#ffffff; --soft:#f4f6f9; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.55 "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color:var(--ink);
       background:var(--soft); }
header.top { background:var(--accent); color:#fff; padding:1.4rem 2rem 1rem; }
header.top h1 { margin:0 0 .3rem; font-size:1.6rem; }
header.top p { margin:.15rem 0; opacity:.92; }
nav.toc { background:#fff; border-bottom:1px solid var(--line); padding:.5rem 2rem; position:sticky; top:0; z-index:2;
          display:flex; flex-wrap:wrap; gap:.2rem 1.1rem; }
nav.toc a { color:var(--accent); text-decoration:none; white-space:nowrap; font-size:.92rem; }
table.data td { overflow-wrap:anywhere; }
main { max-width:1100px; margin:0 auto; padding:1rem 1.5rem 3rem; }
section.report-section { background:var(--paper); border:1px solid var(--line); border-radius:6px;
                         padding:1rem 1.5rem 1.2rem; margin:1.2rem 0; scroll-margin-top:4.5rem; }
section h2 { margin:.2rem 0 .2rem; font-size:1.3rem; color:var(--accent); }
section h2 .en { font-weight:normal; color:var(--muted); font-size:.95rem; }
section h3 { font-size:1.05rem; margin:1.1rem 0 .4rem; }
p.lead { color:var(--muted); margin-top:.2rem; }
.notice { border-left:4px solid var(--warn); background:#fff8e6; padding:.6rem .9rem; margin:.6rem 0; }
.notice.failed { border-color:var(--bad); background:#fdecec; }
figure { margin:.8rem 0 1rem; }
figure svg, figure img { max-width:100%; height:auto; display:block; }
figcaption { color:var(--muted); font-size:.88rem; margin-top:.3rem; }
table.data { border-collapse:collapse; font-size:.86rem; margin:.4rem 0 .8rem; width:100%; }
table.data th, table.data td { border-bottom:1px solid var(--line); padding:.25rem .5rem; text-align:left;
                               vertical-align:top; }
table.data th { background:var(--soft); }
table.data td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
details { margin:.3rem 0 .8rem; }
details summary { cursor:pointer; color:var(--accent); font-size:.9rem; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(160px, 1fr)); gap:.6rem; margin:.6rem 0; }
.card { background:var(--soft); border-radius:6px; padding:.6rem .8rem; }
.card .v { font-size:1.4rem; font-weight:bold; }
.card .k { color:var(--muted); font-size:.85rem; }
blockquote.passage { margin:.5rem 0 .9rem; padding:.5rem .9rem; border-left:4px solid var(--accent);
                     background:var(--soft); }
blockquote.passage cite { display:block; margin-top:.35rem; color:var(--muted); font-style:normal; font-size:.86rem; }
mark { background:#ffe58a; padding:0 .1rem; }
.terms span { display:inline-block; background:var(--soft); border:1px solid var(--line); border-radius:3px;
              padding:0 .35rem; margin:.1rem .15rem .1rem 0; font-size:.86rem; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:1rem; }
@media (max-width: 800px) { .grid2 { grid-template-columns:1fr; } }
footer { color:var(--muted); font-size:.85rem; text-align:center; padding:1rem; }
a.csv { font-size:.85rem; }
button.sort { all:unset; cursor:pointer; font-weight:bold; }
button.sort::after { content:" ↕"; color:var(--muted); font-weight:normal; font-size:.8em; }
th[aria-sort=ascending] button.sort::after { content:" ↑"; color:var(--ink); }
th[aria-sort=descending] button.sort::after { content:" ↓"; color:var(--ink); }
input.filter { font:inherit; font-size:.88rem; padding:.2rem .45rem; margin:.3rem .5rem .1rem 0; min-width:18rem;
               border:1px solid var(--line); border-radius:4px; }
.filter-count { color:var(--muted); font-size:.85rem; }
.tip { position:absolute; z-index:5; max-width:26rem; background:#1d2430; color:#fff; font-size:.82rem;
       padding:.3rem .5rem; border-radius:4px; pointer-events:none; }
a.point { cursor:pointer; }
tr.duplicate td { color:var(--muted); }
tr:target, blockquote:target, div.behind:target { outline:3px solid #E69F00; }
.tag { display:inline-block; font-size:.75rem; padding:0 .3rem; border-radius:3px; background:#fff3d6;
       border:1px solid #e6c97a; color:#6b4e00; margin-left:.3rem; white-space:nowrap; }
div.behind { margin:.3rem 0 .8rem; scroll-margin-top:4.5rem; }
div.behind h4 { margin:.6rem 0 .2rem; font-size:.95rem; }
blockquote.passage { scroll-margin-top:4.5rem; }
.scroll { max-height:32rem; overflow:auto; }
"""


@lru_cache(maxsize=1)
def script() -> str:
    """The report's one script, inlined (see the module docstring)."""
    return (Path(__file__).with_name("static") / "report.js").read_text(encoding="utf-8")


def esc(value: object) -> str:
    """HTML-escape any value (None becomes an empty string)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


# Integer columns that are labels, not quantities: no thousands grouping (2006, not 2 006).
UNGROUPED = frozenset({"year", "period", "topic", "k", "seq", "page_start", "page_end", "split_year"})


def _cell(value: object, group: bool = True) -> tuple[str, bool]:
    """(escaped text, is_numeric) for a table cell; floats are shown with sensible precision."""
    if isinstance(value, bool):
        return esc(value), False
    if isinstance(value, int):
        return (f"{value:,}".replace(",", "\u202f") if group else str(value)), True
    if isinstance(value, float):
        if math.isnan(value):
            return "", True
        if not group and value.is_integer():  # a label column read as float because a value is missing
            return str(int(value)), True
        if value != 0 and abs(value) < 0.001:
            return f"{value:.1e}", True
        return (f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}").replace(",", "\u202f"), True
    if pd.isna(value) if not isinstance(value, (list, tuple, dict)) else False:
        return "", False
    if isinstance(value, (list, tuple)):
        return esc(", ".join(str(v) for v in value)), False
    return esc(value), False


def table_html(frame: pd.DataFrame, *, max_rows: int = 30, columns: Sequence[str] | None = None,
               labels: dict[str, str] | None = None, links: Mapping[str, Sequence[str | None]] | None = None,
               row_ids: Sequence[str | None] | None = None, row_classes: Sequence[str] | None = None,
               tags: Mapping[str, Callable[[object], str]] | None = None, scroll: bool = False) -> str:
    """A DataFrame as an escaped HTML table (first ``max_rows`` rows; a note says how many were left out).

    ``links`` maps a column to one URL per row (the passages behind the row); ``row_ids`` gives rows an id (an
    anchor others link to); ``row_classes`` a CSS class (e.g. "duplicate"); ``tags`` maps a column to a function
    giving a short badge after the cell's value ("få dok."). ``scroll`` keeps a long table in a scroll box.
    """
    if columns is not None:
        frame = frame.loc[:, [c for c in columns if c in frame.columns]]
    labels = labels or {}
    head = "".join(f"<th>{esc(labels.get(c, c))}</th>" for c in frame.columns)
    rows = []
    names = [str(c) for c in frame.columns]
    grouped = [name not in UNGROUPED for name in names]
    links = links or {}
    tags = tags or {}
    for position, record in enumerate(frame.head(max_rows).itertuples(index=False)):
        cells = []
        for name, value, group in zip(names, record, grouped, strict=True):
            if hasattr(value, "item") and not isinstance(value, (str, bytes)):
                value = value.item()  # numpy scalar -> python
            text, numeric = _cell(value, group)
            url = links[name][position] if name in links and position < len(links[name]) else None
            if url:
                text = f'<a href="{esc(url)}">{text or "↗"}</a>'
            if name in tags:
                text += tags[name](value)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        ident = row_ids[position] if row_ids is not None and position < len(row_ids) else None
        klass = row_classes[position] if row_classes is not None and position < len(row_classes) else ""
        attributes = (f' id="{esc(ident)}"' if ident else "") + (f' class="{esc(klass)}"' if klass else "")
        rows.append(f"<tr{attributes}>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="lead">Viser {max_rows} av {len(frame):,} rader (alle i CSV-fila).</p>'.replace(",", "\u202f")
    table = f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    if scroll:
        table = f'<div class="scroll">{table}</div>'
    return f"<div>{table}</div>{more}"


def csv_link(csv_name: str | None) -> str:
    if not csv_name:
        return ""
    return f'<a class="csv" href="tables/{esc(csv_name)}">Tabell som CSV · table as CSV ({esc(csv_name)})</a>'


def figure_html(image: str, caption: str, *, csv_name: str | None = None, table: str = "",
                figure_id: str = "") -> str:
    """A figure: inline SVG (or an <img> tag), a caption, the link to its CSV and a fold-out table."""
    ident = f' id="{esc(figure_id)}"' if figure_id else ""
    fold = f"<details><summary>Vis tabellen · show the table</summary>{table}</details>" if table else ""
    return (f'<figure class="plot"{ident}>{image}<figcaption>{esc(caption)} {csv_link(csv_name)}</figcaption>'
            f"</figure>{fold}")


def tag(text: str, title: str = "") -> str:
    """A small badge after a value ("duplikat", "få dok.") with an explaining tooltip."""
    hint = f' title="{esc(title)}"' if title else ""
    return f'<span class="tag"{hint}>{esc(text)}</span>'


def notice(text: str, *, failed: bool = False) -> str:
    return f'<div class="notice{" failed" if failed else ""}">{esc(text)}</div>'


def cards(items: Iterable[tuple[str, object]]) -> str:
    inner = "".join(f'<div class="card"><div class="v">{_cell(v)[0]}</div><div class="k">{esc(k)}</div></div>'
                    for k, v in items)
    return f'<div class="cards">{inner}</div>'


def highlight(text: str, terms: Iterable[str]) -> str:
    """Escape ``text`` and wrap whole-word, case-insensitive occurrences of ``terms`` in <mark>."""
    import re

    escaped = esc(text)
    words = sorted({esc(t) for t in terms if t and len(t) > 1}, key=len, reverse=True)
    if not words:
        return escaped
    # Match word starts so inflected forms (reform -> reformen) are marked as well.
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    return pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


def passage_html(text: str, citation: str, *, terms: Iterable[str] = (), extra: str = "",
                 max_words: int = 120) -> str:
    """A passage as a blockquote with its citation (text shortened to ``max_words`` words)."""
    words = str(text).split()
    short = " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")
    tail = f" · {esc(extra)}" if extra else ""
    return f'<blockquote class="passage">{highlight(short, terms)}<cite>{esc(citation)}{tail}</cite></blockquote>'


def section_html(key: str, title_nb: str, title_en: str, body: str, *, status: str) -> str:
    return (f'<section class="report-section" id="{esc(key)}" data-status="{esc(status)}">'
            f'<h2>{esc(title_nb)} <span class="en">· {esc(title_en)}</span></h2>{body}</section>')


def page_html(title: str, subtitle_lines: Sequence[str], toc: Sequence[tuple[str, str]], body: str,
              footer: str) -> str:
    """The whole document: head with inline CSS, header, table of contents, sections, footer."""
    nav = "".join(f'<a href="#{esc(key)}">{esc(label)}</a>' for key, label in toc)
    subtitle = "".join(f"<p>{esc(line)}</p>" for line in subtitle_lines)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="policytekst report">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><h1>{esc(title)}</h1>{subtitle}</header>\n'
        f'<nav class="toc">{nav}</nav>\n<main>\n{body}\n</main>\n'
        f"<footer>{esc(footer)}</footer>\n<script>{script()}</script>\n</body>\n</html>\n"
    )
