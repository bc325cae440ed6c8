"""DOCX reader (python-docx): paragraphs in order, headings marked Markdown-style so structure survives."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from policytekst.model import Page, RawDocument
from policytekst.read.errors import ReadError

_HEADING_STYLE = re.compile(r"^(?:heading|overskrift)\s*(\d)", re.IGNORECASE)


def read_docx(path: Path, *, max_bytes: int | None = None) -> RawDocument:
    """Paragraphs and tables of a DOCX; ``max_bytes`` caps what its zip parts inflate to (None: no cap)."""
    import docx

    if not zipfile.is_zipfile(path):
        raise ReadError("not a valid DOCX file (not a zip archive)")
    if max_bytes is not None:
        # the sizes the archive declares; zipfile refuses to inflate an entry beyond its declared size, so a
        # bomb that lies about them fails while reading instead of filling memory
        try:
            with zipfile.ZipFile(path) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReadError(f"damaged DOCX file ({str(exc)[:120]})") from exc
        if inflated > max_bytes:
            raise ReadError(f"DOCX inflates to {inflated / 2**20:.0f} MB, over the limit of "
                            f"{max_bytes / 2**20:.0f} MB (a zip bomb?); raise it with --max-mb")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ReadError(f"damaged DOCX file ({str(exc)[:120]})") from exc
    lines: list[str] = []
    head: list[dict[str, object]] = []  # the opening paragraphs with style and size: title-page evidence
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if len(head) < 25:
            head.append({"text": text, "style": paragraph.style.name if paragraph.style is not None else "",
                         "size": _size(paragraph)})
        match = _HEADING_STYLE.match(paragraph.style.name if paragraph.style is not None else "")
        lines.append(f"{'#' * int(match.group(1))} {text}" if match else text)
    for table in document.tables:
        for row in table.rows:
            lines.append("| " + " | ".join(cell.text.strip() for cell in row.cells) + " |")
    if not lines:
        raise ReadError("no text in the DOCX file")
    props = document.core_properties
    meta = {k: v for k, v in {
        "title": props.title, "author": props.author,
        "created": str(props.created.year) if props.created else None,
    }.items() if v}
    return RawDocument(str(path), "docx", [Page(1, "\n\n".join(lines))], meta=meta, facts={"n_pages": 1, "title_page": head})


def _size(paragraph) -> float:
    """The paragraph's type size in points: its runs' explicit size, else its style's (0 when unknown)."""
    sizes = [run.font.size.pt for run in paragraph.runs if run.font is not None and run.font.size]
    if sizes:
        return max(sizes)
    style = paragraph.style
    while style is not None:
        if style.font is not None and style.font.size:
            return style.font.size.pt
        style = style.base_style
    return 0.0
