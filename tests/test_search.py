"""Search, concordance, example finder, similar passages, citations and exports on a small corpus written here.

The texts below were written for these tests (no shared data): short Norwegian paragraphs on the reform themes with
known word forms, so every expectation can be checked by hand. Real-data tests are in test_search_real.py.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from policytekst import Corpus
from policytekst.citation import format_citation, section_part, surname
from policytekst.errors import UsageError
from policytekst.search import (
    QueryError,
    citation,
    ensure_index,
    examples,
    kwic,
    kwic_counts,
    parse,
    search,
    similar_passages,
    usability,
    write_handout,
)
from policytekst.search.query import And, Not, Or, Phrase, Term
from policytekst.tables import write_table

KASTEBALL = (
    "Mange brukere forteller at de ble kasteballer mellom etatene. Den ene kasteballen etter den andre ble sendt "
    "fra trygdekontoret til sosialkontoret og tilbake igjen, uten at noen tok et helhetlig ansvar for saken. "
    "Reformen skulle gjøre slutt på dette ved å samle tjenestene bak én dør, slik at brukeren slipper å "
    "forklare sin situasjon på nytt hver gang. Saksbehandlerne mente likevel at samordningen tok lang tid, "
    "fordi kontorene hadde ulike regler, ulike datasystemer og ulike mål for arbeidet sitt med hver enkelt."
)
FAR = (
    "Han fortalte om sin far som hadde arbeidet på fabrikken i mange år før den ble nedlagt. Farens historie "
    "ble et bilde på hvordan arbeidslivet hadde endret seg, og hvordan tryggheten i faste stillinger forsvant. "
    "Fortellingen om faren handlet om stolthet, om fellesskap på arbeidsplassen og om et lokalsamfunn som "
    "mistet sin viktigste arbeidsgiver. Han mente at politikken hadde sviktet de eldre arbeiderne i bygda."
)
FAAR = (
    "Den som får hjelp tidlig, får ofte en bedre vei tilbake til arbeid. Brukermedvirkning betyr at brukeren "
    "får si sin mening om tiltakene og deltar i planleggingen av sin egen oppfølging. Veilederne har fått "
    "opplæring i samtaler der brukerens egne mål står i sentrum, og mange brukere sier at de nå får bedre "
    "støtte enn før. Kontoret har også fått nye rutiner for medvirkning på systemnivå gjennom brukerråd."
)
NPM = (
    "Mål- og resultatstyring ble innført i kommunen etter modell fra New Public Management. "
    "Bestiller-utførermodellen skilte forvaltningen fra tjenesteytingen, og kontrakter med klare "
    "resultatkrav skulle gi mer effektive tjenester. Kritikerne mente at målstyringen ga mye rapportering "
    "og lite tid til brukerne, mens tilhengerne pekte på bedre oversikt over ressursbruken i sektoren."
)
TABLE_LIKE = "Tabell 3: 2004 2005 2006 12 14 17 19 21 23 25 27 29 31 33 35 37"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Corpus:
    folder = tmp_path_factory.mktemp("search_docs")
    (folder / "reform.txt").write_text(f"{KASTEBALL}\n\n{NPM}\n", encoding="utf-8")
    (folder / "far.txt").write_text(f"{FAR}\n", encoding="utf-8")
    (folder / "medvirkning.txt").write_text(f"{FAAR}\n\n{TABLE_LIKE}\n", encoding="utf-8")
    (folder / "metadata.yaml").write_text(
        "reform.txt: {title: Reformen og brukerne, authors: 'Kari Nordmann; Ola Hansen', year: 2007, genre: rapport}\n"
        "far.txt: {title: Fabrikken, authors: 'Per Olsen', year: 1999, genre: artikkel}\n"
        "medvirkning.txt: {title: Medvirkning i praksis, year: 2011, genre: rapport}\n", encoding="utf-8")
    corpus = Corpus(tmp_path_factory.mktemp("search_corpus") / "c", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus
    corpus.close()


def doc_of(corpus: Corpus, frame: pd.DataFrame) -> set[str]:
    return set(frame["doc_id"])


# -- query language ----------------------------------------------------------------------------------------
def test_parse_operators_and_precedence():
    assert parse("a b") == And([Term("a"), Term("b")])
    assert parse("a OR b c") == Or([Term("a"), And([Term("b"), Term("c")])])
    assert parse("nav NOT aetat") == Not(Term("nav"), Term("aetat"))
    assert parse("nav -aetat -trygd") == Not(Term("nav"), Or([Term("aetat"), Term("trygd")]))
    assert parse('"mål- og resultatstyring"') == Phrase("mål- og resultatstyring")
    assert parse("brukermedvirk*") == Term("brukermedvirk", prefix=True)
    assert parse("s?mordning") == Term("s?mordning", glob=True)
    assert parse("(a OR b) AND c") == And([Or([Term("a"), Term("b")]), Term("c")])
    # lower-case "og"/"or" are words, not operators
    assert parse("helse og omsorg") == And([Term("helse"), Term("og"), Term("omsorg")])


@pytest.mark.parametrize("bad", ['"open', "NOT nav", "(nav", "a OR", "", "()", "***"])
def test_parse_rejects_bad_queries_with_a_message(bad):
    with pytest.raises(QueryError) as info:
        parse(bad)
    assert str(info.value)


def test_lemma_search_finds_inflections_surface_search_does_not(small):
    lemma = search(small, "kasteball")
    surface = search(small, "kasteball", mode="surface")
    assert doc_of(small, lemma) == {"reform"}
    assert surface.empty  # the text only has "kasteballer" and "kasteballen"
    assert "**kasteballer**" in lemma["snippet"].iloc[0]
    assert search(small, "kasteballene")["doc_id"].tolist() == ["reform"]


def test_norwegian_letters_are_not_folded(small):
    far = search(small, "far", mode="surface")
    faar = search(small, "får", mode="surface")
    assert doc_of(small, far) == {"far"}
    assert doc_of(small, faar) == {"medvirkning"}
    # through lemmas too: "far" reaches "faren"/"farens" but never "får"; "får" reaches "fått" (lemma "få")
    assert doc_of(small, search(small, "far")) == {"far"}
    assert doc_of(small, search(small, "fått")) == {"medvirkning"}
    vocab = {row[0] for row in small.store.conn.execute("SELECT term FROM search_terms")}
    assert {"far", "får", "også", "én"} <= vocab


def test_phrase_prefix_glob_boolean(small):
    assert doc_of(small, search(small, '"mål- og resultatstyring"')) == {"reform"}
    assert search(small, '"resultatstyring og mål"').empty  # order matters in a phrase
    assert doc_of(small, search(small, "brukermedvirk*")) == {"medvirkning"}
    assert doc_of(small, search(small, "s?mordning*")) == {"reform"}
    assert doc_of(small, search(small, "*medvirkning")) == {"medvirkning"}
    both = search(small, "brukere AND arbeid")
    assert {"medvirkning"} <= doc_of(small, both) and "far" not in doc_of(small, both)
    either = search(small, "kasteball OR fabrikk")
    assert doc_of(small, either) == {"reform", "far"}
    without = search(small, "brukere NOT kasteball")
    assert "medvirkning" in doc_of(small, without)
    assert not without["text"].str.contains("kasteball", case=False).any()
    assert search(small, "finnesikke*").empty


def test_filters_year_genre_doc_kind(small):
    assert doc_of(small, search(small, "fabrikk* OR opplæring")) == {"far", "medvirkning"}
    assert doc_of(small, search(small, "fabrikk* OR opplæring", year=(2000, None))) == {"medvirkning"}
    assert doc_of(small, search(small, "fabrikk* OR opplæring", year="-2000")) == {"far"}
    assert doc_of(small, search(small, "brukere OR bruker", genre="rapport")) == {"reform", "medvirkning"}
    assert doc_of(small, search(small, "brukere OR bruker", doc_id=["reform"])) == {"reform"}
    assert search(small, "kasteball", kind="footnote").empty
    with pytest.raises(QueryError):
        search(small, "kasteball", colour="red")


def test_results_rank_and_carry_citations(small):
    frame = search(small, "brukere OR brukeren OR brukerne", limit=10, count=True)
    assert list(frame["score"]) == sorted(frame["score"], reverse=True)
    assert frame.attrs["n_matches"] == len(frame) >= 2
    row = frame[frame["doc_id"] == "reform"].iloc[0]
    assert row["citation"].startswith("Nordmann og Hansen (2007): Reformen og brukerne")
    assert small.passage(row["passage_id"]).text == row["text"]


def test_index_follows_corpus_changes(small, tmp_path):
    corpus = Corpus(tmp_path / "c", create=True)
    source = tmp_path / "docs"
    source.mkdir()
    (source / "a.txt").write_text(KASTEBALL + "\n", encoding="utf-8")
    corpus.ingest([source], progress=False)
    assert not search(corpus, "kasteball").empty
    (source / "a.txt").write_text(FAR + "\n", encoding="utf-8")  # replaced: old words must disappear
    (source / "b.txt").write_text(NPM + "\n", encoding="utf-8")
    corpus.ingest([source], progress=False)
    assert search(corpus, "kasteball").empty
    assert doc_of(corpus, search(corpus, "fabrikk")) == {"a"}
    assert doc_of(corpus, search(corpus, "resultatstyring")) == {"b"}
    report = ensure_index(corpus)
    assert not report.changed  # already current
    n_index = corpus.store.conn.execute("SELECT COUNT(*) FROM search_fts").fetchone()[0]
    n_units = corpus.store.conn.execute("SELECT COUNT(*) FROM search_units").fetchone()[0]
    assert n_index == n_units == corpus.store.counts()["passages"]
    corpus.close()


# -- kwic --------------------------------------------------------------------------------------------------
def test_kwic_modes_window_and_sorting(small):
    lines = kwic(small, "kasteball", window=3)
    assert lines["match"].str.lower().tolist() == ["kasteballer", "kasteballen"]
    assert lines["left"].iloc[0] == "at de ble"
    assert lines["right"].iloc[0] == "mellom etatene. Den"
    assert kwic(small, "kasteball", mode="word").empty
    assert kwic(small, "kasteballer", mode="word")["match"].tolist() == ["kasteballer"]
    assert kwic(small, "ulike*", mode="glob")["match"].str.lower().tolist() == ["ulike"] * 3
    phrase = kwic(small, '"mål og resultatstyring"')
    assert phrase["match"].tolist() == ["Mål- og resultatstyring"]
    regex = kwic(small, r"re:\bfå\w*", window=2)
    assert set(regex["match"].str.lower()) == {"får", "fått"}
    assert len(regex) == 6
    by_right = kwic(small, "får", window=2, sort="right")
    assert by_right["right"].str.lower().tolist() == sorted(by_right["right"].str.lower())
    counts = kwic_counts(kwic(small, "bruker"))
    assert counts.iloc[0]["doc_id"] == "medvirkning" and counts["hits"].sum() >= 4
    with pytest.raises(QueryError):
        kwic(small, "re:(unclosed")


# -- usability, examples, similar ------------------------------------------------------------------------------
def test_usability_prefers_clean_prose():
    assert usability(KASTEBALL) > 0.8
    assert usability(TABLE_LIKE) < 0.05
    assert usability("2 Teori og metode") == 0.0
    assert usability(KASTEBALL[0].lower() + KASTEBALL[1:]) < 0.5 * usability(KASTEBALL)  # starts mid-sentence
    cited = KASTEBALL.replace(". ", " (Hansen 2004; Olsen 2007, s. 12). ")
    assert usability(cited) < usability(KASTEBALL)
    assert usability(KASTEBALL, kind="reference") == 0.0
    assert usability(" ".join([KASTEBALL] * 4)) < usability(KASTEBALL)  # far beyond 200 words


def test_examples_rank_by_score_times_usability_with_one_per_document(small):
    frame = small.passages_frame()
    scores = pd.Series(0.9, index=frame["passage_id"])
    picked = examples(small, "alt", n=3, scores=scores)
    assert picked["doc_id"].is_unique and len(picked) == 3
    assert list(picked["score"]) == sorted(picked["score"], reverse=True)
    assert (picked["score"] == picked["theme_score"] * picked["usability"]).all()
    assert all(TABLE_LIKE not in text for text in picked["text"])
    assert picked["citation"].str.contains(r"\(\d{4}\)").all()
    # relaxing the per-document cap only when the corpus cannot fill n otherwise
    more = examples(small, "alt", n=4, scores=scores)
    assert len(more) == 4 and more["doc_id"].value_counts().max() == 2


def test_similar_passages_by_id_and_text(small):
    source = search(small, "kasteball")["passage_id"].iloc[0]
    similar = similar_passages(small, source, n=3)
    assert len(similar) >= 1 and source not in set(similar["passage_id"])
    assert similar["doc_id"].iloc[0] != "far"  # the factory story shares least with the reform passage
    assert similar["similarity"].between(0, 1).all()
    by_text = similar_passages(small, text="Brukerne ble kasteballer mellom kontorene", n=2)
    assert by_text["passage_id"].iloc[0] == source
    with pytest.raises(QueryError):
        similar_passages(small)


# -- citations and exports -----------------------------------------------------------------------------------
def test_citation_format_rules():
    assert surname("Kristin Aasen") == "Aasen" and surname("Aasen, Kristin") == "Aasen"
    assert surname("Inger Marii Tronvoll") == "Tronvoll" and surname("Arbeids- og velferdsdirektoratet") != ""
    assert format_citation(authors=["Kristin Aasen"], year=2009, title="Managementprosjektet", page_start=12,
                           page_end=13, section="3 Metode > 3.2 Utvalg") == \
        "Aasen (2009): Managementprosjektet, s. 12-13, kap. 3.2"
    assert format_citation(authors=["A B", "C D", "E F"], year=None, title="T", page_start=5, page_end=5,
                           section="") == "B mfl. (u.å.): T, s. 5"
    assert format_citation(authors=[], year=2006, title="En ny og bedre tjeneste", page_start=1, page_end=1,
                           section="", paginated=False) == "En ny og bedre tjeneste (2006)"
    assert format_citation(authors=["X Y"], year=2010, title="T", page_start=3, page_end=3, section="Forord",
                           page_labels=["i", "ii", "iii"]) == "Y (2010): T, s. iii, kap. Forord"
    assert section_part("Innledning > 1.1 Bakgrunn > Om utvalget") == "kap. 1.1"
    assert format_citation(authors=[], year=2006, title="En ny tjeneste", page_start=1, page_end=1,
                           section="En ny tjeneste", paginated=False) == "En ny tjeneste (2006)"


def test_citation_of_stored_passage(small):
    pid = next(p.passage_id for p in small.passages("far"))
    assert citation(small, pid) == "Olsen (1999): Fabrikken"  # one page of plain text: no page to cite
    with pytest.raises(KeyError):
        citation(small, "nope:00001")


def test_exports_csv_jsonl_markdown(small, tmp_path):
    frame = search(small, "kasteball OR brukermedvirkning")
    csv_path = write_table(frame, tmp_path / "hits.csv")
    assert pd.read_csv(csv_path)["passage_id"].tolist() == frame["passage_id"].tolist()
    rows = [json.loads(line) for line in write_table(frame, tmp_path / "hits.jsonl").read_text().splitlines()]
    assert [r["passage_id"] for r in rows] == frame["passage_id"].tolist()
    handout = write_handout(frame, tmp_path / "hits.md", title="Kasteball").read_text()
    assert handout.startswith("# Kasteball")
    for cite, pid in zip(frame["citation"], frame["passage_id"], strict=True):
        assert cite in handout and f"`{pid}`" in handout
    assert "> Mange brukere forteller" in handout
    with pytest.raises(UsageError):
        write_handout(frame, tmp_path / "hits.xlsx")


# -- command line --------------------------------------------------------------------------------------------------
def test_cli_commands_json_and_exit_codes(small, tmp_path):
    from policytekst.cli import app

    runner = CliRunner()
    folder = str(small.directory)
    result = runner.invoke(app, ["search", "kasteball", "--corpus", folder, "--json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert records and records[0]["doc_id"] == "reform" and records[0]["citation"]
    result = runner.invoke(app, ["kwic", "får", "--corpus", folder, "--json", "--window", "2"])
    assert result.exit_code == 0
    assert {json.loads(line)["match"].lower() for line in result.stdout.splitlines() if line.startswith("{")} == \
        {"får", "fått"}  # the lemma "få", never "far"
    out = tmp_path / "k.csv"
    assert runner.invoke(app, ["kwic", "bruker*", "-c", folder, "--out", str(out)]).exit_code == 0
    assert len(pd.read_csv(out)) >= 4
    assert runner.invoke(app, ["search", "NOT nav", "--corpus", folder]).exit_code == 2
    assert runner.invoke(app, ["search", "nav", "--corpus", str(tmp_path / "none")]).exit_code == 1
    pid = search(small, "kasteball")["passage_id"].iloc[0]
    result = runner.invoke(app, ["similar-passages", pid, "-c", folder, "--json", "-n", "2"])
    assert result.exit_code == 0 and len([x for x in result.stdout.splitlines() if x.startswith("{")]) == 2
    assert runner.invoke(app, ["similar-passages", "-c", folder]).exit_code == 2
