"""OCR for scanned (image-only) PDF pages: OCRmyPDF + Tesseract, page by page, with provenance.

Scanned theses and municipal reports arrive as PDFs whose pages are pictures of text. This module finds those
pages (no text characters but at least one image, per page), runs OCRmyPDF on them only, and returns each page's
text with where it came from: engine and version, language, mean word confidence (Tesseract's hOCR ``x_wconf``)
and word count. Pages keep their numbers, so citations point at the page of the scan.

OCR is an optional extra: ``pip install 'policytekst[ocr]'`` (OCRmyPDF) plus Debian's
``apt-get install tesseract-ocr tesseract-ocr-nor ghostscript``. When any of it is missing,
:func:`check_ocr` raises :class:`OcrUnavailable` whose message says how to install it.

Examples
--------
>>> from policytekst.read.ocr import image_only_pages, ocr_pages   # doctest: +SKIP
>>> pages = ocr_pages("scan.pdf")                                  # doctest: +SKIP
>>> pages[1].text[:40], pages[1].confidence                        # doctest: +SKIP
"""

from __future__ import annotations

import functools
import html
import importlib.metadata
import importlib.util
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from policytekst.model import Page
from policytekst.read.errors import ReadError

DEFAULT_LANG = "nor+eng"  # Tesseract's "nor" model reads bokmål and nynorsk; "eng" for English abstracts/quotes
INSTALL_HINT = ("install OCR with: pip install 'policytekst[ocr]' and "
                "apt-get install tesseract-ocr tesseract-ocr-nor ghostscript")
# A page with fewer visible characters than this has no text layer (same threshold as the PDF reader).
MIN_TEXT_CHARS = 3
_PLUGIN = "policytekst.read._ocr_plugin"
CAPTURE_FOLDER = "policytekst-ocr-pages"  # where the plugin leaves each page's hOCR and text, beside out.pdf
_WORD = re.compile(
    r"<span[^>]*class=['\"]ocrx_word['\"][^>]*title=['\"][^'\"]*x_wconf (\d+)[^'\"]*['\"][^>]*>(.*?)</span>",
    re.S,
)
_TAG = re.compile(r"<[^>]+>")

__all__ = ["DEFAULT_LANG", "INSTALL_HINT", "OcrPage", "OcrUnavailable", "apply_ocr", "check_ocr",
           "hocr_confidence", "image_only_pages", "ocr_pages"]


class OcrUnavailable(ReadError):
    """OCR was asked for but OCRmyPDF, Tesseract or a Tesseract language model is missing."""


