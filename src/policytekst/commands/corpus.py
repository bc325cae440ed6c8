"""Commands of the corpus itself: `ingest`, `docs`, `passages`, `text`, `status`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from policytekst.commands.common import (
    CorpusOption,
    JsonOption,
    OutOption,
    check_document,
    check_out,
    emit_json,
    err,
    open_corpus,
    out,
    print_table,
    write_out,
)
from policytekst.errors import UsageError
from policytekst.executors import check_executor
from policytekst.ingest import DEFAULT_MAX_MB

if TYPE_CHECKING:
    from policytekst.ingest import IngestResult

DOC_COLUMNS = ["doc_id", "year", "genre", "language", "n_pages", "n_passages", "duplicate_of", "title"]


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders to ingest."),
    corpus: Path = CorpusOption,
    password: str | None = typer.Option(None, help="Password for encrypted PDFs."),
    text_column: str | None = typer.Option(None, help="Tables of texts: the column holding the text."),
    id_column: str | None = typer.Option(None, help="Tables of texts: the column with a stable row id."),
    date_column: str | None = typer.Option(None, help="Tables of texts: the column with the date (year is taken)."),
    title_column: str | None = typer.Option(None, help="Tables of texts: the column with a title."),
    author_column: str | None = typer.Option(None, help="Tables of texts: the author column; NAME+PARTY also records "
                                             "a party column (e.g. from+fromParty)."),
    ocr: bool = typer.Option(False, "--ocr", help="Read image-only PDF pages with OCR (needs the [ocr] extra and "
                             "Debian's tesseract-ocr-nor)."),
    ocr_lang: str = typer.Option("nor+eng", "--ocr-lang", help="Tesseract languages for --ocr."),
    meta_columns: str | None = typer.Option(None, help="Tables of texts: comma-separated columns to keep."),
    force: bool = typer.Option(False, help="Re-process files even when unchanged."),
    workers: int = typer.Option(1, min=1, help="Worker processes for reading and cleaning (files, and the rows "
                                "of a table of texts; with --executor dask and no --scheduler: the LocalCluster's "
                                "workers)."),
    executor: str = typer.Option("process", help="Where files are processed: 'process' (here, or --workers local "
                                 "processes) or 'dask' (a Dask cluster; needs the \\[dask] extra)."),
    scheduler: str | None = typer.Option(None, help="With --executor dask: the address of an existing cluster's "
                                         "scheduler (tcp://HOST:PORT); without it a LocalCluster is started."),
    strict: bool = typer.Option(False, help="Exit 1 when any file failed."),
    prune: bool = typer.Option(False, help="Remove documents whose source file (or table row) no longer exists "
                               "under the given folders and tables."),
    max_mb: float = typer.Option(DEFAULT_MAX_MB, min=0, help="Refuse document files (and DOCX contents) larger "
                                 "than this many megabytes; 0: no limit. Tables of texts are streamed, never capped."),
    as_json: bool = JsonOption,
) -> None:
    """Add files and folders (PDF, HTML, TXT, MD, DOCX, CSV/TSV of texts) to a corpus. Safe to re-run."""
    from policytekst.corpus import Corpus
    if not any(p.exists() for p in paths):
        # nothing to read: refuse before the corpus directory is created, so a typo leaves no empty corpus behind
        # (a missing path among real ones is reported per file, like any other file that cannot be read)
        raise UsageError(f"no such file or folder: {', '.join(map(str, paths))}")

    check_executor(executor, scheduler)  # before the corpus directory is made: a typo leaves nothing behind

    def report(result: IngestResult) -> None:
        # every captured value (paths, titles, reader messages) is data: escaped, never read as Rich markup
        if as_json:
            emit_json(result.to_dict())
            return
        if result.status == "failed":
            err.print(f"[red]failed[/red] {escape(result.error or result.path)}", highlight=False)
        elif result.status == "skipped" and result.error:
            err.print(f"[yellow]skipped[/yellow] {escape(result.error)}", highlight=False)
        elif result.status in ("vanished", "removed"):
            err.print(f"[yellow]{result.status}[/yellow] {escape(result.path)} ({escape(result.doc_id or '')})",
                      highlight=False)
            return
        for warning in result.warnings[:5]:
            err.print(f"[yellow]warning[/yellow] {escape(result.path)}: {escape(warning)}", highlight=False)
        if len(result.warnings) > 5:
            err.print(f"[yellow]warning[/yellow] {escape(result.path)}: ... {len(result.warnings) - 5} more "
                      "(--json lists them all)", highlight=False)

    columns = [c.strip() for c in meta_columns.split(",")] if meta_columns else None
    with Corpus(corpus, create=True) as target:
        counts = target.ingest(paths, password=password, text_column=text_column, id_column=id_column,
                               date_column=date_column, title_column=title_column, author_column=author_column,
                               meta_columns=columns, ocr=ocr_lang if ocr else False,
                               force=force, workers=workers, progress=not as_json and sys.stderr.isatty(),
                               on_result=report, prune=prune, max_mb=max_mb, executor=executor,
                               scheduler=scheduler)
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    err.print(f"ingest into {escape(str(corpus))}: {summary or 'nothing to do'}", highlight=False)
    if counts.get("vanished"):
        err.print(f"[yellow]{counts['vanished']} stored document(s) no longer have a source; `ingest --prune` "
                  "removes them[/yellow]", highlight=False)
    if counts["failed"]:
        err.print(f"[yellow]{counts['failed']} file(s) failed; see the lines above or `policytekst status`[/yellow]")
        if strict:
            raise typer.Exit(1)


def docs(corpus: Path = CorpusOption, as_json: bool = JsonOption, out_file: Path | None = OutOption) -> None:
    """List documents with their metadata (and, with --json, each field's source and evidence)."""
    import pandas as pd
    check_out(out_file)
    with open_corpus(corpus) as c:
        documents = c.documents()
    records = []
    for doc in documents:
        record = doc.to_dict()
        record.pop("content_hash")
        records.append(record)
    if as_json:  # the full record, with each field's source and evidence (the stable interface)
        write_out(pd.DataFrame(records), out_file)
        for record in records:
            emit_json(record)
        return
    # the file gets every column; the screen the ones that fit
    frame = pd.DataFrame(records, columns=[*DOC_COLUMNS, *(k for k in records[0] if k not in DOC_COLUMNS)]
                         if records else DOC_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")  # an undated document must not make every year "2007.0"
    print_table(frame, False, out_file, DOC_COLUMNS)


def passages(corpus: Path = CorpusOption, doc: str | None = typer.Option(None, help="Only this document."),
             kind: str | None = typer.Option(None, help="Only this kind (body, summary, footnote, ...)."),
             as_json: bool = JsonOption, out_file: Path | None = OutOption) -> None:
    """List passages with provenance (document, pages, section, kind, language)."""
    import pandas as pd
    check_out(out_file)
    kept: list[dict] = []  # only filled for --out: the listing itself streams
    with open_corpus(corpus) as c:
        if doc is not None:
            check_document(c, doc)
        for passage in c.passages(doc, kinds=[kind] if kind else None):
            if out_file is not None:
                kept.append(passage.to_dict())
            if as_json:
                emit_json(passage.to_dict())
            else:
                pages = f"{passage.page_start}" + (f"-{passage.page_end}" if passage.page_end != passage.page_start else "")
                out.print(f"[bold]{escape(passage.passage_id)}[/bold] s. {pages} {escape(f'[{passage.kind}]')} "
                          f"{escape(passage.section or '')}", highlight=False)
                out.print(passage.text, highlight=False, markup=False)
                out.print()
    write_out(pd.DataFrame(kept), out_file)


def text(doc_id: str = typer.Argument(..., help="Document id (see `policytekst docs`)."),
         corpus: Path = CorpusOption) -> None:
    """Print a document's own running text in reading order, paragraphs separated by a blank line."""
    with open_corpus(corpus) as c:
        check_document(c, doc_id)
        body = c.text(doc_id)
    sys.stdout.write(body + "\n")


def status(corpus: Path = CorpusOption, as_json: bool = JsonOption) -> None:
    """Counts, the last ingest run and its failures."""
    with open_corpus(corpus) as c:
        info = c.status()
    if as_json:
        emit_json(info)
        return
    out.print(f"corpus {escape(str(info['corpus']))}: {info['documents']} documents, {info['passages']} passages, "
              f"{info['words']:,} words", highlight=False)
    if info["duplicate_documents"] or info["duplicate_passages"]:
        out.print(f"duplicates left out of analyses: {info['duplicate_documents']} documents "
                  f"({', '.join(f'{escape(rep)} <- {len(copies)}' for rep, copies in list(info['duplicate_groups'].items())[:10])}"
                  f"), {info['duplicate_passages']} repeated passages (--include-duplicates keeps them)",
                  highlight=False)
    run = info["last_run"]
    if run:
        counts = ", ".join(f"{n} {s}" for s, n in (run["counts"] or {}).items() if n)
        out.print(f"last ingest {run['started']} -> {run['finished'] or 'unfinished'}: {counts}", highlight=False)
        for failure in run["failures"][:50]:
            out.print(f"  [red]failed[/red] {escape(failure['error'] or failure['path'] or '')}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the corpus commands to the main app."""
    for command in (ingest, docs, passages, text, status):
        app.command()(command)
