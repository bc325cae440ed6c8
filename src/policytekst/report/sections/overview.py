"""Corpus overview: size, documents by year, genre, language and format, and what ingest warned about."""

from __future__ import annotations

import pandas as pd

from policytekst import plots
from policytekst.report import html as h
from policytekst.report import links
from policytekst.report.base import ReportContext, Section

KEY = "overview"
MAX_DOCUMENT_ROWS = 500  # rows of the document table in the page (sortable, filterable); the CSV has them all


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}".replace(",", "\u202f")


def _counts(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    values = frame[column] if column in frame else pd.Series(dtype=object)
    counts = values.fillna("ukjent").astype(str).value_counts().rename_axis(column).reset_index(name="documents")
    return counts


def _warning_kind(message: str) -> str:
    """Group warnings by their wording without the specifics (numbers, quoted names) so a big corpus reads well."""
    import re

    kind = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    kind = re.sub(r"\d+", "N", kind)
    return kind[:120]


def warning_kinds(warnings: pd.DataFrame) -> pd.DataFrame:
    """Warnings grouped by their wording without the specifics, each kind shown by a real example ("12 of 40
    pages have no text"), not by its template ("N of N pages")."""
    kinds = warnings.assign(kind=warnings["warning"].map(_warning_kind))
    grouped = kinds.groupby("kind", sort=False).agg(example=("warning", "first"), count=("warning", "size"),
                                                    documents=("doc_id", "nunique"))
    grouped = grouped.sort_values("count", ascending=False, kind="stable").reset_index()
    return grouped.rename(columns={"kind": "warning"})[["warning", "example", "count", "documents"]]


def _documents_html(ctx: ReportContext, listing: pd.DataFrame, passages: pd.DataFrame) -> str:
    """The document table: sortable and filterable (the report's script), duplicates marked, each title a link
    to the document's first analysis passage (or its page in the web app)."""
    shown = listing.head(MAX_DOCUMENT_ROWS)
    first = passages.sort_values(["doc_id", "seq"]).drop_duplicates("doc_id").set_index("doc_id")["passage_id"]
    urls = []
    for doc_id in shown["doc_id"]:
        if ctx.params.link_base:
            urls.append(links.web_url(ctx.params.link_base, doc_id))
        elif doc_id in first.index:
            urls.append(links.passage_url(ctx, first[doc_id], KEY))
        else:
            urls.append(None)  # a duplicate or a document without analysis passages: nothing to show
    duplicate = shown["duplicate_of"].notna() & (shown["duplicate_of"].astype(str) != "")
    n_duplicates = int((listing["duplicate_of"].notna() & (listing["duplicate_of"].astype(str) != "")).sum())
    note = ""
    if n_duplicates:
        note = (f'<p class="lead">{_plural(n_duplicates, "dokument", "dokumenter")} gjentar et annet dokument og '
                "telles ikke med i analysene; de er merket <span class=\"tag\">duplikat</span> og kolonnen "
                "duplicate_of sier hvilket dokument de gjentar.</p>")
    table = h.table_html(
        shown, max_rows=MAX_DOCUMENT_ROWS, links={"title": urls},
        row_ids=[f"doc-{d}" for d in shown["doc_id"]],
        row_classes=["duplicate" if d else "" for d in duplicate],
        tags={"doc_id": lambda v, dup=dict(zip(shown["doc_id"], duplicate, strict=True)):
              h.tag("duplikat", "gjentar et annet dokument") if dup.get(v) else ""},
        scroll=len(shown) > 30)
    more = ""
    if len(listing) > MAX_DOCUMENT_ROWS:
        more = (f'<p class="lead">Tabellen viser de første {MAX_DOCUMENT_ROWS} av {len(listing):,} dokumentene; '
                "alle står i CSV-fila.</p>").replace(",", "\u202f")
    intro = '<p class="lead">Klikk på en kolonne for å sortere; tittelen lenker til dokumentets første avsnitt.</p>'
    return intro + note + table + more


def warnings_table(ctx: ReportContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-document warnings, failures of the last ingest run)."""
    rows = [{"doc_id": doc_id, "path": path, "warning": warning}
            for doc_id, path, found in ctx.corpus.store.document_warnings() for warning in found]
    warnings = pd.DataFrame(rows, columns=["doc_id", "path", "warning"])
    run = ctx.corpus.status().get("last_run") or {}
    failures = pd.DataFrame(run.get("failures") or [], columns=["path", "error", "at"])
    return warnings, failures


def build(ctx: ReportContext) -> Section:
    section = Section(KEY, "Korpusoversikt", "Corpus overview")
    docs = ctx.documents()
    passages = ctx.passages()
    status = ctx.corpus.status()
    if docs.empty:
        section.status = "empty"
        section.html = h.notice("Korpuset er tomt: ingen dokumenter er lest inn. (The corpus holds no documents.)")
        return section
    years = pd.to_numeric(docs["year"], errors="coerce")
    span = f"{int(years.min())}–{int(years.max())}" if years.notna().any() else "ukjent"
    parts = [h.cards([
        ("dokumenter · documents", int(status["documents"])),
        ("tekstavsnitt · passages", int(status["passages"])),
        ("ord · words", int(status["words"])),
        ("analyseavsnitt · analysed passages", len(passages)),
        ("årsspenn · years", span),
        ("uten år · no year", int(years.isna().sum())),
        ("duplikater · duplicates", int((docs["duplicate_of"].notna() & (docs["duplicate_of"].astype(str) != ""))
                                        .sum()) if "duplicate_of" in docs else 0),
    ])]
    parts.append('<p class="lead">Hva korpuset består av: dokumenter per år, sjanger, språk og format. '
                 "Analyseavsnitt er brødtekst, lister, sammendrag og vedlegg; fotnoter, referanser og "
                 "innholdsfortegnelser telles ikke med i analysene.</p>")

    by_year = (years.dropna().astype(int).value_counts().sort_index().rename_axis("year")
               .reset_index(name="documents"))
    if not by_year.empty:
        # Show empty years too: a gap in the record is information.
        full = pd.DataFrame({"year": range(int(by_year["year"].min()), int(by_year["year"].max()) + 1)})
        by_year = full.merge(by_year, how="left").fillna({"documents": 0}).astype({"documents": int})
        words = passages.dropna(subset=["year"]).groupby("year")["n_words"].sum()
        by_year["words"] = by_year["year"].map(words).fillna(0).astype(int)
        by_year["words_per_document"] = (by_year["words"] / by_year["documents"].where(by_year["documents"] > 0)
                                         ).round(1)
        # the same threshold as the trends' sparse flag: a reader sees here which years' intervals to distrust
        by_year["sparse"] = by_year["documents"] < ctx.params.min_docs
        section.tables["by_year"] = by_year
        # hatched: years with some but few documents (a year with none is a gap: no bar to hatch)
        thin = by_year["sparse"] & (by_year["documents"] > 0)
        n_sparse, n_empty = int(thin.sum()), int((by_year["documents"] == 0).sum())
        marked = f"få dokumenter (< {ctx.params.min_docs})"
        svg = plots.year_counts(by_year.assign(thin=thin), [("documents", "dokumenter"), ("words", "ord")],
                                marked="thin", marked_label=marked)
        parts.append("<h3>Dokumenter og ord per år · documents and words by year</h3>")
        caption = ("Antall dokumenter (øverst) og ord (nederst) per år; år uten dokumenter vises som null. "
                   "Ordtallet viser hvor mye tekst et år faktisk bidrar med: 60 korte spørsmål veier mindre enn "
                   "22 lange rapporter.")
        if n_sparse:
            caption += (f" Skraverte søyler: {_plural(n_sparse, 'år', 'år')} med færre enn {ctx.params.min_docs} "
                        "dokumenter, der trendenes intervaller blir brede.")
        if n_empty:
            caption += f" {_plural(n_empty, 'år', 'år')} uten dokumenter."
        parts.append(h.figure_html(svg, caption, csv_name=ctx.csv_name(KEY, "by_year"),
                                   table=h.table_html(by_year, max_rows=200), figure_id="fig-overview-years"))
        section.figures += 1

    grid = []
    for column, label in (("genre", "Sjanger · genre"), ("language", "Språk · language"),
                          ("format", "Format · format")):
        counts = _counts(docs, column)
        section.tables[f"by_{column}"] = counts
        svg = plots.bar_chart(counts[column].head(15), counts["documents"].head(15), horizontal=True,
                              ylabel="dokumenter")
        grid.append(f"<div><h3>{h.esc(label)}</h3>" + h.figure_html(
            svg, f"Dokumenter etter {column}.", csv_name=ctx.csv_name(KEY, f"by_{column}"),
            table=h.table_html(counts), figure_id=f"fig-overview-{column}") + "</div>")
        section.figures += 1
    parts.append('<div class="grid2">' + "".join(grid) + "</div>")

    listing = docs.reindex(columns=["doc_id", "title", "authors", "year", "genre", "language", "format",
                                    "n_pages", "n_passages", "duplicate_of"]
                           ).sort_values(["year", "doc_id"], na_position="last").reset_index(drop=True)
    # whole years, also when some documents have none (a float column would print 2004.0 in the CSV)
    listing["year"] = pd.to_numeric(listing["year"], errors="coerce").astype("Int64")
    section.tables["documents"] = listing
    parts.append("<h3>Dokumentene · the documents</h3>")
    parts.append(_documents_html(ctx, listing, passages) + h.csv_link(ctx.csv_name(KEY, "documents")))

    warnings, failures = warnings_table(ctx)
    section.tables["warnings"] = warnings
    section.tables["failures"] = failures
    parts.append("<h3>Advarsler og feil ved innlesing · ingest warnings and failures</h3>")
    if failures.empty and warnings.empty:
        parts.append("<p>Ingen advarsler og ingen feil ved siste innlesing.</p>")
    if not failures.empty:
        parts.append(f"<p><strong>{_plural(len(failures), 'fil', 'filer')} kunne ikke leses</strong> ved siste "
                     "innlesing:</p>")
        parts.append(h.table_html(failures[["path", "error"]], max_rows=20)
                     + h.csv_link(ctx.csv_name(KEY, "failures")))
    if not warnings.empty:
        summary = warning_kinds(warnings)
        section.tables["warning_kinds"] = summary
        parts.append(f"<p>{_plural(len(warnings), 'advarsel', 'advarsler')} i "
                     f"{_plural(warnings['doc_id'].nunique(), 'dokument', 'dokumenter')}, gruppert etter type "
                     "(med et eksempel på hver):</p>")
        parts.append(h.table_html(summary[["example", "count", "documents"]], max_rows=15,
                                  labels={"example": "advarsel (eksempel)", "count": "antall",
                                          "documents": "dokumenter"}))
        parts.append("<details><summary>Alle advarsler · all warnings</summary>"
                     + h.table_html(warnings, max_rows=100) + "</details>"
                     + h.csv_link(ctx.csv_name(KEY, "warnings")))
    section.html = "".join(parts)
    return section
