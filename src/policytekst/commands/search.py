"""Commands of the search area: `search`, `kwic`, `examples THEME`, `similar-passages`, `search-index`.

All take --json (JSON Lines on stdout, one record per result) and --out FILE (the result table, any format of
:func:`policytekst.tables.write_table`); the result lists also take --handout FILE.md (passages quoted in full with
their citations, for slides or a course page).
"""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from policytekst.commands.common import (
    CorpusOption,
    JsonOption,
    OutOption,
    check_out,
    emit_json,
    err,
    open_corpus,
    print_table,
    score_progress,
    write_out,
)
from policytekst.errors import UsageError
from policytekst.selection import SYNTAX

if TYPE_CHECKING:
    import pandas as pd

    from policytekst.corpus import Corpus
    from policytekst.search.index import (
        IndexReport,
    )

HandoutOption = typer.Option(None, "--handout", help="Also write a Markdown handout to FILE.md: each passage "
                             "quoted in full with its citation and passage id.")
ExportOption = typer.Option(None, "--export", hidden=True,
                            help="Deprecated: use --out FILE for tables and --handout FILE.md for handouts.")
YearOption = typer.Option(None, "--year", help=f"Year or range: {SYNTAX}.")
GenreOption = typer.Option(None, "--genre", help="Only documents of this genre (repeatable).")
DocOption = typer.Option(None, "--doc", help="Only this document id (repeatable).")
LangOption = typer.Option(None, "--lang", help="Only passages in this language (nb, nn, en, ...; repeatable).")
KindOption = typer.Option(None, "--kind", help="Only passages of this kind (body, summary, ...; repeatable).")
TEXT_COLUMNS = ("snippet", "text", "left", "right")  # running text: most of a terminal's width


def _filters(year: str | None, genre: list[str] | None, doc: list[str] | None, lang: list[str] | None,
             kind: list[str] | None, theme: str | None = None) -> dict[str, Any]:
    from policytekst.selection import parse_years
    filters: dict[str, Any] = {}
    if year is not None:
        filters["year"] = parse_years(year).as_tuple()  # the one year vocabulary; a reversed range is refused here
    for key, value in (("genre", genre), ("doc_id", doc), ("language", lang), ("kind", kind)):
        if value:
            filters[key] = list(value)
    if theme:
        filters["theme"] = theme
    return filters


def _files(out: Path | None, handout: Path | None, export: Path | None) -> tuple[Path | None, Path | None]:
    """Check the output files before any work; the deprecated --export goes to --handout (.md) or --out."""
    from policytekst.search.export import HANDOUT_SUFFIXES
    from policytekst.tables import check_suffix
    if export is not None:
        err.print("[yellow]warning[/yellow] --export is deprecated: use --out FILE (tables) or --handout FILE.md",
                  highlight=False)
        if export.suffix.lower() in HANDOUT_SUFFIXES:
            handout = handout or export
        else:
            out = out or export
    check_out(out)
    if handout is not None:
        check_suffix(handout, HANDOUT_SUFFIXES, "handout")
    return out, handout


def _marked(full_text: bool):
    """A terminal cell styler: search marks (**word**) in bold, captured text escaped so it is never markup."""
    def cell(column: str, value: Any) -> str | None:
        if column == "match":
            return f"[bold yellow]{escape(str(value or ''))}[/bold yellow]"
        if column == "snippet" or (column == "text" and full_text):
            return re.sub(r"\*\*(.+?)\*\*", r"[bold yellow]\1[/bold yellow]", escape(str(value or "")))
        if isinstance(value, float):
            return f"{value:.3f}"
        return None
    return cell


def _output(frame: pd.DataFrame, as_json: bool, out: Path | None, handout: Path | None, columns: list[str], *,
            title: str | None = None, full_text: bool = False) -> None:
    from policytekst.search.export import write_handout
    if handout is not None:
        write_handout(frame, handout, title=title)
        err.print(f"wrote {len(frame)} passages to {handout}", highlight=False)
    if frame.empty and not as_json:
        err.print("no results", highlight=False)
        write_out(frame, out)  # an empty table is still a table (a script may count its rows)
        return
    print_table(frame, as_json, out, columns, cell=_marked(full_text), wide=TEXT_COLUMNS)


