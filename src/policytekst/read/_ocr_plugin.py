"""OCRmyPDF plugin that keeps Tesseract's per-page output (hOCR + plain text) for policytekst.

OCRmyPDF only hands back a PDF with an invisible text layer; it keeps neither the per-word confidences nor the
page-by-page text once its temporary folder is gone. This plugin wraps the built-in Tesseract engine and copies
what Tesseract wrote for each page into a capture folder beside the output file, named by page number, so
:mod:`policytekst.read.ocr` can read text and confidence per page. Loaded only by that module (``plugins=[...]``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine

from policytekst.read.ocr import CAPTURE_FOLDER

# OCRmyPDF names each page's work files "<6-digit 1-based page number>_<name>".
_PAGE_PREFIX = re.compile(r"^(\d+)_")


def _capture(options, source: Path, suffix: str) -> None:
    """Copy one of Tesseract's page outputs to the capture folder as ``<page>.<suffix>`` (best effort)."""
    match = _PAGE_PREFIX.match(Path(source).name)
    output = getattr(options, "output_file", None)
    if match is None or output is None or not Path(source).exists():
        return  # without a page number or an output folder there is nowhere sensible to keep it
    folder = Path(str(output)).parent / CAPTURE_FOLDER
    folder.mkdir(exist_ok=True)
    shutil.copyfile(source, folder / f"{int(match.group(1))}.{suffix}")


def _single_threaded(options) -> None:
    """Run each Tesseract single-threaded; parallelism comes from OCRmyPDF's page workers.

    Tesseract's OpenMP threads busy-wait: on a machine whose cores are already busy (ingest workers, other jobs)
    two threads per page took 3x the CPU time and 3-8x the wall time of one (32 s vs 12 s for one thesis page).
    """
    tesseract = getattr(options, "tesseract", None)
    if tesseract is not None and hasattr(tesseract, "omp_thread_limit"):
        tesseract.omp_thread_limit = 1


class CapturingTesseract(TesseractOcrEngine):
    """The built-in Tesseract engine, single-threaded, plus a copy of each page's hOCR and text for the caller."""

    @staticmethod
    def get_orientation(input_file, options):
        _single_threaded(options)
        return TesseractOcrEngine.get_orientation(input_file, options)

    @staticmethod
    def get_deskew(input_file, options) -> float:
        _single_threaded(options)
        return TesseractOcrEngine.get_deskew(input_file, options)

    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        _single_threaded(options)
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        _capture(options, output_hocr, "hocr")
        _capture(options, output_text, "txt")

    @staticmethod
    def generate_pdf(input_file, output_pdf, output_text, options):
        _single_threaded(options)
        TesseractOcrEngine.generate_pdf(input_file, output_pdf, output_text, options)
        _capture(options, output_text, "txt")  # the sandwich renderer gives no hOCR, so no confidence


@hookimpl
def get_ocr_engine(options):
    """Offer the capturing engine wherever OCRmyPDF would pick Tesseract."""
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", "tesseract"):
        return None
    return CapturingTesseract()
