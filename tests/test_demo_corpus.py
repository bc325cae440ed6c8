"""The embedded demo corpus (corpus/): it ingests whole, spans years/formats/genres, carries the noise the cleaning
stage must remove, matches its sources, and its themes move over time as written (counted with a tiny helper
independent of the themes package, so this checks the corpus, not the codebook)."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO, ROOT

SCRIPT = ROOT / "scripts" / "make_demo_corpus.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_demo_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo_corpus", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sources():
    """The parsed sources (front matter = ground truth for every document, including the undisclosed ones)."""
    return {s.file: s for s in _generator().load_sources()}


@pytest.fixture(scope="module")
def docs(demo_corpus, sources) -> pd.DataFrame:
    frame = demo_corpus.documents_frame()
    frame["file"] = [Path(p.split("#")[0]).name for p in frame["path"]]
    truth = {name: s.meta["year"] for name, s in sources.items()}
    frame["true_year"] = [truth.get(f, y) for f, y in zip(frame["file"], frame["year"], strict=True)]
    return frame


@pytest.fixture(scope="module")
def passages(demo_corpus, docs) -> pd.DataFrame:
    frame = demo_corpus.passages_frame()
    return frame.merge(docs[["doc_id", "file", "true_year"]], on="doc_id")


# ---------------------------------------------------------------------------------------------------------------
# Ingest, spread and sidecar
# ---------------------------------------------------------------------------------------------------------------


def test_every_file_ingests(docs, sources):
    files = {p.name for p in DEMO.iterdir() if p.is_file() and not p.name.startswith(".")}
    documents = files - {"metadata.csv", "README.md", "sporsmal_2001_2020.csv"}
    assert documents == set(sources), "corpus/ and scripts/demo_texts/ disagree: rerun make_demo_corpus.py"
    assert documents <= set(docs["file"]), f"not ingested: {sorted(documents - set(docs['file']))}"
    assert (docs[docs["file"].isin(documents)]["n_passages"] >= 5).all()
    assert "README.md" not in set(docs["file"])  # the folder's notes are not a document


def test_spread_over_years_formats_genres_languages(docs, sources):
    long_docs = docs[docs["file"].isin(sources)]
    assert len(long_docs) >= 15
    assert long_docs["true_year"].nunique() >= 10
    assert long_docs["true_year"].min() <= 2002 and long_docs["true_year"].max() >= 2019
    assert long_docs["format"].nunique() >= 5  # pdf, html, text, markdown, docx
    years_from_corpus = long_docs["year"].dropna()
    assert years_from_corpus.nunique() >= 10  # from the sidecar alone, before any detection from text
    assert {"masteroppgave", "rapport", "stortingsmelding", "fagartikkel", "kronikk", "nyhetsartikkel",
            "høringsuttalelse"} <= {s.meta["genre"] for s in sources.values()}
    assert sum(s.lang == "nn" for s in sources.values()) >= 2
    words = {name: _generator().word_count(s) for name, s in sources.items()}
    assert all(700 <= n <= 2500 for n in words.values()), words


def test_question_table_rows_are_dated(docs):
    rows = docs[docs["format"] == "table-row"]
    assert len(rows) == 60
    assert rows["year"].between(2001, 2020).all() and rows["year"].nunique() == 20
    assert rows["doc_id"].str.contains(r"-SP-\d{4}-\d{3}$").all()  # ids come from the id column
    assert rows["title"].notna().all()
    assert (rows["genre"] == "sporsmal").all()  # from the table's row in the sidecar


def test_sidecar_covers_all_but_the_undisclosed(sources):
    with open(DEMO / "metadata.csv", encoding="utf-8", newline="") as handle:
        rows = {r["file"]: r for r in csv.DictReader(handle)}
    table_row = rows.pop("sporsmal_2001_2020.csv")  # defaults for the question rows, not a document
    assert table_row["genre"] and not table_row["year"]
    hidden = {name for name, s in sources.items() if not s.meta.get("sidecar", True)}
    assert 3 <= len(hidden) <= 4 and not hidden & set(rows)
    assert set(rows) == set(sources) - hidden
    for name, row in rows.items():
        meta = sources[name].meta
        assert int(row["year"]) == meta["year"] and row["genre"] == meta["genre"]
        assert row["authors"].split(";") == meta["authors"]


def test_undisclosed_metadata_is_findable_in_the_text(demo_corpus, docs, sources):
    """Where the sidecar is silent, the year must be in the document's own running text (a signature line,
    a title-page season, a dateline) so metadata detection has evidence to find."""
    for name, source in sources.items():
        if source.meta.get("sidecar", True):
            continue
        doc_id = docs.loc[docs["file"] == name, "doc_id"].item()
        raw = (DEMO / name).read_bytes().decode("utf-8", "replace") if not name.endswith(".pdf") else ""
        text = demo_corpus.text(doc_id) + raw
        if name.endswith(".pdf"):
            text += _pdf_text(DEMO / name)
        assert str(source.meta["year"]) in text, name


# ---------------------------------------------------------------------------------------------------------------
# Noise in the generated files
# ---------------------------------------------------------------------------------------------------------------


def _pdf_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _pdf_text(path: Path) -> str:
    return "\n".join(_pdf_pages(path))


def test_pdfs_carry_hyphens_headers_and_page_numbers(sources):
    pdfs = [s for s in sources.values() if s.fmt == "pdf"]
    assert len(pdfs) >= 5
    compound_breaks = 0
    for source in pdfs:
        pages = _pdf_pages(DEMO / source.file)
        body = pages[2:]  # after the title page and the table of contents
        assert len(body) >= 2, source.file
        text = "\n".join(pages)
        # pdfium marks a hyphen that ends a line as U+FFFE: the lines are hyphenated for real
        assert text.count("\ufffe") >= 5, source.file
        header = source.meta["pdf"]["header_left"]
        assert sum(header in p for p in body) == len(body), source.file
        label = source.meta["pdf"].get("page_label", "{n}")
        numbered = sum(bool(re.search(rf"(^|\n){re.escape(label.format(n=i + 3))}\s*(\n|$)", p))
                       for i, p in enumerate(body))
        assert numbered == len(body), source.file
        assert re.search(r"\.{20,}\s*\d+", pages[1]) or not source.meta["pdf"].get("toc", True)  # TOC leaders
        source_words = {w for b in source.blocks for w in re.findall(r"\w+(?:-\w+)+", b.text)}
        compound_breaks += sum(w.replace("-", "\ufffe", 1) in text for w in source_words)
    assert compound_breaks >= 2  # "IKT-/løsninger": a real hyphen at a line end that cleaning must keep


def test_pdf_layouts_differ(sources):
    """One report is set in two columns (short lines), one thesis has page-bottom footnotes."""
    widths = {}
    for source in (s for s in sources.values() if s.fmt == "pdf"):
        lines = [ln for p in _pdf_pages(DEMO / source.file)[2:] for ln in p.splitlines() if len(ln) > 20]
        widths[source.file] = sorted(len(ln) for ln in lines)[len(lines) // 2]
    two_column = [f for f, s in sources.items() if s.fmt == "pdf" and s.meta["pdf"].get("columns") == 2]
    assert two_column and all(widths[f] < 50 for f in two_column)
    assert all(w > 60 for f, w in widths.items() if f not in two_column), widths
    with_notes = [s for s in sources.values() if s.fmt == "pdf" and s.notes]
    assert with_notes
    for source in with_notes:
        text = _pdf_text(DEMO / source.file).replace("\ufffe", "")
        first_note = next(iter(source.notes.values()))
        assert first_note.split()[0] in text


def test_web_pages_have_chrome_and_metadata(sources):
    pages = [s for s in sources.values() if s.fmt == "html"]
    assert len(pages) >= 3
    for source in pages:
        page = (DEMO / source.file).read_text(encoding="utf-8")
        assert "<title>" in page and "Les også" in page and "cookie" in page.lower() and "<footer" in page
        assert '<meta name="date"' in page or source.meta.get("sidecar", True) is False


def test_cleaned_text_drops_chrome_and_page_furniture(demo_corpus, docs, sources):
    """The demo is only a demo of cleaning if the noise is gone after ingest (the cleaning stage's job)."""
    for name in ("2004_kronikk_kasteballene.html", "2001_utredning_styring_og_samordning.pdf"):
        text = demo_corpus.text(docs.loc[docs["file"] == name, "doc_id"].item())
        assert "informasjonskapsler" not in text and "Alle rettigheter reservert" not in text
        assert not re.search(r"(^|\n)Side \d+(\n|$)", text)
        assert "kasteball" in text


@pytest.mark.skipif(importlib.util.find_spec("fpdf") is None, reason="fpdf2 not installed (pip install -e '.[dev]')")
def test_generator_reproduces_the_committed_files(sources):
    """Byte-identical output (fixed dates, ids and zip stamps). One PDF stands for all: loading fonts is slow,
    and `python scripts/make_demo_corpus.py --check` compares every file."""
    generator = _generator()
    files = generator.build(DEMO, formats={"html", "text", "markdown", "docx"})
    pdf = min((s for s in sources.values() if s.fmt == "pdf"), key=lambda s: len(s.blocks))
    files[pdf.file] = generator.render_pdf(pdf)
    stale = [name for name, data in files.items() if (DEMO / name).read_bytes() != data]
    assert not stale, f"regenerate with python scripts/make_demo_corpus.py: {stale}"


# ---------------------------------------------------------------------------------------------------------------
# The shifts the corpus is written to show
# ---------------------------------------------------------------------------------------------------------------

KEYWORDS = {
    "samordning": r"samordn\w*|samlokali\w*|én dør|éi dør|\bnav-kontor\w*|\bnav-reform\w*|partnerskap\w*"
                  r"|partnarskap\w*|felles (?:lokal\w* )?kontor\w*",
    "arbeidslinja": r"arbeidslinj\w*|aktivitetskrav\w*|aktivitetsplikt\w*|kvalifiseringsprogram\w*"
                    r"|vilkår om aktivitet|arbeid først|arbeidsrett\w*",
    "npm_tools": r"konkurranseutsett\w*|bestiller-utfører\w*|mål- og resultatstyring\w*|brukervalg|kunder?\b",
    "npm_critique": r"tellekant\w*|tillitsreform\w*|tillitsbaser\w*|detaljstyr\w*|dokumentasjonskrav\w*"
                    r"|rapporteringskrav\w*|mistillit\w*",
    "brukermedvirkning": r"brukermedvirkning\w*|brukarmedverknad\w*|brukerutvalg\w*|brukarutval\w*",
    "kasteball_word": r"kasteball\w*",
    "kasteball_story": r"fram og tilbake|mellom to stol\w*|fra dør til dør|frå dør til dør|send(?:t|e|es)? rundt"
                       r"|frå kontor til kontor|fra kontor til kontor",
}


def per_1000_words(frame: pd.DataFrame, theme: str, years: tuple[int, int]) -> float:
    part = frame[frame["true_year"].between(*years)]
    hits = part["text"].str.lower().str.count(KEYWORDS[theme]).sum()
    return 1000 * hits / part["n_words"].sum()


def test_samordning_and_arbeidslinja_rise_with_the_2006_reform(passages):
    before, after = (2001, 2005), (2006, 2012)
    assert per_1000_words(passages, "samordning", after) > 1.2 * per_1000_words(passages, "samordning", before)
    assert per_1000_words(passages, "arbeidslinja", (2006, 2015)) > \
        1.5 * per_1000_words(passages, "arbeidslinja", before)


def test_npm_praised_early_criticised_later(passages):
    early, late = (2001, 2005), (2011, 2020)
    assert per_1000_words(passages, "npm_critique", early) == 0
    assert per_1000_words(passages, "npm_critique", late) > 3.0
    assert per_1000_words(passages, "npm_tools", early) > per_1000_words(passages, "npm_tools", (2006, 2015))


def test_brukermedvirkning_grows(passages):
    rates = [per_1000_words(passages, "brukermedvirkning", p) for p in ((2001, 2006), (2007, 2013), (2014, 2020))]
    assert rates[0] < rates[1] < rates[2], rates


def test_kasteball_told_with_and_without_the_word(passages):
    text = passages["text"].str.lower()
    word = text.str.contains(KEYWORDS["kasteball_word"])
    story = text.str.contains(KEYWORDS["kasteball_story"])
    assert word.sum() >= 5
    assert (story & ~word).sum() >= 5  # stories a keyword list for "kasteball" alone would miss
    assert passages.loc[story & ~word, "file"].nunique() >= 4
    assert per_1000_words(passages, "kasteball_word", (2001, 2006)) > \
        per_1000_words(passages, "kasteball_word", (2013, 2020))