def _progress_index(corpus: Corpus, *, rebuild: bool = False) -> IndexReport:
    """Update the index, with a progress bar on stderr when it is a long job and stderr is a terminal."""
    from policytekst.search.index import IndexReport, ensure_index, is_current, nlp_fingerprint
    if not rebuild and is_current(corpus) and corpus.store.get_info("search_nlp") == nlp_fingerprint():
        return IndexReport(corpus.generation)
    if not sys.stderr.isatty():
        return ensure_index(corpus, rebuild=rebuild)
    with Progress(TextColumn("indexing for search"), BarColumn(), MofNCompleteColumn(), transient=True,
                  console=err) as bar:
        task = bar.add_task("index", total=None)
        return ensure_index(corpus, rebuild=rebuild,
                            progress=lambda done, total: bar.update(task, completed=done, total=total))


def search_command(
    query: str = typer.Argument(..., help='Words, "phrases", prefix*, gl?bs, AND/OR/NOT, (groups).'),
    corpus: Path = CorpusOption,
    limit: int = typer.Option(20, "--limit", "-n", help="Number of passages."),
    year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
    lang: list[str] | None = LangOption, kind: list[str] | None = KindOption,
    theme: str | None = typer.Option(None, help="Only passages coded with this theme."),
    theme_method: str = typer.Option("model", help="Theme scores from 'model' or 'codebook'."),
    exact: bool = typer.Option(False, "--exact", "--surface",
                               help="Match word forms as typed (no inflections, no compounds)."),
    compounds: bool = typer.Option(True, "--compounds/--no-compounds",
                                   help="Also match a word inside compounds (kasteball -> kasteballproblematikk)."),
    as_json: bool = JsonOption, out: Path | None = OutOption, handout: Path | None = HandoutOption,
    export: Path | None = ExportOption,
) -> None:
    """Full-text search (BM25) over passages, matching inflected forms through lemmas and compounds."""
    from policytekst.search import search
    out, handout = _files(out, handout, export)
    filters = _filters(year, genre, doc, lang, kind, theme)
    with open_corpus(corpus) as c:
        _progress_index(c)
        frame = search(c, query, limit=limit, mode="surface" if exact else "lemma", compounds=compounds,
                       count=not as_json,
                       theme_method=theme_method, **filters)
    if not as_json:
        n, bounds = frame.attrs.get("n_matches"), frame.attrs.get("n_matches_range")
        found = (f"{n or 0:,}" if n is not None or bounds is None
                 else f"between {bounds[0]:,} and {bounds[1]:,}")
        err.print(f"{found} matching passages for {query!r}; showing {len(frame)}", highlight=False)
    _output(frame, as_json, out, handout, ["score", "match_type", "citation", "snippet", "passage_id"], title=query)


