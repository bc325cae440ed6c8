"""PDF reader: pypdfium2 for text (fast, page by page), pypdf for metadata and outline and as a fallback."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from policytekst.model import Page, RawDocument
from policytekst.read import layout
from policytekst.read.errors import ReadError

# A page with fewer visible characters than this is treated as having no text layer; a file whose pages hold
# on average fewer than _MIN_MEAN_CHARS (a stray label over a scanned image) is an image-only PDF.
_MIN_CHARS_PER_PAGE = 3
_MIN_MEAN_CHARS = 40
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair chatter is not the user's problem
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?")


def read_pdf(path: Path, *, password: str | None = None, ocr: bool | str = False) -> RawDocument:
    """Extract the raw text of every page. Line-end hyphen marks (U+FFFE) from pdfium are kept for cleaning.

    ``ocr`` (True, or a Tesseract language spec such as "nor+eng") reads image-only pages with OCR
    (policytekst.read.ocr, the optional ``[ocr]`` extra); their provenance goes to ``meta["ocr"]``.
    """
    warnings: list[str] = []
    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        return _fallback_or_raise(path, password, exc)
    try:
        meta, facts = _pdfium_metadata(pdf, warnings)
        pages = []
        layout_failed: list[int] = []
        unloadable: list[int] = []
        for index in range(len(pdf)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:  # one damaged page object must not cost the whole document
                unloadable.append(index + 1)
                pages.append(Page(index + 1, ""))
                continue
            text = ""
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                try:  # reading order by columns, footnotes after the page's text (read/layout.py)
                    text = layout.page_text(textpage, text, page.get_rotation())
                except Exception:  # noqa: BLE001 - a page whose geometry defeats the analysis keeps pdfium's order
                    layout_failed.append(index + 1)
                textpage.close()
            except pdfium.PdfiumError:
                unloadable.append(index + 1)
            finally:
                page.close()
            pages.append(Page(index + 1, text.replace("\r\n", "\n").replace("\r", "\n")))
        if unloadable:
            warnings.append(f"{len(unloadable)} of {len(pdf)} pages could not be loaded (pages {_ranges(unloadable)}); "
                            "the rest of the document is kept")
        if layout_failed:
            warnings.append(f"layout analysis failed on {len(layout_failed)} pages ({_ranges(layout_failed)}); "
                            "their text is in the file's own order")
        n_pages = len(pdf)
        declared = [pdf.get_page_label(i) for i in range(n_pages)]  # the PDF's own /PageLabels, if any
        sparse = sum(len(p.text.strip()) for p in pages) < _MIN_MEAN_CHARS * max(n_pages, 1)
        image_pages = _count_image_pages(pdf) if sparse else None  # only looked at when text is scarce
    finally:
        pdf.close()
    if n_pages == 0:
        raise ReadError("PDF has no pages")
    ocr_provenance: dict[str, Any] = {}
    if ocr:  # hook for policytekst.read.ocr: scanned pages get OCR text, page numbers unchanged
        from policytekst.read.ocr import DEFAULT_LANG, apply_ocr

        pages, ocr_provenance, ocr_warnings = apply_ocr(
            path, pages, password=password, lang=ocr if isinstance(ocr, str) else DEFAULT_LANG)
        warnings.extend(ocr_warnings)
    if not ocr_provenance:  # after OCR, apply_ocr has already refused a file that gave no text at all
        _require_text_layer(pages, image_pages)
    empty = [p.number for p in pages if len(p.text.strip()) < _MIN_CHARS_PER_PAGE]
    if empty and len(empty) < n_pages:
        warnings.append(f"{len(empty)} of {n_pages} pages have no text layer (pages {_ranges(empty)})")
    if meta is None:  # pdfium could not read the info dictionary: ask pypdf
        meta, facts = _metadata(path, password, warnings)
    if any(declared):
        meta["page_labels"] = declared
    if ocr_provenance:
        meta["ocr"] = ocr_provenance
    facts.update({"n_pages": n_pages, "extractor": "pypdfium2"})
    return RawDocument(str(path), "pdf", pages, meta=meta, facts=facts, warnings=warnings)


_INFO_KEYS = (("Title", "title"), ("Author", "author"), ("Subject", "subject"), ("Keywords", "keywords"),
              ("Creator", "creator"), ("Producer", "producer"))


def _pdfium_metadata(pdf, warnings: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Info dictionary and outline from pdfium (fast: no second parse of the file)."""
    try:
        info = pdf.get_metadata_dict()
    except Exception:  # noqa: BLE001 - the pypdf path reports what is wrong
        return None, {}
    meta: dict[str, Any] = {}
    for key, name in _INFO_KEYS:
        value = str(info.get(key) or "").strip()
        if value:
            meta[name] = value
    for key, name in (("CreationDate", "created"), ("ModDate", "modified")):
        match = _PDF_DATE.match(str(info.get(key) or ""))
        if match:
            meta[name] = match.group(1)
    outline: list[dict[str, Any]] = []
    try:
        for item in pdf.get_toc(max_depth=8):
            dest = item.get_dest()
            index = dest.get_index() if dest is not None else None
            outline.append({"title": item.get_title().strip(), "level": item.level + 1,
                            "page": index + 1 if index is not None else None})
    except Exception:  # noqa: BLE001 - a broken outline is not worth a warning
        outline = []
    return meta, {"outline": outline, "title_page": title_page_lines(pdf)}


