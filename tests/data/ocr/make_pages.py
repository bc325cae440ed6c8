"""Regenerate the OCR test pages: <name>.pdf from <name>.txt (text written for these tests; needs fpdf2).

    python tests/data/ocr/make_pages.py

nynorsk_page is used by tests/test_ocr.py; bokmal_page is held out of all tuning and only measured by
benchmarks/bench_ocr.py.

A4, Times 11 pt, justified like a printed report: the PDF's text layer is the truth the OCR tests compare with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent


PAGES = {"nynorsk_page": "14", "bokmal_page": "27"}  # name -> printed page number


def make_page(name: str, page_label: str) -> None:
    """Write ``<name>.pdf``: the first paragraph of ``<name>.txt`` as a heading, the rest as justified text."""
    text = (HERE / f"{name}.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2008, 6, 1, tzinfo=UTC))  # fixed, so the file is reproducible
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font("Times", "B", 14)
    pdf.multi_cell(0, 8, paragraphs[0], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Times", "", 11)
    for paragraph in paragraphs[1:]:
        pdf.multi_cell(0, 5.5, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.set_auto_page_break(False)  # the page number sits in the bottom margin
    pdf.set_y(-20)
    pdf.cell(0, 5, page_label, align="C")
    pdf.output(str(HERE / f"{name}.pdf"))


def main() -> None:
    for name, label in PAGES.items():
        make_page(name, label)


if __name__ == "__main__":
    main()
