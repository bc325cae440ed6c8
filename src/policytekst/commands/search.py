"""Commands of the search area: `search`, `kwic`, `examples THEME`, `similar-passages`, `search-index`.

All take --json (JSON Lines on stdout, one record per result) and --export FILE (.csv, .jsonl or .md handout).
Heavy modules are imported inside the command functions so `policytekst --help` stays fast.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import typer

from policytekst.commands.common import CorpusOption, JsonOption

ExportOption = typer.Option(None, "--export", "-o", help="Also write the results to FILE (.csv, .jsonl or .md).")
YearOption = typer.Option(None, "--year", help="Year or range: 2006, 2000-2010, -2005, 2006-.")
GenreOption = typer.Option(None, "--genre", help="Only documents of this genre (repeatable).")
DocOption = typer.Option(None, "--doc", help="Only this document id (repeatable).")
LangOption = typer.Option(None, "--lang", help="Only passages in this language (nb, nn, en, ...; repeatable).")
KindOption = typer.Option(None, "--kind", help="Only passages of this kind (body, summary, ...; repeatable).")


def _filters(year: str | None, genre: list[str] | None, doc: list[str] | None, lang: list[str] | None,
             kind: list[str] | None, theme: str | None = None) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if year:
        filters["year"] = year
    for key, value in (("genre", genre), ("doc_id", doc), ("language", lang), ("kind", kind)):
        if value:
            filters[key] = list(value)
    if theme:
        filters["theme"] = theme
    return filters


def _output(frame, as_json: bool, export: Path | None, columns: list[str], *, title: str | None = None,
            full_text: bool = False) -> None:
    from policytekst.cli import emit_json, err, fail, out
    from policytekst.search.export import export as write_export
    from policytekst.search.export import records

    if export is not None:
        try:
            path = write_export(frame, export, title=title)
        except (ValueError, OSError) as exc:
            fail(f"cannot export to {export}: {exc}")
        err.print(f"wrote {len(frame)} rows to {path}", highlight=False)
    if as_json:
        for record in records(frame):
            emit_json(record)
        return
    if frame.empty:
        err.print("no results", highlight=False)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=True)
    for column in columns:
        wide = column in ("snippet", "text", "left", "right")
        table.add_column(column, ratio=3 if wide else 1, overflow="fold",
                         justify="right" if column == "left" else "left")
    for record in records(frame):
        cells = []
        for column in columns:
            value = record.get(column)
            if isinstance(value, float):
                cells.append(f"{value:.3f}")
            elif column in ("snippet", "match") or (column == "text" and full_text):
                # captured text is escaped before the match marks become bold, so brackets stay literal
                text = escape(str(value or ""))
                cells.append(re.sub(r"\*\*(.+?)\*\*", r"[bold yellow]\1[/bold yellow]", text)
                             if column != "match" else f"[bold yellow]{text}[/bold yellow]")
            else:
                cells.append(escape("" if value is None else str(value)))
        table.add_row(*cells)
    out.print(table)


def _run(action):
    """Run an API call, turning bad input into exit code 2 and missing things into exit code 1."""
    from policytekst.cli import fail
    from policytekst.errors import UsageError
    from policytekst.search.query import QueryError, ThemesUnavailable

    try:
        return action()
    except (QueryError, UsageError) as exc:  # UsageError: e.g. an unknown theme (UnknownNameError is a KeyError)
        fail(str(exc), code=2)
    except ThemesUnavailable as exc:
        fail(str(exc))
    except KeyError as exc:
        fail(str(exc.args[0] if exc.args else exc))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command("search")
    def search_command(
        query: str = typer.Argument(..., help='Words, "phrases", prefix*, gl?bs, AND/OR/NOT, (groups).'),
        corpus: Path = CorpusOption,
        limit: int = typer.Option(20, "--limit", "-n", help="Number of passages."),
        year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
        lang: list[str] | None = LangOption, kind: list[str] | None = KindOption,
        theme: str | None = typer.Option(None, help="Only passages coded with this theme."),
        theme_method: str = typer.Option("model", help="Theme scores from 'model' or 'codebook'."),
        surface: bool = typer.Option(False, "--surface", help="Match word forms as typed (no lemma matching)."),
        as_json: bool = JsonOption, export: Path | None = ExportOption,
    ) -> None:
        """Full-text search (BM25) over passages, matching inflected forms through lemmas."""
        from policytekst.cli import err, open_corpus
        from policytekst.search import search

        with open_corpus(corpus) as c:
            _progress_index(c)
            frame = _run(lambda: search(c, query, limit=limit, mode="surface" if surface else "lemma",
                                        count=not as_json, theme_method=theme_method,
                                        **_filters(year, genre, doc, lang, kind, theme)))
        if not as_json:
            err.print(f"{frame.attrs.get('n_matches') or 0} matching passages for {query!r}; showing {len(frame)}",
                      highlight=False)
        _output(frame, as_json, export, ["score", "citation", "snippet", "passage_id"], title=query)

    @app.command("kwic")
    def kwic_command(
        pattern: str = typer.Argument(..., help='A word, lemma, glob (bruker*), "a phrase" or re:regex.'),
        corpus: Path = CorpusOption,
        window: int = typer.Option(8, "--window", "-w", help="Words of context on each side."),
        mode: str = typer.Option("auto", help="auto, word, lemma, glob, phrase or regex."),
        sort: str | None = typer.Option(None, help="Sort by 'left' or 'right' context."),
        limit: int | None = typer.Option(None, "--limit", "-n", help="At most this many lines."),
        counts: bool = typer.Option(False, "--counts", help="Print occurrences per document instead of lines."),
        year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
        lang: list[str] | None = LangOption, kind: list[str] | None = KindOption,
        as_json: bool = JsonOption, export: Path | None = ExportOption,
    ) -> None:
        """Concordance (key word in context) of a word, lemma, glob, phrase or regular expression."""
        from policytekst.cli import err, open_corpus
        from policytekst.search import kwic, kwic_counts

        with open_corpus(corpus) as c:
            _progress_index(c)
            frame = _run(lambda: kwic(c, pattern, window=window, mode=mode, sort=sort, limit=limit,
                                      **_filters(year, genre, doc, lang, kind)))
        if not as_json:
            err.print(f"{len(frame)} occurrences of {pattern!r} in {frame['doc_id'].nunique()} documents",
                      highlight=False)
        if counts:
            _output(kwic_counts(frame), as_json, export, ["doc_id", "hits", "passages", "title"])
        else:
            _output(frame, as_json, export, ["left", "match", "right", "passage_id"], title=pattern)

    @app.command("examples")
    def examples_command(
        theme: str = typer.Argument(..., help="Theme name (e.g. brukermedvirkning, kasteball, npm)."),
        corpus: Path = CorpusOption,
        n: int = typer.Option(5, "-n", "--n", help="How many passages."),
        method: str = typer.Option("model", help="Theme scores from 'model' or 'codebook'."),
        max_per_doc: int = typer.Option(1, help="At most this many passages per document."),
        query: str | None = typer.Option(None, "--query", help="Score passages by this search query instead "
                                         "of a theme model (THEME is then only a label)."),
        year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
        lang: list[str] | None = LangOption,
        as_json: bool = JsonOption, export: Path | None = ExportOption,
    ) -> None:
        """The best example passages for a theme, from different documents, each with a citation."""
        from policytekst.cli import open_corpus
        from policytekst.commands.themes import score_progress
        from policytekst.search import examples, query_scores

        with open_corpus(corpus) as c:
            scores = _run(lambda: query_scores(c, query)) if query else None
            with score_progress() as on_progress:
                frame = _run(lambda: examples(c, theme, n=n, method=method, max_per_doc=max_per_doc,
                                              scores=scores, on_progress=on_progress,
                                              **_filters(year, genre, doc, lang, None)))
        _output(frame, as_json, export, ["rank", "theme_score", "usability", "citation", "text", "passage_id"],
                title=f"Eksempler: {theme}", full_text=True)

    @app.command("similar-passages")
    def similar_command(
        passage_id: str | None = typer.Argument(None, help="The passage to find others like (see `passages`)."),
        corpus: Path = CorpusOption,
        text: str | None = typer.Option(None, "--text", help="Free text instead of a passage id."),
        n: int = typer.Option(10, "-n", "--n", help="How many passages."),
        other_docs: bool = typer.Option(False, "--other-docs", help="Leave out the source passage's document."),
        year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
        lang: list[str] | None = LangOption, kind: list[str] | None = KindOption,
        as_json: bool = JsonOption, export: Path | None = ExportOption,
    ) -> None:
        """"More like this": passages similar to a passage or to a piece of text."""
        from policytekst.cli import fail, open_corpus
        from policytekst.search import similar_passages

        if (passage_id is None) == (text is None):
            fail("give a PASSAGE_ID or --text (one of them)", code=2)
        with open_corpus(corpus) as c:
            _progress_index(c)
            frame = _run(lambda: similar_passages(c, passage_id, text=text, n=n, other_documents=other_docs,
                                                  **_filters(year, genre, doc, lang, kind)))
        _output(frame, as_json, export, ["similarity", "citation", "text", "passage_id"],
                title=f"Lignende: {passage_id or 'tekst'}", full_text=True)

    @app.command("search-index")
    def index_command(corpus: Path = CorpusOption,
                      rebuild: bool = typer.Option(False, help="Drop and rebuild the whole index."),
                      as_json: bool = JsonOption) -> None:
        """Build or update the search index now (search commands also do it when the corpus changed)."""
        from dataclasses import asdict

        from policytekst.cli import emit_json, err, open_corpus
        from policytekst.search.index import index_size_bytes

        with open_corpus(corpus) as c:
            report = _progress_index(c, rebuild=rebuild)
            record = {**asdict(report), "size_bytes": index_size_bytes(c)}
        if as_json:
            emit_json(record)
        else:
            err.print(f"search index of {corpus}: {report.docs_added} documents (re)indexed, "
                      f"{report.docs_removed} removed, {report.passages_indexed} passages", highlight=False)


def _progress_index(corpus, *, rebuild: bool = False):
    """Update the index, with a progress bar on stderr when it is a long job and stderr is a terminal."""
    from policytekst.search.index import ensure_index, is_current, nlp_fingerprint

    if not rebuild and is_current(corpus) and corpus.store.get_info("search_nlp") == nlp_fingerprint():
        from policytekst.search.index import IndexReport

        return IndexReport(corpus.generation)
    if not sys.stderr.isatty():
        return ensure_index(corpus, rebuild=rebuild)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from policytekst.cli import err

    with Progress(TextColumn("indexing for search"), BarColumn(), MofNCompleteColumn(), transient=True,
                  console=err) as bar:
        task = bar.add_task("index", total=None)
        return ensure_index(corpus, rebuild=rebuild,
                            progress=lambda done, total: bar.update(task, completed=done, total=total))
