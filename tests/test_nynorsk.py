"""Written standards: nynorsk lemmas read as bokmål lemmas, measured on parallel sentence pairs written here.

Each pair says the same thing in bokmål and in nynorsk (sentences written for this test). A pair "matches" when
the two lemma bags (the sets of word lemmas) are equal. Before: each side lemmatised in its own standard; after:
through the search lemmatiser, which maps nynorsk lemmas to bokmål (policytekst.nlp.standards). The held-out
pairs were written together with the dev pairs but not looked at while the word list and rules were tuned.
Print the table with ``pytest tests/test_nynorsk.py -s``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from policytekst import Corpus
from policytekst.nlp.standards import bokmal_lemma
from policytekst.nlp.word_lemmas import WORD, WordLemmatizer
from policytekst.search import kwic, search
from policytekst.search.index import lemmatizer

DEV = [
    ("Brukermedvirkning er et viktig prinsipp i tjenestene.", "Brukarmedverknad er eit viktig prinsipp i tenestene."),
    ("Regjeringen vil styrke samarbeidet mellom kommunene og staten.",
     "Regjeringa vil styrkje samarbeidet mellom kommunane og staten."),
    ("Mange brukere blir kasteballer mellom etatene.", "Mange brukarar blir kasteballar mellom etatane."),
    ("Vi ønsker en helhetlig oppfølging av den enkelte.", "Vi ønskjer ei heilskapleg oppfølging av den einskilde."),
    ("De ansatte ved kontoret har ikke nok tid.", "Dei tilsette ved kontoret har ikkje nok tid."),
    ("Hvordan kan virksomheten bli bedre?", "Korleis kan verksemda bli betre?"),
    ("Løsningen ble vedtatt av kommunestyret i fjor.", "Løysinga vart vedteken av kommunestyret i fjor."),
    ("Arbeidsledigheten blant unge har økt.", "Arbeidsløysa blant unge har auka."),
    ("Skolen skal gi alle elever et godt tilbud.", "Skulen skal gi alle elevar eit godt tilbod."),
    ("Lederen mener at sykehuset trenger flere ansatte.", "Leiaren meiner at sjukehuset treng fleire tilsette."),
    ("Det er vanskelig å se virkningen av reformen.", "Det er vanskeleg å sjå verknaden av reforma."),
    ("Hun sier at tjenesten må bli mer tilgjengelig.", "Ho seier at tenesta må bli meir tilgjengeleg."),
    ("Kvinner og menn skal ha like muligheter i arbeidslivet.",
     "Kvinner og menn skal ha like moglegheiter i arbeidslivet."),
    ("Nav-kontoret har ansvar for oppfølgingen av brukerne.", "Nav-kontoret har ansvar for oppfølginga av brukarane."),
    ("Stortinget ba regjeringen om en ny melding.", "Stortinget bad regjeringa om ei ny melding."),
    ("Barnehagen og skolen samarbeider tett med foreldrene.", "Barnehagen og skulen samarbeider tett med foreldra."),
]
HELDOUT = [
    ("Helsetjenesten i kommunen er under stort press.", "Helsetenesta i kommunen er under stort press."),
    ("Jeg vet ikke hva som skjer med søknaden min.", "Eg veit ikkje kva som skjer med søknaden min."),
    ("Fylkeskommunen har fått nye oppgaver etter reformen.", "Fylkeskommunen har fått nye oppgåver etter reforma."),
    ("Samordningen mellom etatene har blitt bedre.", "Samordninga mellom etatane har vorte betre."),
    ("Utvalget foreslår å endre loven.", "Utvalet føreslår å endre lova."),
    ("Sykepleierne arbeider ofte deltid.", "Sjukepleiarane arbeider ofte deltid."),
    ("Brukerne skal få være med på å bestemme.", "Brukarane skal få vere med på å bestemme."),
    ("Departementet har ikke svart på spørsmålet.", "Departementet har ikkje svara på spørsmålet."),
    ("Vi trenger mer kunnskap om virkningene av tiltakene.", "Vi treng meir kunnskap om verknadene av tiltaka."),
    ("Eldre trenger trygghet i hverdagen.", "Eldre treng tryggleik i kvardagen."),
    ("Mange unge står uten arbeid og utdanning.", "Mange unge står utan arbeid og utdanning."),
    ("Kommunen må sørge for et forsvarlig tilbud.", "Kommunen må syte for eit forsvarleg tilbod."),
    ("Evalueringen viser at målene ikke er nådd.", "Evalueringa viser at måla ikkje er nådde."),
    ("Saken ble sendt tilbake til forvaltningen.", "Saka vart send tilbake til forvaltninga."),
]


def _bag(lem, text: str, lang: str) -> set[str]:
    return set(lem.lemmas(WORD.findall(text.lower()), lang))


def pair_table() -> pd.DataFrame:
    """Per set: pairs, share of pairs whose lemma bags match and mean Jaccard overlap, before and after."""
    plain, mapped = WordLemmatizer(), lemmatizer()
    rows = []
    for name, pairs in (("dev", DEV), ("heldout", HELDOUT)):
        for label, lem in (("before", plain), ("after", mapped)):
            same, overlap = 0, 0.0
            for nb, nn in pairs:
                a, b = _bag(lem, nb, "nb"), _bag(lem, nn, "nn")
                same += a == b
                overlap += len(a & b) / len(a | b)
            rows.append({"set": name, "lemmas": label, "pairs": len(pairs), "bags_equal": same / len(pairs),
                         "mean_jaccard": overlap / len(pairs)})
    return pd.DataFrame(rows)


def test_parallel_pairs_meet_after_mapping(monkeypatch):
    monkeypatch.delenv("POLICYTEKST_STANDARDS", raising=False)
    table = pair_table()
    print(table.round(3).to_string(index=False))
    get = table.set_index(["set", "lemmas"])
    for name in ("dev", "heldout"):
        assert get.loc[(name, "after"), "bags_equal"] >= get.loc[(name, "before"), "bags_equal"] + 0.3, table
        assert get.loc[(name, "after"), "mean_jaccard"] > get.loc[(name, "before"), "mean_jaccard"], table
    # measured when written: held-out bags equal 0.00 -> 0.36, mean Jaccard 0.50 -> 0.78 (dev 0.00 -> 0.69, .46 -> .91)
    assert get.loc[("heldout", "after"), "mean_jaccard"] >= 0.75, table


def test_bokmal_lemma_examples(monkeypatch):
    monkeypatch.delenv("POLICYTEKST_STANDARDS", raising=False)
    assert bokmal_lemma("brukarmedverknad") == "brukermedvirkning"
    assert bokmal_lemma("verte") == "bli"
    assert bokmal_lemma("kommune") == "kommune"  # the same word in both standards
    assert bokmal_lemma("verksemd", "nb") == "verksemd"  # only nynorsk lemmas are mapped
    assert lemmatizer().lemma("regjeringa", "nn") == lemmatizer().lemma("regjeringen", "nb") == "regjering"
    monkeypatch.setenv("POLICYTEKST_STANDARDS", "keep")
    assert bokmal_lemma("verte") == "verte"


NB_TEXT = ("Brukermedvirkning i Nav er et viktig tema for kommunene. De ansatte mener at brukerne må få være med "
           "og bestemme over sin egen oppfølging, og at tjenestene blir bedre når brukerne blir hørt. Likevel er det "
           "vanskelig å se hvordan dette skjer i praksis, fordi tiden ikke strekker til og kontorene har mange saker.")
NN_TEXT = ("Brukarmedverknad i Nav er eit viktig tema for kommunane. Dei tilsette meiner at brukarane må få vere med "
           "og bestemme over si eiga oppfølging, og at tenestene blir betre når brukarane blir høyrde. Likevel er det "
           "vanskeleg å sjå korleis dette skjer i praksis, fordi tida ikkje strekkjer til og kontora har mange saker.")


@pytest.fixture(scope="module")
def two_standards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standards_docs")
    (folder / "bokmal.txt").write_text(NB_TEXT, encoding="utf-8")
    (folder / "nynorsk.txt").write_text(NN_TEXT, encoding="utf-8")
    corpus = Corpus(tmp_path_factory.mktemp("standards") / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus
    corpus.close()


def test_search_meets_both_standards(two_standards):
    langs = dict(two_standards.store.conn.execute("SELECT doc_id, language FROM documents").fetchall())
    assert langs == {"bokmal": "nb", "nynorsk": "nn"}
    for query in ("brukermedvirkning", "brukarmedverknad", "brukermedvirk*", "medvirkning", "tilsett", "ansatt"):
        docs = {pid.split(":")[0] for pid in search(two_standards, query)["passage_id"]}
        assert docs == {"bokmal", "nynorsk"}, query
    marked = search(two_standards, "brukermedvirk*")
    assert marked["match_type"].notna().all() and marked["snippet"].str.contains("**", regex=False).all()
    lines = kwic(two_standards, "brukermedvirkning")
    assert set(lines["match"].str.lower()) == {"brukermedvirkning", "brukarmedverknad"}