def title_page_lines(pdf, max_lines: int = 40) -> list[dict[str, Any]]:
    """The lines of the title page with their type size, so describing can tell a title from the lines around it.

    The size is the font size scaled by the text matrix (FrameMaker and others set 1-point fonts and scale them),
    taken as the largest size of a letter or digit on the line. Invisible lines (size 0) are left out. When the
    first page is a bare cover (fewer than two lines), the second page is read instead.
    """
    lines: list[dict[str, Any]] = []
    try:
        for index in range(min(2, len(pdf))):
            lines = _sized_lines(pdf, index, max_lines)
            if len(lines) >= 2:
                break
    except Exception:  # noqa: BLE001 - sizes are a help for titles, never a reason to fail a file
        return []
    return lines


def _sized_lines(pdf, index: int, max_lines: int) -> list[dict[str, Any]]:
    import ctypes

    page = pdf[index]
    textpage = page.get_textpage()
    try:
        lines: list[dict[str, Any]] = []
        chars: list[str] = []
        sizes: list[float] = []
        matrix = pdfium_c.FS_MATRIX()

        def flush() -> None:
            text = "".join(chars).strip()
            if text and sizes and max(sizes) > 0.5:
                lines.append({"text": text, "size": round(max(sizes), 1), "page": index + 1})
            chars.clear()
            sizes.clear()

        for i in range(pdfium_c.FPDFText_CountChars(textpage)):
            ch = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
            if ch in "\r\n":
                flush()
                if len(lines) >= max_lines:
                    break
                continue
            chars.append(ch)
            if ch.isalnum():
                scale = 1.0
                if pdfium_c.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix)):
                    scale = (matrix.c ** 2 + matrix.d ** 2) ** 0.5 or 1.0
                sizes.append(pdfium_c.FPDFText_GetFontSize(textpage, i) * scale)
        flush()
        return lines[:max_lines]
    finally:
        textpage.close()
        page.close()


def _require_text_layer(pages: list[Page], image_pages: int | None = None) -> None:
    """Refuse image-only PDFs: almost no text, and (when known) images on the pages that lack text."""
    chars = sum(len(p.text.strip()) for p in pages)
    if chars >= _MIN_MEAN_CHARS * len(pages):
        return
    if chars == 0 or image_pages is None or image_pages >= len(pages) / 2:
        raise ReadError(
            f"no text layer (image-only PDF, needs OCR): {chars} characters of text on {len(pages)} pages"
        )