@dataclass
class OcrPage:
    """The OCR result for one page of a PDF.

    Attributes
    ----------
    number : 1-based page number in the PDF (the page the text was read from).
    text : recognised text, lines as Tesseract found them, a blank line between paragraphs ("" on failure).
    engine : e.g. "tesseract 5.3.0 (OCRmyPDF 17.13.0)".
    language : Tesseract language spec used, e.g. "nor+eng".
    confidence : mean word confidence 0-100 from Tesseract, None when not obtainable.
    n_words : number of recognised words.
    method : how the text was obtained: "ocr", or "pdf" for a requested page that already had a text layer
        (OCRmyPDF leaves such pages alone and their own text is returned).
    error : why OCR failed on this page, None when it worked.
    """

    number: int
    text: str
    engine: str
    language: str
    confidence: float | None = None
    n_words: int = 0
    method: str = "ocr"
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Provenance without the text (what is worth storing beside the document)."""
        out = asdict(self)
        out.pop("text")
        return {k: v for k, v in out.items() if v is not None}


# ----------------------------------------------------------------------------------------------- availability


@functools.lru_cache(maxsize=1)
def _tesseract_version() -> str | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (out.stdout or out.stderr).strip().splitlines()
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", first[0]) if first else None
    return match.group(1) if match else "unknown"


@functools.lru_cache(maxsize=1)
def _tesseract_languages() -> frozenset[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # The first line is a header ("List of available languages in ...").
    return frozenset(line.strip() for line in (out.stdout or "").splitlines()[1:] if line.strip())


def check_ocr(lang: str = DEFAULT_LANG) -> str:
    """Make sure OCR can run; return the engine description ("tesseract X (OCRmyPDF Y)").

    Raises
    ------
    OcrUnavailable
        naming what is missing and how to install it, in one line.
    """
    missing: list[str] = []
    # OCRmyPDF is the optional [ocr] extra: asked whether it is installed, not imported in a try block
    installed = importlib.util.find_spec("ocrmypdf") is not None
    if not installed:
        missing.append("OCRmyPDF (Python package)")
    version = _tesseract_version()
    if version is None:
        missing.append("tesseract")
    else:
        wanted = [code for code in lang.split("+") if code]
        absent = [code for code in wanted if code not in _tesseract_languages()]
        if absent:
            missing.append("tesseract language " + ", ".join(absent) + " (e.g. tesseract-ocr-" + absent[0] + ")")
    # Ghostscript is not checked: OCRmyPDF >= 17 needs it only for PDF/A output, and we ask for a plain PDF
    # (it is in the install line because older OCRmyPDF versions and other output types do need it).
    if missing:
        raise OcrUnavailable("OCR not available, missing " + "; ".join(missing) + ": " + INSTALL_HINT)
    return f"tesseract {version} (OCRmyPDF {importlib.metadata.version('ocrmypdf')})"


# ----------------------------------------------------------------------------------------------- detection


def image_only_pages(path: str | Path, *, password: str | None = None, among: list[int] | None = None
                     ) -> list[int]:
    """1-based numbers of the pages that carry images but (almost) no text characters: the pages to OCR.

    Blank pages (no text, no image) are not listed: there is nothing to read on them. ``among`` limits the
    look to some page numbers (the reader passes the pages it found no text on).
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"cannot open PDF for OCR ({exc})") from exc
    found: list[int] = []
    try:
        indexes = range(len(pdf)) if among is None else [n - 1 for n in sorted(set(among)) if 0 < n <= len(pdf)]
        for index in indexes:
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    chars = len(textpage.get_text_range().strip())
                finally:
                    textpage.close()
                if chars >= MIN_TEXT_CHARS:
                    continue
                if any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3)):
                    found.append(index + 1)
            finally:
                page.close()
    finally:
        pdf.close()
    return found


# ----------------------------------------------------------------------------------------------- OCR


def ocr_pages(path: str | Path, pages: list[int] | None = None, lang: str = DEFAULT_LANG, *,
              password: str | None = None, jobs: int | None = None, timeout: float = 180.0,
              deskew: bool = True) -> dict[int, OcrPage]:
    """OCR some pages of a PDF and return {page number: OcrPage}.

    Parameters
    ----------
    path : the PDF.
    pages : 1-based page numbers to OCR; None means every image-only page (:func:`image_only_pages`).
    lang : Tesseract languages joined by "+", e.g. "nor+eng" (default) or "nor".
    password : for an encrypted PDF (a decrypted copy is made in a temporary folder).
    jobs : parallel OCR workers (threads driving Tesseract processes); None lets OCRmyPDF decide.
    timeout : seconds Tesseract may spend on one page.
    deskew : let OCRmyPDF straighten pages before reading them. It roughly halves the speed, but a page
        skewed 2.5 degrees read without it lost a third of its words (word accuracy 0.65 against 0.99 with it;
        benchmarks/bench_ocr.py --skew 2.5 [--no-deskew]); at 0.8 degrees both read alike.

    Returns
    -------
    dict[int, OcrPage]
        one entry per requested page; a page whose OCR failed has ``text == ""`` and ``error`` set, and the
        other pages keep their text.

    Raises
    ------
    OcrUnavailable
        when OCRmyPDF/Tesseract/the language model is missing (the message says how to install them).
    ReadError
        when the PDF cannot be opened at all.
    """
    engine = check_ocr(lang)
    path = Path(path)
    wanted = sorted(set(pages)) if pages is not None else image_only_pages(path, password=password)
    if not wanted:
        return {}
    with tempfile.TemporaryDirectory(prefix="policytekst-ocr-") as tmp:
        work = Path(tmp)
        source = _decrypted_copy(path, password, work) if password else path
        results: dict[int, OcrPage] = {}
        # One OCRmyPDF run for all pages is fastest; if it fails, retry page by page so that one bad page
        # (a corrupt image, a Tesseract crash or timeout) costs only itself.
        error = _run_ocrmypdf(source, work / "all", wanted, lang, jobs, timeout, deskew)
        if error is None:
            results.update(_collect(work / "all", wanted, engine, lang))
        else:
            for number in wanted:
                folder = work / f"page-{number}"
                page_error = error if len(wanted) == 1 else _run_ocrmypdf(
                    source, folder, [number], lang, jobs, timeout, deskew)
                if page_error is None:
                    results.update(_collect(folder, [number], engine, lang))
                else:
                    results[number] = OcrPage(number, "", engine, lang, error=page_error)
    return results


