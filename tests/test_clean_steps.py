"""Unit tests of each cleaning step on small inputs written for the tests (no real data needed)."""

from __future__ import annotations

from collections import Counter

import pytest

from policytekst.clean import (
    boilerplate,
    clean_document,
    footnotes,
    headers,
    pagenumbers,
    structure,
    transcript,
)
from policytekst.clean.hyphenation import JOIN, KEEP, SUSPENDED, decide, mend, usage_counts
from policytekst.clean.reflow import Line, Reflower
from policytekst.clean.unicode import repair
from policytekst.model import Block, Page, RawDocument


def test_unicode_repair_restores_pdfium_hyphen_and_drops_invisibles():
    assert repair("vel\ufffeferd") == "vel-\nferd"
    assert repair("a\u00adb \ufb01nne\u00a0x\r\ny") == "ab finne x\ny"
    assert repair("ord\u00ad\nneste") == "ord-\nneste"


@pytest.mark.parametrize("left,right,expected", [
    ("kas", "teballsituasjoner", JOIN),        # a typesetter's split inside a word
    ("omfatten", "de", JOIN),
    ("samarbeids", "arena", JOIN),            # a compound split at its joint is still one word
    ("helse", "og", SUSPENDED),               # suspended hyphen before a conjunction
    ("arbeids", "eller", SUSPENDED),
    ("inn", "til", JOIN),                     # ... unless the parts make a dictionary word
    ("Nav", "kontoret", KEEP),
    ("NAV", "kontoret", KEEP),                # acronym + word
    ("Midt", "Norge", KEEP),                  # capital after the hyphen
    ("2006", "2007", KEEP),
    ("CO2", "avgiften", KEEP),
])
def test_hyphen_decisions(left, right, expected):
    assert decide(left, right) == expected


def test_document_usage_decides_hyphenated_compounds():
    usage = usage_counts("Vi bruker bestiller-utførermodellen her, og bestiller-utførermodellen der.")
    assert decide("bestiller", "utførermodellen", usage) == KEEP
    assert mend("en bestiller-", "utførermodell", usage) == "en bestiller-utførermodell"
    assert mend("om kas-", "teballproblemer i", Counter()) == "om kasteballproblemer i"
    assert mend("helse- og", "omsorg") is None  # no hyphen at the end: nothing to mend
    assert mend("helse-", "og omsorg") == "helse- og omsorg"


def test_page_numbers():
    for line in ("12", "- 12 -", "Side 12", "side 3 av 40", "xiv", "Page 7"):
        assert pagenumbers.is_page_number(line), line
    for line in ("12 informanter", "Side om side", "2.1", "i dag"):
        assert not pagenumbers.is_page_number(line), line


def test_running_headers_and_footers_removed_with_changing_numbers():
    pages = []
    for n in range(1, 9):
        header = f"{2024 + n % 2}–2026 Rapport om tjenester {n}" if n % 2 else f"{n} Rapport om tjenester 2025–2026"
        pages.append([header, f"Tekst på side {n} som handler om noe viktig.", "Mer tekst her.", f"Side {n}"])
    cleaned, removed = headers.strip_running(pages)
    assert all(len(p) == 2 for p in cleaned), cleaned
    assert all(p[0].startswith("Tekst på side") for p in cleaned)
    assert len(removed) == 16


def test_page_bottom_footnotes_split_and_markers_removed():
    lines = [
        "Prosjektet startet i Trondheim2 og ble utvidet til Oslo.",
        "Det ble evaluert senere3",
        ", og resultatene var gode.",
        "Mer tekst uten noter her.",
        "2 Se rapporten fra 2009.",
        "3",
        " Evalueringen ble gjort av et eksternt miljø",
        "i to runder.",
    ]
    body, notes, nxt = footnotes.split_page(lines, 2)
    assert notes == [(2, "Se rapporten fra 2009."), (3, "Evalueringen ble gjort av et eksternt miljø i to runder.")]
    assert body[0] == "Prosjektet startet i Trondheim og ble utvidet til Oslo."
    assert body[1] == "Det ble evaluert senere"
    assert nxt == 4


def test_page_without_footnotes_is_untouched():
    lines = ["I 2006 var det 3 kontorer.", "Det var mange brukere.", "1 Innledning", "Tekst."]
    body, notes, nxt = footnotes.split_page(lines, 1)
    assert notes == [] and body == lines and nxt == 1


