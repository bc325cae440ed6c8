"""The `policytekst` command: thin — parses arguments, calls the Python API, prints tables or JSON Lines.

Feature areas register their own commands from ``policytekst.commands.<area>`` (each has ``register(app)``),
so this file stays small and each area owns its command-line surface.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from policytekst.commands.common import CorpusOption, JsonOption
from policytekst.ingest import CorpusLockedError, IngestResult
from policytekst.store import StoreError

app = typer.Typer(help="Corpus analytics for Norwegian policy and research texts.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one message, one line


COMMAND_AREAS = ("themes", "topics", "compare", "search", "report", "nlp")


def emit_json(record: dict[str, Any]) -> None:
    """One JSON object per line on stdout (the stable machine interface)."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def open_corpus(directory: Path):
    from policytekst.corpus import Corpus

    try:
        return Corpus.open(directory)
    except StoreError as exc:
        fail(str(exc))


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders to ingest."),
    corpus: Path = CorpusOption,
    password: str | None = typer.Option(None, help="Password for encrypted PDFs."),
    text_column: str | None = typer.Option(None, help="Tables of texts: the column holding the text."),
    id_column: str | None = typer.Option(None, help="Tables of texts: the column with a stable row id."),
    date_column: str | None = typer.Option(None, help="Tables of texts: the column with the date (year is taken)."),
    title_column: str | None = typer.Option(None, help="Tables of texts: the column with a title."),
    meta_columns: str | None = typer.Option(None, help="Tables of texts: comma-separated columns to keep."),
    force: bool = typer.Option(False, help="Re-process files even when unchanged."),
    workers: int = typer.Option(1, help="Worker processes for reading and cleaning."),
    strict: bool = typer.Option(False, help="Exit 1 when any file failed."),
    as_json: bool = JsonOption,
) -> None:
    """Add files and folders (PDF, HTML, TXT, MD, DOCX, CSV/TSV of texts) to a corpus. Safe to re-run."""
    from policytekst.corpus import Corpus

    def report(result: IngestResult) -> None:
        if as_json:
            emit_json(result.to_dict())
        elif result.status == "failed":
            err.print(f"[red]failed[/red] {result.error}", highlight=False)
        elif result.status == "skipped" and result.error:
            err.print(f"[yellow]skipped[/yellow] {result.error}", highlight=False)
        else:
            for warning in result.warnings[:5]:
                err.print(f"[yellow]warning[/yellow] {result.path}: {warning}", highlight=False)

    columns = [c.strip() for c in meta_columns.split(",")] if meta_columns else None
    try:
        with Corpus(corpus, create=True) as target:
            counts = target.ingest(paths, password=password, text_column=text_column, id_column=id_column,
                                   date_column=date_column, title_column=title_column, meta_columns=columns,
                                   force=force, workers=workers, progress=not as_json and sys.stderr.isatty(),
                                   on_result=report)
    except (CorpusLockedError, StoreError) as exc:
        fail(str(exc))
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    err.print(f"ingest into {corpus}: {summary or 'nothing to do'}", highlight=False)
    if counts["failed"]:
        err.print(f"[yellow]{counts['failed']} file(s) failed; see the lines above or `policytekst status`[/yellow]")
        if strict:
            raise typer.Exit(1)


@app.command()
def docs(corpus: Path = CorpusOption, as_json: bool = JsonOption) -> None:
    """List documents with their metadata (and, with --json, each field's source and evidence)."""
    with open_corpus(corpus) as c:
        documents = c.documents()
    if as_json:
        for doc in documents:
            record = doc.to_dict()
            record.pop("content_hash")
            emit_json(record)
        return
    table = Table("doc_id", "year", "genre", "lang", "pages", "passages", "title")
    for doc in documents:
        table.add_row(doc.doc_id, str(doc.year or ""), doc.genre or "", doc.language or "", str(doc.n_pages),
                      str(doc.n_passages), (doc.title or "")[:60])
    out.print(table)


@app.command()
def passages(corpus: Path = CorpusOption, doc: str | None = typer.Option(None, help="Only this document."),
             kind: str | None = typer.Option(None, help="Only this kind (body, summary, footnote, ...)."),
             as_json: bool = JsonOption) -> None:
    """List passages with provenance (document, pages, section, kind, language)."""
    with open_corpus(corpus) as c:
        if doc is not None and c.store.document(doc) is None:
            fail(f"no document '{doc}' in {corpus}")
        for passage in c.passages(doc, kinds=[kind] if kind else None):
            if as_json:
                record = passage.to_dict()
                emit_json(record)
            else:
                pages = f"{passage.page_start}" + (f"-{passage.page_end}" if passage.page_end != passage.page_start else "")
                out.print(f"[bold]{passage.passage_id}[/bold] s. {pages} [{passage.kind}] {passage.section}",
                          highlight=False)
                out.print(passage.text, highlight=False, markup=False)
                out.print()


@app.command()
def text(doc_id: str = typer.Argument(..., help="Document id (see `policytekst docs`)."),
         corpus: Path = CorpusOption) -> None:
    """Print a document's own running text in reading order, paragraphs separated by a blank line."""
    with open_corpus(corpus) as c:
        try:
            body = c.text(doc_id)
        except KeyError as exc:
            fail(str(exc.args[0]))
    sys.stdout.write(body + "\n")


@app.command()
def status(corpus: Path = CorpusOption, as_json: bool = JsonOption) -> None:
    """Counts, the last ingest run and its failures."""
    with open_corpus(corpus) as c:
        info = c.status()
    if as_json:
        emit_json(info)
        return
    out.print(f"corpus {info['corpus']}: {info['documents']} documents, {info['passages']} passages, "
              f"{info['words']:,} words", highlight=False)
    run = info["last_run"]
    if run:
        counts = ", ".join(f"{n} {s}" for s, n in (run["counts"] or {}).items() if n)
        out.print(f"last ingest {run['started']} -> {run['finished'] or 'unfinished'}: {counts}", highlight=False)
        for failure in run["failures"][:50]:
            out.print(f"  [red]failed[/red] {failure['error']}", highlight=False)


def _register_areas() -> None:
    for area in COMMAND_AREAS:
        module = importlib.import_module(f"policytekst.commands.{area}")
        module.register(app)


_register_areas()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
