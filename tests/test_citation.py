"""The one citation format (policytekst.citation): "Forfatter (år): Tittel, s. N, kap. X".

Each rule is tested on its own part (authors, year, pages, section) and then in the whole string; the corpus tests
check that stored passages are cited by the same rules, in one call for many passages.
"""

from __future__ import annotations

import pytest

from policytekst.citation import (
    NO_YEAR,
    author_part,
    citation,
    citations,
    format_citation,
    page_part,
    section_part,
    surname,
)
from policytekst.errors import UnknownNameError, UsageError


# -- authors -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "expected"), [
    ("Kristin Aasen", "Aasen"),
    ("Aasen, Kristin", "Aasen"),              # "Etternavn, Fornavn"
    ("  Kari   Nordmann ", "Nordmann"),       # spacing does not matter
    ("Inger Marii Tronvoll", "Tronvoll"),
    ("Jan van der Berg", "van der Berg"),     # particles belong to the surname
    ("Karin de Vibe", "de Vibe"),
    ("NAV", "NAV"),                           # one word: an organisation, kept whole
    ("Norsk institutt for by- og regionforskning", "Norsk institutt for by- og regionforskning"),  # > 4 words
])
def test_surname(name, expected):
    assert surname(name) == expected


def test_author_part_one_two_many_and_none():
    assert author_part(["Kristin Aasen"]) == "Aasen"
    assert author_part(["Kristin Aasen", "Ola Solstad"]) == "Aasen og Solstad"
    assert author_part(["Kristin Aasen", "Ola Solstad", "Kari Nordmann"]) == "Aasen mfl."
    assert author_part([]) == ""
    assert author_part(["", "  "]) == ""                      # blank names are no authors
    assert author_part(["", "Ola Solstad"]) == "Solstad"


# -- pages -------------------------------------------------------------------------------------------------------
def test_page_part_single_span_and_missing():
    assert page_part(12, 12) == "s. 12"
    assert page_part(12, 13) == "s. 12-13"
    assert page_part(12, None) == "s. 12"                      # no end: the start page
    assert page_part(None, None) == "" and page_part(0, 0) == ""


def test_page_part_uses_printed_labels_when_recorded():
    labels = ["i", "ii", "iii", "1", "2", "3"]                 # roman front matter, then the body from 1
    assert page_part(2, 2, labels) == "s. ii"
    assert page_part(4, 5, labels) == "s. 1-2"
    assert page_part(3, 4, labels) == "s. iii-1"
    assert page_part(8, 8, labels) == "s. 8"                   # beyond the labels: the physical page
    assert page_part(2, 2, ["i", " ", "iii"]) == "s. 2"        # a blank label is no label


# -- sections ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "expected"), [
    ("2 Teori > 2.1 New Public Management", "kap. 2.1"),       # the deepest numbered heading
    ("Innledning > 1.1 Bakgrunn > Om utvalget", "kap. 1.1"),   # an unnumbered sub-heading under a numbered one
    ("3. Metode", "kap. 3"),                                    # trailing dot of the number dropped
    ("Vedlegg > A.2 Spørreskjema", "kap. A.2"),
    ("Forord", "kap. Forord"),                                  # unnumbered: cited by its heading
    ("", ""),
    (None, ""),
])
def test_section_part(path, expected):
    assert section_part(path) == expected


def test_section_part_shortens_a_long_unnumbered_heading_at_a_word():
    heading = "Hvordan brukerne opplever samarbeidet mellom kommunen og staten i de nye kontorene"
    cited = section_part(heading)
    assert cited.startswith("kap. Hvordan brukerne") and cited.endswith(" …")
    assert len(cited) < len("kap. ") + len(heading) and heading.startswith(cited[5:-2])


# -- whole strings -----------------------------------------------------------------------------------------------
def test_format_citation_with_everything():
    assert format_citation(authors=["Kristin Aasen"], year=2009, title="Managementprosjektet", page_start=12,
                           page_end=13, section="3 Metode > 3.2 Utvalg") == \
        "Aasen (2009): Managementprosjektet, s. 12-13, kap. 3.2"


def test_format_citation_unknown_year_and_no_author():
    assert format_citation(authors=["A B", "C D", "E F"], year=None, title="T", page_start=5, page_end=5,
                           section="") == f"B mfl. ({NO_YEAR}): T, s. 5"
    # no author: the title takes the author's place
    assert format_citation(authors=[], year=2006, title="En ny tjeneste", page_start=4, page_end=4,
                           section="1 Innledning") == "En ny tjeneste (2006), s. 4, kap. 1"
    assert format_citation(authors=[], year=None, title="", page_start=None, page_end=None,
                           section=None) == f"Uten tittel ({NO_YEAR})"