def _count_image_pages(pdf: pdfium.PdfDocument) -> int:
    count = 0
    for index in range(len(pdf)):
        try:
            page = pdf[index]
        except pdfium.PdfiumError:  # an unloadable page is counted as neither
            continue
        try:
            if any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2)):
                count += 1
        finally:
            page.close()
    return count


def _fallback_or_raise(path: Path, password: str | None, exc: Exception) -> RawDocument:
    message = str(exc).lower()
    if "password" in message:
        raise ReadError(
            "wrong password for encrypted PDF" if password else "encrypted PDF: give its password with --password"
        ) from exc
    # pdfium refuses some damaged files that pypdf can still repair; try it before giving up.
    try:
        return _read_with_pypdf(path, password)
    except ReadError:
        raise
    except Exception as inner:  # noqa: BLE001 - any parser failure means the same thing to the user
        raise ReadError(f"damaged or unreadable PDF ({_short(exc)}; pypdf: {_short(inner)})") from inner


def _read_with_pypdf(path: Path, password: str | None) -> RawDocument:
    import pypdf

    reader = pypdf.PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        if not password or not reader.decrypt(password):
            raise ReadError("wrong password for encrypted PDF" if password else "encrypted PDF: give its password with --password")
    pages: list[Page] = []
    unloadable: list[int] = []
    for index in range(len(reader.pages)):
        try:
            pages.append(Page(index + 1, reader.pages[index].extract_text() or ""))
        except Exception:  # noqa: BLE001 - one damaged page must not cost the rest
            unloadable.append(index + 1)
            pages.append(Page(index + 1, ""))
    if not pages:
        raise ReadError("damaged PDF: no pages could be read")
    _require_text_layer(pages)
    warnings = ["pdfium could not open the file; text read with pypdf (layout may be poorer)"]
    if unloadable:
        warnings.append(f"{len(unloadable)} of {len(pages)} pages could not be read (pages {_ranges(unloadable)})")
    meta, facts = _metadata(path, password, warnings)
    facts.update({"n_pages": len(pages), "extractor": "pypdf"})
    return RawDocument(str(path), "pdf", pages, meta=meta, facts=facts, warnings=warnings)


def _metadata(path: Path, password: str | None, warnings: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Info dictionary and outline (bookmarks) via pypdf; a broken metadata stream is a warning, not a failure."""
    meta: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    try:
        import pypdf

        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            reader.decrypt(password or "")
        info = reader.metadata or {}
        for key, name in (("/Title", "title"), ("/Author", "author"), ("/Subject", "subject"),
                          ("/Keywords", "keywords"), ("/Creator", "creator"), ("/Producer", "producer")):
            value = info.get(key)
            if value and str(value).strip():
                meta[name] = str(value).strip()
        for key, name in (("/CreationDate", "created"), ("/ModDate", "modified")):
            match = _PDF_DATE.match(str(info.get(key) or ""))
            if match:
                meta[name] = match.group(1)
        facts["outline"] = _outline(reader)
    except Exception as exc:  # noqa: BLE001 - metadata is optional
        warnings.append(f"unreadable PDF metadata ({_short(exc)})")
    return meta, facts


def _outline(reader) -> list[dict[str, Any]]:
    """Bookmarks as [{title, level, page}] (page 1-based, None when unresolved)."""
    out: list[dict[str, Any]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
            except Exception:  # noqa: BLE001
                page = None
            out.append({"title": str(item.title).strip(), "level": level, "page": page})

    try:
        walk(reader.outline, 1)
    except Exception:  # noqa: BLE001 - a broken outline is not worth a warning
        return []
    return out


def _ranges(numbers: list[int]) -> str:
    parts, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}-{prev}" if prev != start else str(start))
        if n is not None:
            start = prev = n
    return ", ".join(parts[:10]) + (" ..." if len(parts) > 10 else "")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
