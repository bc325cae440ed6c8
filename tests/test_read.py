"""Readers: each format gives pages of raw text, and bad files give a clear reason."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import BAD_PDFS, GENERATED_PDFS, REAL_PDFS, requires_shared

from policytekst.read import ReadError, format_of, iter_table, read_file

NORWEGIAN = "Brukermedvirkning på NAV-kontoret: æ, ø og å må komme riktig ut.\n\nAndre avsnitt om samordning."


def test_utf8_and_cp1252_text_decode_to_the_same_norwegian_letters(tmp_path: Path) -> None:
    utf8 = tmp_path / "a.txt"
    utf8.write_text(NORWEGIAN, encoding="utf-8")
    legacy = tmp_path / "b.txt"
    legacy.write_bytes(NORWEGIAN.encode("cp1252"))
    latin = tmp_path / "c.md"
    latin.write_bytes(NORWEGIAN.encode("latin-1"))
    for path in (utf8, legacy, latin):
        doc = read_file(path)
        assert doc.pages[0].text == NORWEGIAN, path
    assert read_file(legacy).facts["encoding"] == "cp1252"
    assert read_file(latin).format == "markdown"


def test_form_feeds_become_pages(tmp_path: Path) -> None:
    path = tmp_path / "paged.txt"
    path.write_text("side en\fside to\fside tre", encoding="utf-8")
    doc = read_file(path)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[1].text == "side to"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("junk.txt", bytes(range(256)) * 40, "binary content"),
        ("blank.txt", b"   \n\n  ", "no text"),
        ("fake.pdf", b"%PDF-1.4 this is not really a pdf", "damaged or unreadable PDF"),
        ("fake.docx", b"PK not a zip", "not a valid DOCX"),
        ("image.png", b"\x89PNG\r\n", "unsupported format"),
    ],
)
def test_bad_files_give_a_clear_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read_file(path)


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    body = " ".join(["Samordning av tjenestene i NAV skulle gi brukerne én dør inn."] * 6)
    page = tmp_path / "artikkel.html"
    page.write_text(
        "<html><head><title>Én dør inn</title><meta name='author' content='Kari Nordmann'>"
        "<meta name='date' content='2007-03-01'></head><body><nav><a href='/'>Forsiden</a></nav>"
        f"<article><h1>Én dør inn</h1><p>{body}</p><p>{body}</p></article>"
        "<footer>Kontakt oss | Personvern</footer></body></html>", encoding="utf-8")
    doc = read_file(page)
    assert "Samordning av tjenestene" in doc.pages[0].text
    assert "Personvern" not in doc.pages[0].text
    assert doc.meta["title"] == "Én dør inn"
    assert doc.meta["author"] == "Kari Nordmann"
    assert doc.meta["date"].startswith("2007")


def test_docx_headings_and_paragraphs(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Innledning", level=1)
    document.add_paragraph("Arbeidslinja står sterkt i norsk velferdspolitikk.")
    document.core_properties.author = "Ola Nordmann"
    path = tmp_path / "notat.docx"
    document.save(path)
    doc = read_file(path)
    assert doc.pages[0].text.startswith("# Innledning")
    assert "Arbeidslinja står sterkt" in doc.pages[0].text
    assert doc.meta["author"] == "Ola Nordmann"


def test_table_rows_stream_with_ids_dates_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "sporsmal.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write("id,dato,parti,tekst\n")
        handle.write('7,2005-03-01,H,"Om Aetat og trygdeetaten, ""samordning"""\n')
        handle.write("7,2008-05-02,Ap,Om NAV-kontorene\n")  # repeated id
        handle.write(",2009-01-01,V,\n")  # empty id and text
    rows = list(iter_table(path, text_column="tekst", id_column="id", date_column="dato", meta_columns=["parti"]))
    assert [r.doc_id for r in rows] == ["sporsmal-7", "sporsmal-7row2", "sporsmal-row3"]
    assert rows[0].meta == {"parti": "H", "date": "2005-03-01", "year": 2005}
    assert rows[0].pages[0].text == 'Om Aetat og trygdeetaten, "samordning"'
    assert format_of(path) == "table"


def test_table_without_text_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(ReadError, match="--text-column .*a, b"):
        list(iter_table(path))


@requires_shared
@pytest.mark.parametrize(
    ("name", "password", "outcome"),
    [
        ("encrypted-password.pdf", None, "encrypted PDF: give its password"),
        ("encrypted-password.pdf", "wrong", "wrong password"),
        ("encrypted-password.pdf", "openpassword", "text"),
        ("encrypted-aes256.pdf", "foo", "Secret"),
        ("no-text-layer-images.pdf", None, "no text layer .*needs OCR"),
        ("corrupted-zen.pdf", None, "Beautiful is better"),
        ("unreadable-metadata.pdf", None, "damaged or unreadable PDF"),
    ],
)
def test_hostile_pdfs(name: str, password: str | None, outcome: str) -> None:
    """``outcome``: text expected in the extracted pages, or the start of the error message."""
    path = BAD_PDFS / name
    if outcome[0].isupper() or outcome == "text":
        doc = read_file(path, password=password)
        text = " ".join(p.text for p in doc.pages)
        assert outcome in text if outcome != "text" else len(text.split()) > 20
    else:
        with pytest.raises(ReadError, match=outcome):
            read_file(path, password=password)


@requires_shared
def test_real_pdf_pages_outline_and_hyphen_marks() -> None:
    doc = read_file(GENERATED_PDFS / "thesis2010_plain.pdf")
    assert doc.n_pages == len(doc.pages) > 50
    assert [p.number for p in doc.pages] == list(range(1, doc.n_pages + 1))
    assert doc.facts["outline"], "headings are PDF bookmarks in this file"
    assert any("\ufffe" in p.text for p in doc.pages), "pdfium's line-end hyphen marks are kept for cleaning"
    form = read_file(REAL_PDFS / "nav_pale-2_legeerklaering.pdf")
    assert form.n_pages == 3
