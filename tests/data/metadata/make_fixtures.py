"""Writes the metadata test documents in docs/ (run by hand: python tests/data/metadata/make_fixtures.py).

Every text here was written for these tests (fictional people and studies, real kinds of institutions). PDFs need
fpdf2 (the `dev` extra) and a DejaVu font; DOCX needs python-docx. The plain files (HTML, Markdown, text, CSV) are
kept as written and not generated.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "docs"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

BODY = ("Kontoret har i flere år arbeidet med å samordne tjenestene for brukere med sammensatte behov. "
        "I dette kapitlet beskriver vi hvordan arbeidet ble organisert, hvilke erfaringer de ansatte gjorde, "
        "og hva som gjenstår før modellen kan tas i bruk i andre kommuner. ") * 4


def _pdf(path: Path, title_page: list[tuple[str, float, bool]], chapters: list[tuple[str, str]]) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_page()
    pdf.set_y(40)
    for text, size, bold in title_page:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.55, text, align="C")
        pdf.ln(size * 0.4)
    for heading, text in chapters:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 8, heading)
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 5.5, text)
    pdf.output(str(path))


def make_pdfs() -> None:
    _pdf(HERE / "rapport_direktorat.pdf", [
        ("Rapport 2021:7", 10, False),
        ("Tett på arbeidslivet", 26, True),
        ("Erfaringer med arbeidsrettet oppfølging i seks fylker", 16, False),
        ("Arbeids- og velferdsdirektoratet", 12, False),
        ("Oslo, september 2021", 11, False),
    ], [("Forord", BODY), ("1 Innledning", BODY)])
    _pdf(HERE / "masteroppgave_to_forfattere.pdf", [
        ("Universitetet i Agder", 12, False),
        ("Fakultet for helse- og idrettsvitenskap", 11, False),
        ("Når veilederen bytter rolle:", 22, True),
        ("en studie av kontaktpersoner i kvalifiseringsprogrammet", 22, True),
        ("Fra saksbehandler til los", 15, False),
        ("Masteroppgave i velferdsfag", 13, False),
        ("Av Ingvild Sæther Moen og Tobias Rønning", 12, False),
        ("Veileder: Astrid Kleven", 11, False),
        ("Kristiansand, mai 2019", 11, False),
    ], [("Sammendrag", BODY), ("1 Innledning", BODY)])
    # held out from tuning (written after the rules were settled)
    _pdf(HERE / "holdout_english_report.pdf", [
        ("Working Paper 2016:4", 10, False),
        ("Activation at the Front Line", 24, True),
        ("Caseworkers and the Work Requirement in Norwegian Welfare Offices", 15, False),
        ("Marit Solvang and Jonas Eriksen", 12, False),
        ("Norwegian Social Research", 11, False),
        ("Oslo, March 2016", 11, False),
    ], [("Preface", BODY), ("1 Introduction", BODY)])


def _docx(path: Path, paragraphs: list[tuple[str, str | None, float | None, bool]]) -> None:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for text, style, size, bold in paragraphs:
        paragraph = document.add_paragraph(style=style) if style else document.add_paragraph()
        run = paragraph.add_run(text)
        if size:
            run.font.size = Pt(size)
        run.bold = bold or None
    document.core_properties.author = "saksbehandler"  # what office software leaves behind: not an author
    document.core_properties.title = ""
    document.save(str(path))


def make_docx() -> None:
    _docx(HERE / "notat_med_undertittel.docx", [
        ("Fafo-notat 2018:14", None, 10, False),
        ("Tjenester på tvers", "Title", None, False),
        ("Samarbeid mellom NAV-kontor og helsetjenesten for unge brukere", "Subtitle", None, False),
        ("Forfattere: Hanne Lie Bakken og Ove Strand", None, None, False),
        ("Innledning", "Heading 1", None, False),
        (BODY, None, None, False),
    ])
    _docx(HERE / "fraasegn_utan_tittelstil.docx", [
        ("Sogndal kommune", None, 11, False),
        ("Til: Arbeids- og inkluderingsdepartementet", None, 11, False),
        ("Fråsegn om ny lov om sosiale tenester", None, 20, True),
        ("Sakshandsamar: Eirik Hauge", None, 10, False),
        ("Innleiing", "Heading 1", None, False),
        ("Kommunen viser til høyringsbrevet og vil i denne fråsegna peike på nokre forhold som er viktige "
         "for små kommunar. Vi meiner at lova må gje rom for lokale løysingar og at det må følgje pengar "
         "med dei nye oppgåvene.", None, None, False),
    ])
    # held out from tuning
    _docx(HERE / "holdout_nynorsk_rapport.docx", [
        ("Vestlandsforsking-rapport nr. 3/2015", None, 10, False),
        ("Heile tenester i små kommunar", "Title", None, False),
        ("Ei evaluering av samarbeidsforsøket i Sunnfjord", "Subtitle", None, False),
        ("Solveig Bratteli Hjelle", None, None, False),
        ("Samandrag", "Heading 1", None, False),
        (BODY, None, None, False),
    ])

    # second held-out set, written after the first held-out set had been used
    _docx(HERE / "holdout2_kommunerapport.docx", [
        ("Rapport nr. 2/2020", None, 10, False),
        ("Rus og bolig i Agder", None, 18, True),
        ("Kartlegging av tjenestetilbudet til personer med rusproblemer", None, 13, False),
        ("Utarbeidet av: Kristiansand kommune, Helse og mestring", None, 11, False),
        ("Kristiansand, februar 2020", None, 11, False),
        ("1 Bakgrunn", "Heading 1", None, False),
        (BODY, None, None, False),
    ])


if __name__ == "__main__":
    HERE.mkdir(parents=True, exist_ok=True)
    make_pdfs()
    make_docx()
    print(f"wrote fixtures to {HERE}")