def _decrypted_copy(path: Path, password: str, work: Path) -> Path:
    """OCRmyPDF refuses encrypted input: give it a decrypted copy that lives only in the temporary folder."""
    import pikepdf

    target = work / "decrypted.pdf"
    try:
        with pikepdf.open(path, password=password) as pdf:
            pdf.save(target)
    except pikepdf.PasswordError as exc:
        raise ReadError("wrong password for encrypted PDF") from exc
    return target


def _run_ocrmypdf(source: Path, folder: Path, pages: list[int], lang: str, jobs: int | None,
                  timeout: float, deskew: bool) -> str | None:
    """Run OCRmyPDF on some pages, writing into ``folder``; return None on success or a one-line reason."""
    import ocrmypdf

    folder.mkdir(parents=True, exist_ok=True)
    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)  # its progress chatter is not the user's business
    try:
        ocrmypdf.ocr(
            source, folder / "out.pdf",
            language=[code for code in lang.split("+") if code],
            pages=",".join(str(n) for n in pages),
            mode="skip",  # never touch a page that already has text
            output_type="pdf",  # the PDF is thrown away; skip PDF/A conversion and optimisation
            optimize=0,
            deskew=deskew,
            jobs=jobs,
            use_threads=True,  # Tesseract runs as a subprocess anyway; threads also work inside worker processes
            tesseract_timeout=timeout,
            progress_bar=False,
            plugins=[_PLUGIN],
        )
    except Exception as exc:  # noqa: BLE001 - any OCRmyPDF failure means the same to the caller: no text
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"OCR failed ({type(exc).__name__}{': ' + first[:160] if first else ''})"
    return None


def _collect(folder: Path, pages: list[int], engine: str, lang: str) -> dict[int, OcrPage]:
    """Read the per-page captures the plugin left; fall back to the output PDF's text layer when absent."""
    capture = folder / CAPTURE_FOLDER
    fallback: dict[int, str] | None = None
    out: dict[int, OcrPage] = {}
    for number in pages:
        txt = capture / f"{number}.txt"
        hocr = capture / f"{number}.hocr"
        confidence, n_words = (None, 0)
        if hocr.exists():
            confidence, n_words = hocr_confidence(hocr.read_text(encoding="utf-8", errors="replace"))
        if txt.exists():
            text, method = txt.read_text(encoding="utf-8", errors="replace"), "ocr"
        else:
            # Tesseract never saw this page: OCRmyPDF skipped it because it already has text. Say so.
            if fallback is None:
                fallback = _pdf_text(folder / "out.pdf", pages)
            text, method = fallback.get(number, ""), "pdf"
        if not n_words:
            n_words = len(text.split())
        out[number] = OcrPage(number, _tidy(text), engine, lang, confidence, n_words, method=method)
    return out


