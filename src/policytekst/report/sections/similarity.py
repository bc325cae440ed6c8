"""Document similarity map and the most similar pairs: presented from :mod:`policytekst.compare.similarity`.

Documents are TF-IDF vectors of their content lemmas (the space of ``policytekst similar``); the map is
:func:`~policytekst.compare.similarity.document_map` and the pairs are
:func:`~policytekst.compare.similarity.pairs_of` that map (what ``most_similar_pairs`` gives), so a pair here is
``policytekst similar DOC``'s first answer.
"""

from __future__ import annotations

import pandas as pd

from policytekst import plots
from policytekst.compare import similarity
from policytekst.compare.similarity import document_map, pairs_of
from policytekst.report import html as h
from policytekst.report import links
from policytekst.report.base import ReportContext, Section

KEY = "similarity"
N_PAIRS = 10
MAX_LINKED_POINTS = 1500  # bigger maps are rasterised: points cannot carry links, the table does


def _titled(table: pd.DataFrame, docs: pd.DataFrame, column: str, title_column: str) -> pd.Series:
    """Titles for the document ids in ``table[column]``; documents without a title (rows of a CSV of texts) are
    named by their id."""
    titles = docs["title"].reindex(table[column]).to_numpy() if "title" in docs else [None] * len(table)
    named = pd.Series(titles, index=table.index, name=title_column, dtype=object)
    return named.where(named.notna() & (named.astype(str) != ""), table[column])


def build(ctx: ReportContext) -> Section:
    section = Section(KEY, "Dokumentlikhet", "Document similarity map")
    points = document_map(ctx.corpus, seed=ctx.params.seed, max_documents=similarity.MAX_MAP_DOCUMENTS)
    method, n_terms = points.attrs["method"], points.attrs["n_terms"]
    sampled, n_docs = points.attrs["sampled"], points.attrs["documents"]
    pairs = pairs_of(points, n=N_PAIRS)  # the map holds each document's nearest neighbour already
    docs = ctx.documents().set_index("doc_id")
    for column in ("year", "genre"):
        points[column] = docs[column].reindex(points["doc_id"]).to_numpy() if column in docs else None
    points["title"] = _titled(points, docs, "doc_id", "title")
    points["nearest_title"] = _titled(points, docs, "nearest_doc_id", "nearest_title")
    points["year"] = pd.to_numeric(points["year"], errors="coerce").astype("Int64")
    points = points[["doc_id", "x", "y", "title", "year", "genre", "nearest_doc_id", "nearest_title",
                     "similarity"]]
    section.tables["map"] = points
    color = "year" if points["year"].notna().any() else "genre"
    first = (ctx.passages().sort_values(["doc_id", "seq"]).drop_duplicates("doc_id").set_index("doc_id")
             ["passage_id"])
    linkable = len(points) <= MAX_LINKED_POINTS
    urls = [(links.web_url(ctx.params.link_base, d) if ctx.params.link_base else
             links.passage_url(ctx, first[d], KEY) if d in first.index else None)
            for d in points["doc_id"]] if linkable else None
    hover = [f"{title} ({'' if pd.isna(year) else year}{', ' + str(genre) if isinstance(genre, str) else ''}); "
             f"mest lik: {nearest}" for title, year, genre, nearest in
             zip(points["title"], points["year"], points["genre"], points["nearest_title"], strict=True)]
    svg = plots.scatter_map(points.assign(year=points["year"].astype(float)), color_by=color, label_by="title",
                            links=[u or "" for u in urls] if urls else None, hover=hover,
                            max_links=MAX_LINKED_POINTS)
    space = f"TF-IDF ({n_terms:,} ord)"
    parts = [f'<p class="lead">Hvert punkt er et dokument; dokumenter som bruker de samme ordene ligger nær '
             f"hverandre. Rom: {h.esc(space)}; kart: {h.esc(method)}; farge: {h.esc(color)}. "
             "Aksene har ingen egen betydning – det er avstandene som teller.</p>".replace(",", "\u202f")]
    if sampled:  # a big corpus is mapped on a sample (the nearest-neighbour step grows as n^2)
        parts.append(f"<p>Kartet og parene bygger på et tilfeldig utvalg av {len(points):,} av {n_docs:,} dokumenter "
                     f"(frø {ctx.params.seed}); nærmeste nabo er den nærmeste i utvalget.</p>".replace(",", "\u202f"))
    caption = "Dokumentkart (likhet i ordforråd)."
    if linkable:
        caption += " Pek på et punkt for tittelen; klikk for dokumentets første avsnitt."
    parts.append(h.figure_html(svg, caption, csv_name=ctx.csv_name(KEY, "map"),
                               table=h.table_html(points, max_rows=60,
                                                  links={"title": urls[:60]} if urls else None),
                               figure_id="fig-similarity"))
    section.figures += 1
    pairs["title"] = _titled(pairs, docs, "doc_id", "title")
    pairs["nearest_title"] = _titled(pairs, docs, "nearest_doc_id", "nearest_title")
    section.tables["pairs"] = pairs
    parts.append("<h3>Mest like dokumentpar · most similar pairs</h3>")
    parts.append(h.table_html(pairs, columns=["title", "nearest_title", "similarity"],
                              labels={"nearest_title": "mest lik"}) + h.csv_link(ctx.csv_name(KEY, "pairs")))
    section.html = "".join(parts)
    return section
