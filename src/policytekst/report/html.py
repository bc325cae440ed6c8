"""HTML building blocks for the report: escaping, tables, figures, the page skeleton and its styling.

Everything captured from documents (titles, passages, terms, warnings) goes through :func:`esc`; the page holds
its CSS and images inline, so ``index.html`` opens from disk with no server and no network.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

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
"""


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
               labels: dict[str, str] | None = None) -> str:
    """A DataFrame as an escaped HTML table (first ``max_rows`` rows; a note says how many were left out)."""
    if columns is not None:
        frame = frame.loc[:, [c for c in columns if c in frame.columns]]
    labels = labels or {}
    head = "".join(f"<th>{esc(labels.get(c, c))}</th>" for c in frame.columns)
    rows = []
    grouped = [str(c) not in UNGROUPED for c in frame.columns]
    for record in frame.head(max_rows).itertuples(index=False):
        cells = []
        for value, group in zip(record, grouped, strict=True):
            if hasattr(value, "item") and not isinstance(value, (str, bytes)):
                value = value.item()  # numpy scalar -> python
            text, numeric = _cell(value, group)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="lead">Viser {max_rows} av {len(frame):,} rader (alle i CSV-fila).</p>'.replace(",", "\u202f")
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


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
        f"<footer>{esc(footer)}</footer>\n</body>\n</html>\n"
    )