def _pdf_text(pdf_path: Path, pages: list[int]) -> dict[int, str]:
    import pypdfium2 as pdfium

    if not pdf_path.exists():
        return {}
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        texts = {}
        for number in pages:
            if number <= len(pdf):
                page = pdf[number - 1]
                textpage = page.get_textpage()
                texts[number] = textpage.get_text_range()
                textpage.close()
                page.close()
        return texts
    finally:
        pdf.close()


def hocr_confidence(hocr: str) -> tuple[float | None, int]:
    """Mean Tesseract word confidence (0-100) and word count from a page's hOCR; (None, 0) without words."""
    scores = []
    for score, inner in _WORD.findall(hocr):
        if html.unescape(_TAG.sub("", inner)).strip():  # empty "words" are layout artefacts, not readings
            scores.append(int(score))
    if not scores:
        return None, 0
    return round(sum(scores) / len(scores), 1), len(scores)


def _tidy(text: str) -> str:
    """Tesseract's text: strip form feeds and trailing spaces; keep line breaks (cleaning re-flows them)."""
    lines = [line.rstrip() for line in text.replace("\f", "\n").replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ----------------------------------------------------------------------------------------------- reader hook


def apply_ocr(path: str | Path, pages: list[Page], *, password: str | None = None, lang: str = DEFAULT_LANG
              ) -> tuple[list[Page], dict[str, Any], list[str]]:
    """The PDF reader's hook: OCR the image-only pages among ``pages`` and put their text in place.

    Returns the pages (OCR text on the pages that had none; page numbers unchanged), the provenance to store
    with the document (``{"engine", "language", "pages": [{"number", "confidence", "n_words", "method",
    "error"?}]}``, empty when no page needed OCR) and warnings (one per failed page, one summary line).

    Raises
    ------
    OcrUnavailable
        when OCR cannot run and the document has too little text to be read without it; a document with a
        text layer on most pages goes on without OCR and gets a warning instead.
    """
    empty = [page.number for page in pages if len(page.text.strip()) < MIN_TEXT_CHARS]
    # Only pages the reader found no text on are opened again: a born-digital PDF costs nothing here.
    candidates = image_only_pages(path, password=password, among=empty) if empty else []
    if not candidates:
        return pages, {}, []
    try:
        results = ocr_pages(path, candidates, lang, password=password)
    except OcrUnavailable as exc:
        if len(candidates) >= len(pages) / 2:  # mostly scanned: nothing useful can be read without OCR
            raise OcrUnavailable(f"image-only PDF ({len(candidates)} of {len(pages)} pages are scans); {exc}") from exc
        return pages, {}, [f"{len(candidates)} scanned pages left unread: {exc}"]
    out = list(pages)
    warnings: list[str] = []
    for number, result in sorted(results.items()):
        if result.error:
            warnings.append(f"page {number}: {result.error}")
        else:
            out[number - 1] = Page(pages[number - 1].number, result.text)
    done = [r for r in results.values() if not r.error]
    if not any(page.text.strip() for page in out):
        reasons = sorted({r.error for r in results.values() if r.error}) or ["no words recognised"]
        raise ReadError(f"no text layer, and OCR of {len(candidates)} scanned pages found no text "
                        f"({'; '.join(reasons)[:200]})")
    confidences = [r.confidence for r in done if r.confidence is not None]
    engine = next(iter(results.values())).engine
    summary = f"OCR on {len(done)} of {len(pages)} pages ({engine}, {lang}"
    if confidences:
        summary += f", mean word confidence {sum(confidences) / len(confidences):.0f}"
    warnings.append(summary + ")")
    per_page = [{k: v for k, v in results[n].to_dict().items() if k not in ("engine", "language")}
                for n in sorted(results)]  # engine and language once, at the top
    provenance = {"engine": engine, "language": lang, "pages": per_page}
    return out, provenance, warnings
