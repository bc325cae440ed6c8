"""Corpus overview: size, documents by year, genre, language and format, and what ingest warned about."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from policytekst import plots
from policytekst.report import html as h
from policytekst.report.base import ReportContext, Section

KEY = "overview"


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
        section.tables["by_year"] = by_year
        svg = plots.bar_chart(by_year["year"], by_year["documents"], ylabel="dokumenter")
        parts.append("<h3>Dokumenter per år · documents by year</h3>")
        parts.append(h.figure_html(svg, "Antall dokumenter per år (år uten dokumenter vises som null).",
                                   csv_name=ctx.csv_name(KEY, "by_year"), table=h.table_html(by_year, max_rows=40),
                                   figure_id="fig-overview-years"))
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
                                    "n_pages", "n_passages"]).sort_values(["year", "doc_id"], na_position="last")
    # whole years, also when some documents have none (a float column would print 2004.0 in the CSV)
    listing["year"] = pd.to_numeric(listing["year"], errors="coerce").astype("Int64")
    section.tables["documents"] = listing
    parts.append("<h3>Dokumentene · the documents</h3>")
    parts.append(h.table_html(listing, max_rows=25) + h.csv_link(ctx.csv_name(KEY, "documents")))

    warnings, failures = warnings_table(ctx)
    section.tables["warnings"] = warnings
    section.tables["failures"] = failures
    parts.append("<h3>Advarsler og feil ved innlesing · ingest warnings and failures</h3>")
    if failures.empty and warnings.empty:
        parts.append("<p>Ingen advarsler og ingen feil ved siste innlesing.</p>")
    if not failures.empty:
        parts.append(f"<p><strong>{len(failures)} fil(er) kunne ikke leses</strong> ved siste innlesing:</p>")
        parts.append(h.table_html(failures[["path", "error"]], max_rows=20)
                     + h.csv_link(ctx.csv_name(KEY, "failures")))
    if not warnings.empty:
        kinds = Counter(_warning_kind(w) for w in warnings["warning"])
        summary = pd.DataFrame(kinds.most_common(), columns=["warning", "count"])
        section.tables["warning_kinds"] = summary
        parts.append(f"<p>{len(warnings)} advarsler i {warnings['doc_id'].nunique()} dokumenter, gruppert:</p>")
        parts.append(h.table_html(summary, max_rows=15))
        parts.append("<details><summary>Alle advarsler · all warnings</summary>"
                     + h.table_html(warnings, max_rows=100) + "</details>"
                     + h.csv_link(ctx.csv_name(KEY, "warnings")))
    section.html = "".join(parts)
    return section
