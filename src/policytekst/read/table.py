"""Tables of texts (CSV/TSV, optionally gzipped): one row, one document. Rows are streamed, never all loaded."""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
import zlib
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


class _LineDecoder:
    """Decode a table line by line: UTF-8, and cp1252 for a line that is not valid UTF-8.

    One stray legacy byte deep in a large file (an Excel export edited by hand) must cost neither the table nor the
    rows around it, so the encoding is decided per physical line, not once for the whole file. A file whose first
    non-ASCII line is not UTF-8 is a legacy (cp1252) file and is read so without a word; in a UTF-8 file each line
    that needed the fallback is kept in ``stray_lines``, so the rows they belong to can be named.
    """

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw = raw
        self.line = 0
        self.utf8_seen = False  # a non-ASCII line decoded as UTF-8: the file is UTF-8
        self.stray_lines: list[int] = []

    def __iter__(self) -> Iterator[str]:
        for data in self.raw:
            self.line += 1
            if self.line == 1 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                if self.utf8_seen:
                    self.stray_lines.append(self.line)
                yield data.decode("cp1252", errors="replace")
                continue
            if not self.utf8_seen and not data.isascii():
                self.utf8_seen = True
            yield text


def open_table(path: Path) -> tuple[io.BufferedIOBase, _LineDecoder]:
    """The raw byte stream (closed by the caller) and a per-line decoder over it."""
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")  # noqa: SIM115
    return raw, _LineDecoder(raw)


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
    stream, lines = open_table(path)
    try:
        delimiter = "\t" if ".tsv" in path.name.lower() else ","
        reader = csv.DictReader(lines, delimiter=delimiter)
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
        reported = 0  # fallback lines already named; new ones belong to the row just read (row 1: or its header)
        for number, row in enumerate(reader, start=1):
            warnings = []
            new = lines.stray_lines[reported:]
            if new:
                warnings.append(f"row {number}: not valid UTF-8, read as cp1252 (line {', '.join(map(str, new[:5]))})")
                reported = len(lines.stray_lines)
            if None in row:  # more cells than the header names: kept apart by csv under the key None
                row.pop(None)
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
                warnings=warnings,
            )
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
        # OSError covers gzip.BadGzipFile (a .csv.gz that is not gzip) and a truncated gzip stream
        where = f"at line {lines.line}: " if lines.line > 1 else ""
        raise ReadError(f"table could not be read ({where}{str(exc)[:160]})") from exc
    finally:
        stream.close()
