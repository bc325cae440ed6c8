"""Tables of texts (CSV/TSV, optionally gzipped): one row, one document. Rows are streamed, never all loaded."""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from policytekst.model import Page, RawDocument
from policytekst.read.errors import ReadError

_TEXT_COLUMN_GUESSES = ("text", "tekst", "body", "content", "innhold", "question", "sporsmal", "spørsmål")
_AUTHOR_COLUMN_GUESSES = ("author", "authors", "forfatter", "forfattere")
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long documents in one cell are normal here


def table_stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".tsv"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return re.sub(r"[^\w.-]+", "_", name)


def open_table(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    head = raw.peek(65536)[:65536] if hasattr(raw, "peek") else b""
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte char at the end of the sample is fine; anything earlier means a legacy code page.
        if exc.start < len(head) - 4:
            encoding = "cp1252"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def iter_table_rows(
    path: Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    title_column: str | None = None,
    meta_columns: list[str] | None = None,
    author_column: str | None = None,
) -> Iterator[RawDocument]:
    """Yield one RawDocument per row. Rows with an empty text cell are skipped with a warning document.

    ``title_column`` and ``author_column`` give each row its title and author; ``author_column`` may name a
    second column for the author's party or affiliation as ``NAME+PARTY`` (``from+fromParty``: the asking MP and
    party), kept apart so citations use the name. Without a title column describing makes a short title from the
    row's first sentence, never the row id.
    """
    if not path.exists():
        raise ReadError("no such file")
    stream = open_table(path)
    try:
        delimiter = "\t" if ".tsv" in path.name.lower() else ","
        reader = csv.DictReader(stream, delimiter=delimiter)
        columns = reader.fieldnames or []
        if not columns:
            raise ReadError("empty table (no header row)")
        text_column = text_column or next((c for c in columns if c.lower() in _TEXT_COLUMN_GUESSES), None)
        if text_column not in columns:
            raise ReadError(f"no text column: name it with --text-column (columns: {', '.join(columns)})")
        # Columns plainly named id/date/title are used unasked, so a folder ingest (make demo) keeps row dates.
        id_column = id_column or next((c for c in columns if c.lower() in ("id", "doc_id")), None)
        date_column = date_column or next((c for c in columns if c.lower() in ("date", "dato")), None)
        title_column = title_column or next((c for c in columns if c.lower() in ("title", "tittel")), None)
        author_column = author_column or next((c for c in columns if c.lower() in _AUTHOR_COLUMN_GUESSES), None)
        party_column = None
        if author_column and author_column not in columns and "+" in author_column:
            author_column, party_column = (part.strip() for part in author_column.split("+", 1))
        for name, value in (("--id-column", id_column), ("--date-column", date_column),
                            ("--title-column", title_column), ("--author-column", author_column),
                            ("--author-column (party)", party_column)):
            if value and value not in columns:
                raise ReadError(f"{name} '{value}' is not a column (columns: {', '.join(columns)})")
        missing = [c for c in (meta_columns or []) if c not in columns]
        if missing:
            raise ReadError(f"--meta-columns not in the table: {', '.join(missing)}")
        stem = table_stem(path)
        seen: set[str] = set()  # ids only, so memory stays small; repeated or empty ids get the row number
        for number, row in enumerate(reader, start=1):
            row_id = (row.get(id_column) or "").strip() if id_column else ""
            row_id = re.sub(r"[^\w.-]+", "_", row_id)
            if not row_id or row_id in seen:
                row_id = f"{row_id}row{number}" if row_id else f"row{number}"
            seen.add(row_id)
            text = (row.get(text_column) or "").strip()
            meta: dict[str, object] = {c: row.get(c) for c in (meta_columns or [])}
            if date_column and row.get(date_column):
                meta["date"] = row[date_column].strip()
                match = _YEAR.search(meta["date"])
                if match:
                    meta["year"] = int(match.group(1))
            if title_column and row.get(title_column):
                meta["title"] = row[title_column].strip()
            if author_column and row.get(author_column):
                meta["author"] = row[author_column].strip()
                if party_column and (row.get(party_column) or "").strip():
                    meta["author_party"] = row[party_column].strip()
            yield RawDocument(
                source=f"{path}#{row_id}",
                format="table-row",
                pages=[Page(1, text)],
                meta=meta,
                facts={"table": str(path), "row": number, "n_pages": 1},
                doc_id=f"{stem}-{row_id}",
            )
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raise ReadError(f"table could not be read ({str(exc)[:160]})") from exc
    finally:
        stream.close()
