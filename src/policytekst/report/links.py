"""Links from the report's points and rows to the passages behind them.

A section asks for a URL with :func:`passages_url` (a group of passages: a theme in a year, a key term) or
:func:`passage_url` (one passage). Without a web app the URL is an anchor in the report's last-but-one section,
"Avsnittene bak tallene", which :func:`build` writes from what the sections asked for: each group with its
passages and their citations. With ``ReportParams.link_base`` (the address of ``policytekst serve`` on the same
corpus) the URL is the web app's document page, scrolled to the passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pandas as pd

from policytekst.citation import citations
from policytekst.report import html as h
from policytekst.report.base import ReportContext, Section

KEY = "behind"
TITLE_NB, TITLE_EN = "Avsnittene bak tallene", "Passages behind the figures"
MAX_WORDS = 70


@dataclass
class Group:
    key: str
    title: str
    note: str
    passage_ids: list[str]
    section: str


@dataclass
class Registry:
    """What the sections linked to, in the order they asked (kept in the report context)."""

    groups: dict[str, Group] = field(default_factory=dict)
    singles: dict[str, str] = field(default_factory=dict)  # passage id -> section that linked to it


def _registry(ctx: ReportContext) -> Registry:
    return ctx.cache.setdefault("links", Registry())


def anchor_key(*parts: object) -> str:
    """An id-safe key from parts (theme, year, term): letters, digits, - and _ only, lower case."""
    text = "-".join(str(p) for p in parts).lower()
    return re.sub(r"[^0-9a-zæøå_-]+", "_", text).strip("_") or "x"


def _fragment(text: str) -> str:
    return quote(text, safe=":-_.~")


def passage_anchor(passage_id: str) -> str:
    return f"p-{passage_id}"


def web_url(base: str, doc_id: str, passage_id: str | None = None) -> str:
    return f"{base.rstrip('/')}/doc/{quote(str(doc_id), safe='')}" + (
        f"#{_fragment(passage_id)}" if passage_id else "")


def passage_url(ctx: ReportContext, passage_id: str, section: str) -> str:
    """URL of one passage (registered for the appendix when there is no web app)."""
    base = ctx.params.link_base
    if base:
        return web_url(base, _doc_of(ctx, passage_id), passage_id)
    _registry(ctx).singles.setdefault(passage_id, section)
    return "#" + _fragment(passage_anchor(passage_id))


def passages_url(ctx: ReportContext, key: str, title: str, passage_ids: list[str], section: str,
                 note: str = "") -> str | None:
    """URL of a group of passages (None when there are none); with a web app, the first passage's page."""
    ids = [p for p in dict.fromkeys(passage_ids) if p]
    if not ids:
        return None
    if ctx.params.link_base:
        return web_url(ctx.params.link_base, _doc_of(ctx, ids[0]), ids[0])
    groups = _registry(ctx).groups
    key = anchor_key(section, key)
    groups.setdefault(key, Group(key, title, note, ids, section))
    return "#" + _fragment("b-" + key)


def _doc_of(ctx: ReportContext, passage_id: str) -> str:
    frame = ctx.passages()
    if "by_id" not in ctx.cache:
        ctx.cache["by_id"] = frame.set_index("passage_id")
    return str(ctx.cache["by_id"].at[passage_id, "doc_id"])


def has_links(ctx: ReportContext) -> bool:
    registry = _registry(ctx)
    return bool(registry.groups or registry.singles)


def build(ctx: ReportContext, titles: dict[str, str]) -> Section:
    """The appendix: every group and single passage a section linked to, by section, with citations."""
    section = Section(KEY, TITLE_NB, TITLE_EN)
    registry = _registry(ctx)
    wanted = [p for g in registry.groups.values() for p in g.passage_ids] + list(registry.singles)
    by_id = ctx.cache.get("by_id")
    if by_id is None:
        by_id = ctx.cache["by_id"] = ctx.passages().set_index("passage_id")
    wanted = [p for p in dict.fromkeys(wanted) if p in by_id.index]
    cited = citations(ctx.corpus, wanted)
    shown: set[str] = set()

    def quote_of(pid: str) -> str:
        ident = "" if pid in shown else f' id="{h.esc(passage_anchor(pid))}"'
        shown.add(pid)
        block = h.passage_html(by_id.at[pid, "text"], cited.get(pid, pid), max_words=MAX_WORDS)
        return block.replace('<blockquote class="passage">', f'<blockquote class="passage"{ident}>', 1)

    parts = ['<p class="lead">Punktene i figurene og radene i tabellene lenker hit: til avsnittene bak tallet, '
             "med kildehenvisning. (Points and rows link here, to the passages behind them.)</p>"]
    order = list(dict.fromkeys([g.section for g in registry.groups.values()] + list(registry.singles.values())))
    for source in order:
        groups = [g for g in registry.groups.values() if g.section == source]
        singles = [p for p, s in registry.singles.items() if s == source and p in by_id.index]
        parts.append(f"<h3>{h.esc(titles.get(source, source))}</h3>")
        inner = []
        for group in groups:
            ids = [p for p in group.passage_ids if p in by_id.index]
            note = f'<p class="lead">{h.esc(group.note)}</p>' if group.note else ""
            inner.append(f'<div class="behind" id="b-{h.esc(group.key)}"><h4>{h.esc(group.title)}</h4>{note}'
                         + "".join(quote_of(p) for p in ids) + "</div>")
        inner.extend(quote_of(p) for p in singles)
        count = len(groups) + len(singles)
        # open: an anchor inside a closed <details> is found by Chromium, but not by every browser
        parts.append(f"<details open><summary>{count} lenkemål · link targets</summary>{''.join(inner)}</details>")
    rows = [{"anchor": f"b-{g.key}", "section": g.section, "title": g.title, "passage_id": p,
             "citation": cited.get(p, "")} for g in registry.groups.values() for p in g.passage_ids if p in cited]
    rows += [{"anchor": passage_anchor(p), "section": s, "title": "", "passage_id": p, "citation": cited.get(p, "")}
             for p, s in registry.singles.items() if p in cited]
    section.tables["links"] = pd.DataFrame(rows, columns=["anchor", "section", "title", "passage_id", "citation"])
    section.html = "".join(parts)
    section.status = "ok" if wanted else "empty"
    return section