def test_inline_footnotes_of_a_transcript_page():
    text = ("Vi samarbeidet med helseforetak 1. Vedtak skrives som kontrakter 2, og planer lages. "
            "Arbeidet fortsetter 1 Om samarbeidsavtaler: 2 Om kontrakter i kommunen")
    body, notes, nxt = footnotes.split_inline(text, 1)
    assert notes == [(1, "Om samarbeidsavtaler:"), (2, "Om kontrakter i kommunen")]
    assert "helseforetak." in body and "kontrakter, og" in body and body.endswith("Arbeidet fortsetter")
    assert nxt == 3


def test_markdown_footnotes():
    assert footnotes.markdown_footnote("<sup>4</sup> Se vedlegg 1.") == (4, "Se vedlegg 1.")
    assert footnotes.strip_markdown_markers("arbeidet<sup>4</sup>. Videre[^5]") == "arbeidet. Videre"


def test_boilerplate_by_structure():
    lines = ["Størrelse: px", "Begynne med side:", "Download", "Transkript", "Tekst i dokumentet her.",
             "En tittel om NAV", "En tittel om NAV En tittel om NAV og mer tekst fra dokumentet", "Detaljer",
             "Overskrift", "Overskrift og et avsnitt som begynner likt men er tekst."]
    chrome = boilerplate.chrome_lines(lines)
    assert {0, 1, 2, 3, 5, 6, 7} <= chrome
    assert 4 not in chrome and 8 not in chrome and 9 not in chrome  # a heading and its paragraph stay
    assert boilerplate.is_notice("JavaScript is disabled in your web browser. Enable JavaScript in your browser.")
    assert boilerplate.is_date_stamp("16.01.2006") and boilerplate.is_date_stamp("15.12.2013 22:35")


def test_transcript_page_run_and_run_in_headings():
    filler = " ".join(["ord"] * 60)
    lines = ["Nettstedets tittel", "", "Detaljer", ""] + [f"{n} Avsnitt på side {n}. {filler}" for n in range(5, 12)]
    side, indices = transcript.page_run(lines)
    assert side == "start" and len(indices) == 7
    assert pagenumbers.split_glued(lines[indices[0]], side)[0] == 5
    parts, last = transcript.split_run_in_headings(
        "2 Relevante studier 2.1 Samordning av tjenester I dette kapittelet ser vi på NAV. "
        "Tabell 3 viser tall. 2.2 Rammer for arbeidet Prosjektet startet.", (1, 4))
    assert parts[0] == ("heading", "2 Relevante studier")
    assert parts[1] == ("heading", "2.1 Samordning av tjenester")
    assert ("heading", "2.2 Rammer for arbeidet") in parts
    assert last == (2, 2)


def test_structure_helpers():
    assert structure.section_kind("Sammendrag") == "summary"
    assert structure.section_kind("6 LITTERATUR") == "reference"
    assert structure.section_kind("Vedlegg 2: Intervjuguide") == "appendix"
    assert structure.section_kind("Innholdsfortegnelse") == "toc"
    assert structure.section_kind("2.1 Samordning") is None
    assert structure.is_toc_entry("2.1 Samordning av tjenester ............ 14")
    assert structure.is_toc_entry("Forord . . . . . . . . . iii")
    assert not structure.is_toc_entry("I 2006 var det 14")
    assert structure.heading_level("3.2.1 Noe") == 3 and structure.heading_level("1.0 Bakteppe") == 1


def test_reflow_paragraphs_headings_lists_and_hyphens():
    text = [
        "1.1 Formål",
        "Dette er en lang linje som fortsetter over flere linjer og handler om kas-",
        "teballsituasjoner i helse- og omsorgstjenestene i kommunene i hele landet vårt.",
        "Kort siste linje.",
        "Et nytt avsnitt begynner her og går over hele bredden av siden slik som før,",
        "og slutter her.",
        "• første punkt i en liste",
        "• andre punkt",
    ]
    blocks = Reflower(width=80).run([Line(t, 3) for t in text])
    kinds = [b.kind for b in blocks]
    assert kinds == ["heading", "body", "body", "list", "list"], [(b.kind, b.text) for b in blocks]
    assert "kasteballsituasjoner" in blocks[1].text and "helse- og omsorgstjenestene" in blocks[1].text
    assert blocks[3].text == "første punkt i en liste"