def test_format_citation_unpaginated_sources_get_no_page():
    assert format_citation(authors=["Ola Solstad"], year=2010, title="Nettsak", page_start=1, page_end=1,
                           section="2 Bakgrunn", paginated=False) == "Solstad (2010): Nettsak, kap. 2"


def test_format_citation_drops_a_section_named_like_the_document():
    # a web article's only heading is its title: citing it again adds nothing
    assert format_citation(authors=[], year=2006, title="En ny tjeneste", page_start=1, page_end=1,
                           section="En ny tjeneste", paginated=False) == "En ny tjeneste (2006)"
    # a numbered section is kept even when its number appears in the title
    assert format_citation(authors=[], year=2006, title="Meld. St. 2", page_start=1, page_end=1,
                           section="2 Mål", paginated=False) == "Meld. St. 2 (2006), kap. 2"


def test_format_citation_printed_labels_and_whitespace_in_title():
    assert format_citation(authors=["X Y"], year=2010, title="  En\n lang   tittel ", page_start=3, page_end=3,
                           section="Forord", page_labels=["i", "ii", "iii"]) == \
        "Y (2010): En lang tittel, s. iii, kap. Forord"


# -- stored passages ---------------------------------------------------------------------------------------------
TEXTS = {
    "notat": "Kommunen og staten samarbeider om de nye kontorene.\n\nBrukerne får ett sted å henvende seg.",
    "brev": "Departementet ber om en vurdering av ordningen.\n\nSvaret skal foreligge innen fristen.",
}


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    from policytekst import Corpus

    folder = tmp_path_factory.mktemp("citation_docs")
    for name, text in TEXTS.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    (folder / "metadata.csv").write_text(
        'file,title,year,authors\nnotat.txt,Et notat om kontorene,2008,"Kari Nordmann"\nbrev.txt,Brevet,,\n',
        encoding="utf-8")
    corpus = Corpus(tmp_path_factory.mktemp("citation") / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus
    corpus.close()


def test_citations_of_stored_passages_follow_the_rules(tiny_corpus):
    docs = {d.doc_id: d for d in tiny_corpus.documents()}
    assert len(docs) == 2
    ids = [p.passage_id for p in tiny_corpus.passages()]
    found = citations(tiny_corpus, ids + ids[:1])           # duplicates asked once, all answered
    assert set(found) == set(ids)
    for passage in tiny_corpus.passages():
        doc = docs[passage.doc_id]
        # a one-page text file is cited without a page; the rest of the string is format_citation's
        expected = format_citation(authors=doc.authors, year=doc.year, title=doc.title or doc.doc_id,
                                   page_start=passage.page_start, page_end=passage.page_end,
                                   section=passage.section, paginated=False)
        assert found[passage.passage_id] == expected
        assert citation(tiny_corpus, passage.passage_id) == expected
        assert ", s. " not in expected
    by_title = {docs[p.doc_id].title: found[p.passage_id] for p in tiny_corpus.passages()}
    assert by_title["Et notat om kontorene"].startswith("Nordmann (2008): Et notat om kontorene")
    assert by_title["Brevet"].startswith(f"Brevet ({NO_YEAR})")
    assert citations(tiny_corpus, []) == {}


def test_unknown_passage_is_a_usage_error(tiny_corpus):
    with pytest.raises(UnknownNameError, match="nope:00001") as caught:
        citation(tiny_corpus, "nope:00001")
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, KeyError)
    assert citations(tiny_corpus, ["nope:00001"]) == {}


def test_corporate_authors_are_cited_whole():
    assert author_part(["Arbeids- og sosialdepartementet"]) == "Arbeids- og sosialdepartementet"
    assert author_part(["Bergen kommune", "Kristin Aasen"]) == "Bergen kommune og Aasen"
    # what describe marked corporate is kept whole even when the name alone looks like a person's
    assert author_part(["Helse Bergen"], corporate=["Helse Bergen"]) == "Helse Bergen"
    assert format_citation(authors=["Nordfjell kommune"], year=2004, title="Høyringsfråsegn", page_start=None,
                           page_end=None, section=None, paginated=False) == "Nordfjell kommune (2004): Høyringsfråsegn"
