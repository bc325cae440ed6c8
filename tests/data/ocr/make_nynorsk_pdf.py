"""Regenerate nynorsk_page.pdf from nynorsk_page.txt (text written for the OCR tests; needs fpdf2, the dev extra).

    python tests/data/ocr/make_nynorsk_pdf.py

A4, Times 11 pt, justified like a printed report: the PDF's text layer is the truth the OCR tests compare with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent


def main() -> None:
    paragraphs = [p.strip() for p in (HERE / "nynorsk_page.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
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
    pdf.cell(0, 5, "14", align="C")
    pdf.output(str(HERE / "nynorsk_page.pdf"))


if __name__ == "__main__":
    main()