def test_clean_document_pdf_like_pages_end_to_end():
    """Four synthetic pages: running header, page numbers, footnotes, a hyphen across a page break."""
    notes = ["Se rapporten fra kommunen.", "Tallene er fra SSB.", "Intervju med en leder.", "Egen beregning."]
    pages = []
    for n in range(1, 5):
        lines = ["Min rapport om samordning",
                 f"Avsnitt {n} handler om brukermedvirkning i tjenestene og om hvordan kommunene",
                 f"arbeider med dette i praksis i dag, og det er viktig{n}. Det siste ordet er sam-"
                 if n < 4 else f"arbeider med dette i praksis i dag, og det er viktig{n}. Slutt.",
                 f"{n} {notes[n - 1]}", str(n)]
        if n > 1:
            lines.insert(1, "ordning mellom etatene i kommunen, som er et mål.")
        pages.append(Page(n, "\n".join(lines)))
    blocks = clean_document(RawDocument("x.pdf", "pdf", pages))
    joined = " ".join(b.text for b in blocks if b.kind in ("body", "heading"))
    assert "Min rapport om samordning" not in joined
    assert not any(b.text.strip().isdigit() for b in blocks)
    assert [b.meta.get("n") for b in blocks if b.kind == "footnote"] == [1, 2, 3, 4]
    assert "viktig." in joined and "viktig1" not in joined
    assert "samordning mellom etatene" in joined
    assert all(isinstance(b, Block) for b in blocks)


# -- issue 12: contents, forms and quotation dashes recognised by their shape ---------------------------------------
@pytest.mark.parametrize("line,page", [
    ("4.2 Gjeldende rett . . . . . . . . . . . . . 87", 87),
    ("3.2.2 Fradraget for reiser . . . . . . . . 79 318, 332-333", 79),  # two page columns (omtalt / vedtak)
    ("Forord ........ iii", None),                                       # roman: an entry, no arabic page
    ("Skatt på inntekt ............ 1 757 1 850 1 800", None),            # amounts in thousands
    ("Avgift på olje ............... 22,0 22,5", None),                   # decimals
    ("Redusere fradraget ........ -150 -150", None),                      # signs
    ("Trikloreten ................. 0 0 0 0", None),                      # a row of zeros
])
def test_toc_entry_page(line, page):
    if page is None and "iii" in line:
        assert structure.toc_entry_page(line) == 0
    else:
        assert structure.toc_entry_page(line) == page


def test_contents_need_page_numbers_in_order():
    contents = [f"{i} Kapittel om noe viktig ........ {p}" for i, p in enumerate((3, 7, 12, 19, 25), 1)]
    table = [f"{i} Avgift på noe ........ {a}" for i, a in enumerate((517, 3, 96, 12, 4), 1)]
    assert structure.toc_entries_in_order(contents) == 5
    assert structure.toc_entries_in_order(table) == 0


@pytest.mark.parametrize("line,field", [
    ("E-post: post@eksempel.no", True), ("ISBN 978-82-000-0000-0", True), ("Telefaks 12 34 56 78", True),
    ("Tilgjengelighet: Åpen", True), ("Prosjektnr.: 4711", True), ("Web: www.eksempel.no", True),
    ("Tilgjengelighet og fleksibilitet", False),   # a heading that starts with a label word
    ("Telefonen ringte hele dagen.", False), ("Design av tjenester er et fag", False),
])
def test_form_fields(line, field):
    assert structure.is_form_field(line) is field


def _pdf(pages: list[list[str]]) -> RawDocument:
    return RawDocument("x.pdf", "pdf", [Page(i, "\n".join(lines)) for i, lines in enumerate(pages, 1)])


_PROSE = ("Kommunene har valgt ulike løsninger for tjenestene, og de ansatte beskriver arbeidet som krevende "
          "fordi brukerne har sammensatte behov og møter mange etater i løpet av et år.")


def test_contents_pages_and_their_continuation_stay_out_of_text_and_footnotes():
    from policytekst.segment import segment

    pages = [
        ["Rapport om samordning", "Forfatter Navnesen"],
        ["Innhold", "Forord ........................... iii", "1 Innledning ..................... 1",
         "2 Bakgrunn ....................... 4", "2.1 Tidligere forskning ........ 5"],
        ["2.2 Tidligere evalueringer ....... 6", "2.3 Begreper og teori ............ 8",
         "3 Metode .......................... 9", "3.1 Utvalg ...................... 10",
         "4 Funn i tjenestene2 ............. 14", "5 Drøfting ........................ 21",
         "6 Konklusjon .................... 28"],
        ["1 Innledning", _PROSE, _PROSE + " Dette gjelder særlig oppfølging.1", _PROSE,
         "1 Se rapporten fra direktoratet."],
        ["2 Bakgrunn", _PROSE, "Skatt på inntekt ............ 1 757 1 850 1 800",
         "Avgift på olje ............... 22,0 22,5", "Redusere fradraget ........ -150 -150", _PROSE],
    ]
    blocks = clean_document(_pdf(pages))
    text, _ = segment("x", blocks)
    assert "Metode" not in text and "...." not in text.split("2 Bakgrunn")[0]
    assert {b.page_start for b in blocks if b.kind == "toc"} == {2, 3}
    notes = [b for b in blocks if b.kind == "footnote"]
    assert [b.text for b in notes] == ["Se rapporten fra direktoratet."]
    assert "oppfølging." in text and "oppfølging.1" not in text
    # a table set with leaders is text, row by row
    tables = [b for b in blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].text.split("\n") == [
        "Skatt på inntekt | 1 757 | 1 850 | 1 800", "Avgift på olje | 22,0 | 22,5", "Redusere fradraget | -150 | -150"]
    assert tables[0].text in text


