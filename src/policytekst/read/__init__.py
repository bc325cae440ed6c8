"""Readers: one per format, each turning a file into a :class:`~policytekst.model.RawDocument`.

Readers never clean text; they only extract it with page numbers and collect what the file declares about
itself. Every failure is a :class:`ReadError` whose message names the problem in plain words; the caller adds
the file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from policytekst.model import RawDocument
from policytekst.read.errors import ReadError

# Suffix -> format. Table formats are handled by ``iter_table`` because one file holds many documents.
FILE_FORMATS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".docx": "docx",
}
TABLE_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")

__all__ = ["FILE_FORMATS", "TABLE_SUFFIXES", "ReadError", "format_of", "read_file", "iter_table"]


def format_of(path: Path) -> str | None:
    """The format name for a path by its suffix: a FILE_FORMATS value, "table", or None if unsupported."""
    name = path.name.lower()
    if name.endswith(TABLE_SUFFIXES):
        return "table"
    return FILE_FORMATS.get(path.suffix.lower())


def read_file(path: Path, *, password: str | None = None, max_bytes: int | None = None,
              ocr: bool | str = False) -> RawDocument:
    """Read one document file. Raises ReadError with a clear reason when the file cannot give text.

    ``max_bytes`` caps the file's size and, for a DOCX, the size its parts inflate to (a zip bomb); None: no cap.
    Only regular files are read: a named pipe would block for ever and a device never ends.
    ``ocr`` (PDF only): True, or a Tesseract language spec like "nor+eng", OCRs image-only pages.
    """
    import stat

    fmt = format_of(path)
    if fmt is None:
        raise ReadError(f"unsupported format '{path.suffix or '(no extension)'}'")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReadError("no such file") from None
    except OSError as exc:
        raise ReadError(f"cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ReadError("not a regular file (a pipe, device or folder)")
    if info.st_size == 0:
        raise ReadError("empty file (0 bytes)")
    if max_bytes is not None and info.st_size > max_bytes:
        raise ReadError(f"file too large ({info.st_size / 2**20:.0f} MB; the limit is {max_bytes / 2**20:.0f} MB)")
    if fmt == "pdf":
        from policytekst.read.pdf import read_pdf

        return read_pdf(path, password=password, ocr=ocr)
    if fmt == "html":
        from policytekst.read.html import read_html

        return read_html(path)
    if fmt == "docx":
        from policytekst.read.docx import read_docx

        return read_docx(path, max_bytes=max_bytes)
    from policytekst.read.text import read_text

    return read_text(path, markdown=(fmt == "markdown"))


def iter_table(path: Path, **options) -> Iterator[RawDocument]:
    """Stream one RawDocument per row of a CSV/TSV (optionally gzipped) table of texts."""
    from policytekst.read.table import iter_table_rows

    return iter_table_rows(path, **options)