def kwic_command(
    pattern: str = typer.Argument(..., help='A word, lemma, glob (bruker*), "a phrase" or re:regex.'),
    corpus: Path = CorpusOption,
    window: int = typer.Option(8, "--window", "-w", help="Words of context on each side."),
    mode: str = typer.Option("auto", help="auto, word, lemma, glob, phrase or regex."),
    sort: str | None = typer.Option(None, help="Sort by 'left' or 'right' context."),
    limit: int | None = typer.Option(None, "--limit", "-n", help="At most this many lines."),
    counts: bool = typer.Option(False, "--counts", help="Print occurrences per document instead of lines."),
    exact: bool = typer.Option(False, "--exact", help="Only the word or phrase as typed (no inflections, "
                               "no compounds)."),
    compounds: bool = typer.Option(True, "--compounds/--no-compounds",
                                   help="Also find a word inside compounds (kasteball -> kasteballproblematikk)."),
    year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
    lang: list[str] | None = LangOption, kind: list[str] | None = KindOption,
    as_json: bool = JsonOption, out: Path | None = OutOption, handout: Path | None = HandoutOption,
    export: Path | None = ExportOption,
) -> None:
    """Concordance (key word in context) of a word, lemma, glob, phrase or regular expression."""
    from policytekst.search import kwic, kwic_counts
    out, handout = _files(out, handout, export)
    if counts and handout is not None:
        raise UsageError("--handout quotes concordance lines; it does not go with --counts")
    filters = _filters(year, genre, doc, lang, kind)
    with open_corpus(corpus) as c:
        _progress_index(c)
        frame = kwic(c, pattern, window=window, mode=mode, sort=sort, limit=limit, exact=exact, compounds=compounds,
                     **filters)
    if not as_json:
        err.print(f"{len(frame)} occurrences of {pattern!r} in {frame['doc_id'].nunique()} documents",
                  highlight=False)
    if counts:
        _output(kwic_counts(frame), as_json, out, None, ["doc_id", "hits", "passages", "title"])
    else:
        _output(frame, as_json, out, handout, ["left", "match", "right", "match_type", "citation", "passage_id"],
                title=pattern)


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
    as_json: bool = JsonOption, out: Path | None = OutOption, handout: Path | None = HandoutOption,
    export: Path | None = ExportOption,
) -> None:
    """The best example passages for a theme, from different documents, each with a citation."""
    from policytekst.search import examples, query_scores
    out, handout = _files(out, handout, export)
    filters = _filters(year, genre, doc, lang, None)
    with open_corpus(corpus) as c:
        scores = query_scores(c, query) if query is not None else None
        with score_progress() as on_progress:
            frame = examples(c, theme, n=n, method=method, max_per_doc=max_per_doc, scores=scores,
                             on_progress=on_progress, **filters)
    _output(frame, as_json, out, handout, ["rank", "theme_score", "usability", "citation", "text", "passage_id"],
            title=f"Eksempler: {theme}", full_text=True)


def similar_command(
    passage_id: str | None = typer.Argument(None, help="The passage to find others like (see `passages`)."),
    corpus: Path = CorpusOption,
    text: str | None = typer.Option(None, "--text", help="Free text instead of a passage id."),
    n: int = typer.Option(10, "-n", "--n", help="How many passages."),
    other_docs: bool = typer.Option(False, "--other-docs", help="Leave out the source passage's document."),
    year: str | None = YearOption, genre: list[str] | None = GenreOption, doc: list[str] | None = DocOption,
    lang: list[str] | None = LangOption, kind: list[str] | None = KindOption,
    as_json: bool = JsonOption, out: Path | None = OutOption, handout: Path | None = HandoutOption,
    export: Path | None = ExportOption,
) -> None:
    """"More like this": passages similar to a passage or to a piece of text."""
    from policytekst.search import similar_passages
    if (passage_id is None) == (text is None):
        raise UsageError("give a PASSAGE_ID or --text (one of them)")
    out, handout = _files(out, handout, export)
    filters = _filters(year, genre, doc, lang, kind)
    with open_corpus(corpus) as c:
        _progress_index(c)
        frame = similar_passages(c, passage_id, text=text, n=n, other_documents=other_docs, **filters)
    _output(frame, as_json, out, handout, ["similarity", "citation", "text", "passage_id"],
            title=f"Lignende: {passage_id or 'tekst'}", full_text=True)


def index_command(corpus: Path = CorpusOption,
                  rebuild: bool = typer.Option(False, help="Drop and rebuild the whole index."),
                  as_json: bool = JsonOption) -> None:
    """Build or update the search index now (search commands also do it when the corpus changed)."""
    from policytekst.search.index import index_complete, index_size_bytes, is_current
    with open_corpus(corpus) as c:
        if not rebuild and is_current(c) and not index_complete(c):
            # stamped current but rows missing (a build torn by an older version): say so and rebuild
            err.print(f"search index of {escape(str(corpus))} is incomplete: rebuilding it", highlight=False)
            rebuild = True
        report = _progress_index(c, rebuild=rebuild)
        record = {**asdict(report), "size_bytes": index_size_bytes(c)}
    if as_json:
        emit_json(record)
    else:
        err.print(f"search index of {corpus}: {report.docs_added} documents (re)indexed, "
                  f"{report.docs_removed} removed, {report.passages_indexed} passages", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("search")(search_command)
    app.command("kwic")(kwic_command)
    app.command("examples")(examples_command)
    app.command("similar-passages")(similar_command)
    app.command("search-index")(index_command)
