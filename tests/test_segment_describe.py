"""Segmenting and describing on small inputs written for the tests."""

from __future__ import annotations

from policytekst.describe import describe
from policytekst.model import Block, Page, RawDocument
from policytekst.segment import MAX_WORDS, segment, split_long


def test_long_paragraph_cut_at_sentence_ends_with_page_spans():
    sentence = "Dette er en setning om samordning i NAV, jf. St.meld. nr. 14 om reformen. "
    text = (sentence * 60).strip()
    block = Block(text, "body", 4, 5, meta={"page_breaks": [(len(text) // 2, 5)]})
    clean, passages = segment("d", [Block("2 Teori", "heading", 4, 4, level=1), block])
    assert clean.startswith("2 Teori\n\n")
    assert len(passages) >= 3 and all(p.n_words <= MAX_WORDS for p in passages)
    assert all(p.text.endswith(".") for p in passages)
    assert passages[0].page_start == 4 and passages[-1].page_end == 5
    for p in passages:
        assert clean[p.char_start:p.char_end] == p.text
        assert p.section == "2 Teori"


def test_short_paragraphs_merge_but_not_across_kinds_and_footnotes_stay_single():
    blocks = [Block("Kort avsnitt en.", "body"), Block("Kort avsnitt to.", "body"),
              Block("Note en.", "footnote"), Block("Note to.", "footnote"), Block("Sammendrag", "heading", level=1),
              Block("Et sammendrag.", "summary"), Block("Menylenke", "boilerplate")]
    clean, passages = segment("d", blocks)
    assert [p.kind for p in passages] == ["body", "footnote", "footnote", "summary"]
    assert passages[0].text == "Kort avsnitt en.\n\nKort avsnitt to."
    assert "Menylenke" not in clean and "Note en." not in clean
    assert split_long("Kort.") == [(0, 5)]


def _raw(lines, fmt="pdf", meta=None):
    return RawDocument("/tmp/x.pdf", fmt, [Page(1, "\n".join(lines))], meta=meta or {})


def test_describe_title_page_form_and_signature():
    front = Block("Universitetet i Nordland\nTjenester i endring\nog samordning\nMasteroppgave i sosialt arbeid\n"
                  "Kari Nordmann\nVeileder: Ola Hansen\nBodø, mai 2012", "front")
    body = Block("Denne oppgaven handler om samordning av tjenester i kommunene etter reformen i 2006.", "body")
    fields = describe(_raw([], meta={"author": "python-docx", "title": "Microsoft Word - x.docx", "created": "2020"}),
                      [front, body])
    assert fields["title"].value == "Tjenester i endring og samordning"
    assert fields["authors"].value == ["Kari Nordmann"]
    assert fields["year"].value == 2012 and fields["year"].evidence == "Bodø, mai 2012"
    assert fields["genre"].value == "masteroppgave"
    assert fields["institution"].value == "Universitetet i Nordland"


def test_describe_never_takes_years_from_chrome_section_numbers_or_issn():
    blocks = [Block("Like dokumenter fra 2014 og 2015", "boilerplate"),
              Block("Se avsnitt 3.2.10 og ISSN 1890 7644 for detaljer om dette arbeidet i kommunen.", "body"),
              Block("Arbeidet startet i 2003 og ble evaluert i 2005 av forskere fra to miljøer.", "body")]
    fields = describe(_raw([], fmt="text"), blocks)
    assert fields["year"].value == 2005 and fields["year"].confidence == "low"
    assert "newest year" in fields["year"].evidence


def test_describe_web_stamps_and_sidecar_override():
    blocks = [Block("16.01.2006", "boilerplate"), Block("15.12.2013 22:35", "boilerplate"),
              Block("En artikkel om arbeid og aktivitet i NAV-kontorene og om brukerne der.", "body")]
    fields = describe(_raw([], fmt="text"), blocks)
    assert fields["year"].value == 2006 and "15.12.2013" in fields["year"].evidence
    assert fields["genre"].value == "artikkel"
    fields = describe(_raw([], fmt="text"), blocks, {"year": 2007, "title": "Riktig tittel"})
    assert fields["year"].value == 2007 and fields["year"].source == "sidecar"
    assert fields["title"].value == "Riktig tittel" and fields["title"].source == "sidecar"
