"""Printed page labels: citations give the page as printed, not the physical page of the PDF."""

from __future__ import annotations

import json

import pytest
from conftest import GENERATED_PDFS, requires_shared

from policytekst.clean.pagenumbers import printed_labels


def test_labels_follow_the_printed_numbers_not_years_in_headers() -> None:
    title = "Rapport om samordning\nOslo, mars 2009"
    colophon = "ISBN 978-82-0000-000-0\nTrykk: Eget forlag"
    front = ["Forord\nTekst om arbeidet.\nSide iii", "Innhold\n1 Innledning ..... 1\nSide iv"]
    body = [f"Samordning 2009\nAvsnitt {n} om NAV-reformen.\nMer tekst her.\nSide {n}" for n in range(1, 9)]
    labels = printed_labels([title, colophon, *front, *body])
    # front matter counts in roman numerals from the title page on, printed or not; the year in the running
    # header is not a page number
    assert labels == ["i", "ii", "iii", "iv", *[str(n) for n in range(1, 9)]]


def test_no_labels_without_a_consistent_offset() -> None:
    pages = ["Kapittel 3\nTekst", "Tabell 12\nTekst", "Figur 7\nTekst", "Noe annet\nTekst"]
    assert printed_labels(pages) is None


@requires_shared
@pytest.mark.parametrize("name", ["report2009_plain", "thesis2010_plain"])
def test_generated_pdfs_headings_sit_on_their_printed_pages(seed_corpus, name: str) -> None:
    truth = json.loads((GENERATED_PDFS / f"{name}.truth.json").read_text(encoding="utf-8"))
    labels = seed_corpus.document(name).meta["page_labels"]
    assert len(labels) == truth["n_pages"]
    assert labels[truth["body_first_pdf_page"] - 1] == "1"
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(GENERATED_PDFS / f"{name}.pdf"))
    pages = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    checked = 0
    for heading in truth["headings"]:
        if heading["level"] != 1 or not heading.get("page"):
            continue
        text = " ".join(heading["text"].split())
        # the heading's page by its printed label; the TOC (which lists every heading) is skipped
        physical = [i for i, page in enumerate(pages) if text in page and "....." not in page]
        assert physical, heading
        assert labels[physical[0]] == heading["page"], (heading, physical[0])
        checked += 1
    assert checked >= 3


@requires_shared
def test_citations_use_printed_pages(seed_corpus) -> None:
    from policytekst.search import citation

    passage = next(p for p in seed_corpus.passages("report2009_plain") if p.kind == "body" and p.page_start >= 5)
    labels = seed_corpus.document("report2009_plain").meta["page_labels"]
    assert f"s. {labels[passage.page_start - 1]}" in citation(seed_corpus, passage.passage_id)
    assert labels[passage.page_start - 1] == str(passage.page_start - 4)


def test_an_unnumbered_title_page_is_counted_in_the_arabic_run() -> None:
    pages = ["Tittel\nForfatter"] + [f"Tekst om arbeidslinja.\n{n}" for n in range(2, 6)]
    assert printed_labels(pages) == ["1", "2", "3", "4", "5"]