def test_form_fields_and_contents_headings_leave_flowing_text():
    md = "\n\n".join([
        "# Rapport om samordning", "Postadresse: Postboks 1, 0001 Oslo", "Telefaks: 12 34 56 78",
        "E-post: post@eksempel.no", "ISBN 978-82-000-0000-0",
        "## Innhold", "### 1.1 Bakgrunn ..... 9", "### 1.2 Metode ..... 12",
        "## 1 Innledning", "### 1.1 Bakgrunn", _PROSE, _PROSE, "ISBN 978-82-000-0000-0",
    ])
    blocks = clean_document(RawDocument("r.md", "markdown", [Page(1, md)]))
    from policytekst.segment import segment

    text, _ = segment("r", blocks)
    for label in ("Postadresse", "Telefaks", "E-post", "ISBN", "....."):
        assert label not in text, label
    assert "1.1 Bakgrunn" in text.split("\n\n") and _PROSE in text


@pytest.mark.parametrize("fmt", ["markdown", "pdf"])
def test_quote_dash_paragraphs_keep_their_dash(fmt):
    quote = "– Vi har jobbet med dette hele høsten, og nå ser vi resultater, sier lederen ved kontoret."
    lines = ["Det nye kontoret åpnet mandag, og lederen var fornøyd med oppmøtet den første dagen. " + _PROSE, "",
             quote, "", "Tiltakene omfatter:", "– økt brukermedvirkning", "– færre skjemaer", "",
             "– Det er for tidlig å si hvordan det går, mener han, men vi har troen på at det blir bra."]
    if fmt == "markdown":
        raw = RawDocument("n.md", "markdown", [Page(1, "\n".join(lines))])
    else:
        raw = _pdf([lines, [_PROSE, _PROSE]])
    blocks = clean_document(raw)
    quotes = [b for b in blocks if b.text.startswith("– ")]
    assert [b.kind for b in quotes] == ["body", "body"], [(b.kind, b.text[:30]) for b in blocks]
    assert quotes[0].text == quote
    items = [b.text for b in blocks if b.kind == "list"]
    assert "økt brukermedvirkning" in " ".join(items)


def test_same_section_title_in_other_chapters_is_not_a_running_header():
    """"4.6 Ikrafttredelse", "7.7 Ikrafttredelse" ... at page edges are headings; "2.1 Teori" on every page is
    a running header."""
    pages = []
    for n in range(1, 10):
        lines = [f"Rapport 2026 side {n}", "2.1 Teori", f"Tekst på side {n} om tjenestene i kommunen."]
        lines += [f"Linje {k} med mer tekst om brukerne og de ansatte." for k in range(10)]
        if n % 3 == 0:
            lines.append(f"{n}.{n % 4 + 2} Ikrafttredelse")
        pages.append(lines)
    cleaned, removed = headers.strip_running(pages)
    assert "2.1 Teori" in removed
    assert [line for p in cleaned for line in p if "Ikrafttredelse" in line] == [
        "3.5 Ikrafttredelse", "6.4 Ikrafttredelse", "9.3 Ikrafttredelse"]


def test_outline_heading_wrapped_over_three_lines_with_a_hyphen():
    outline = [{"title": t, "level": 2} for t in (
        "1 Innledning", "2 Bakgrunn", "3.2.3 Fradrag for fagforeningskontingent og andre utgifter til medlemskap")]
    lines = [Line(t, 1) for t in ("Tekst før overskriften.", "3.2.3 Fradrag for fagforenings-",
                                  "kontingent og andre utgifter til", "medlemskap", "Tekst etter overskriften.")]
    blocks = Reflower(outline=outline, width=60).run(lines)
    assert [(b.kind, b.text) for b in blocks][1] == (
        "heading", "3.2.3 Fradrag for fagforeningskontingent og andre utgifter til medlemskap")
