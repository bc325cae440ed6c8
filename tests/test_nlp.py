"""Unit tests of the language layer: tokens, lemma rules, stop words, phrases, compounds, the lemma cache
and the nlp commands. Texts here are written for the tests."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from policytekst.nlp import (
    PhraseModel,
    compound_parts,
    contains_lemma,
    content_lemmas,
    detect_language,
    join_phrases,
    lemmatize,
    sentences,
    stopwords,
    tokenize,
)


@pytest.mark.parametrize("text, expected", [
    ("Se f.eks. St.prp. nr. 46 (2004-2005) om Nav-kontoret.",
     ["Se", "f.eks.", "St.prp.", "nr.", "46", "(", "2004-2005", ")", "om", "Nav-kontoret", "."]),
    ("bestiller-utførermodellen og mål- og resultatstyring",
     ["bestiller-utførermodellen", "og", "mål-", "og", "resultatstyring"]),
    ("Les https://www.nav.no/arbeid. Skriv til post@nav.no!",
     ["Les", "https://www.nav.no/arbeid", ".", "Skriv", "til", "post@nav.no", "!"]),
    ("Veksten var 3,5 prosent i 1990-årene, jf. kap. 5.",
     ["Veksten", "var", "3,5", "prosent", "i", "1990-årene", ",", "jf.", "kap.", "5", "."]),
    ("«Nei», sa hun ... og gikk.", ["«", "Nei", "»", ",", "sa", "hun", "...", "og", "gikk", "."]),
])
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_tokenize_and_lemmatize_never_raise_on_odd_input():
    assert tokenize("") == [] and tokenize(None) == []
    odd = ["", " ", "\x00", "---", "🙂", "ǅ", "a" * 500, "12:30", "§", "x-", "-x", "'", "Nav's", None, 5]
    out = lemmatize(odd)
    assert len(out) == len(odd)
    assert lemmatize("Kasteballene") == ["kasteball"]  # a bare string is one token
    assert sentences("") == [] and sentences(None) == []


def test_lemma_rules_names_genitives_hyphens_and_closed_class():
    tokens = tokenize("Brukerne i Høyres forslag ble kasteballer mellom Nav-kontorene og NATOs stab, "
                      "mens Lars leste statens og Espens rapporter om arbeidet.")
    lemmas = dict(zip(tokens, lemmatize(tokens), strict=True))
    assert lemmas["Brukerne"] == "bruker"  # sentence start: common word known in lower case
    assert lemmas["Høyres"] == "Høyre"  # name + genitive s
    assert lemmas["NATOs"] == "NATO"
    assert lemmas["Lars"] == "Lars"  # a name that ends in s
    assert lemmas["Espens"] == "Espen"
    assert lemmas["statens"] == "stat"  # unknown genitive of a known noun
    assert lemmas["Nav-kontorene"] == "Nav-kontor"  # hyphenated compound by its last part
    assert lemmas["kasteballer"] == "kasteball"
    assert lemmas["ble"] == "bli"
    assert lemmas["arbeidet"] == "arbeid"  # noun after a preposition
    assert lemmatize(["vi", "så", "det", "i", "går"]) == ["vi", "se", "den", "i", "går"]
    assert lemmatize(["Han", "går", "hjem"])[1] == "gå"
    assert lemmatize(["de", "fikk", "noe", "hjelp"])[2] == "noen"  # determiner before a noun (UD)
    assert lemmatize(["de", "fikk", "noe", "som", "hjalp"])[2] == "noe"  # pronoun
    assert lemmatize(["eg", "var", "ikkje", "der"], "nn")[:2] == ["eg", "vere"]
    # a list of distinct words (not running text): no sentence context
    assert lemmatize(["tiltak", "Brukerne"]) == ["tiltak", "Brukerne"]  # a capital inside a sentence: a name
    assert lemmatize(["tiltak", "Brukerne"], context=False) == ["tiltak", "bruker"]


def test_stopwords_keep_content_words_and_accept_user_files(tmp_path, monkeypatch):
    nb, nn = stopwords("nb"), stopwords("nn")
    for function_word in ("og", "i", "det", "ikke", "som", "være"):
        assert function_word in nb
    for function_word in ("ikkje", "eg", "frå", "korleis"):
        assert function_word in nn
    for content in ("arbeid", "tid", "rett", "folk", "bruker", "tjeneste", "samordning", "kommune", "stat"):
        assert content not in nb and content not in nn
    assert "kapittel" in stopwords("nb", domain=True) and "kapittel" not in nb
    assert "brukermedvirkning" not in stopwords("nb", domain=True)
    extra = tmp_path / "mine.txt"
    extra.write_text("# mine\nkasteball\n", encoding="utf-8")
    monkeypatch.setenv("POLICYTEKST_STOPWORDS", str(extra))
    assert "kasteball" in stopwords("nb")
    monkeypatch.setenv("POLICYTEKST_STOPWORDS", str(tmp_path / "missing.txt"))
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        stopwords("nb")


def test_content_lemmas_are_lowercase_content_only():
    text = "I 2006 ble Aetat og trygdeetaten slått sammen, jf. St.meld. nr. 14, for å gi brukerne én dør."
    lemmas = content_lemmas(text, "nb")
    assert lemmas == [w.lower() for w in lemmas]
    assert "aetat" in lemmas and "trygdeetat" in lemmas and "bruker" in lemmas
    assert not {"i", "og", "for", "å", "2006", "14", ",", ".", "jf.", "nr."} & set(lemmas)
    joined = content_lemmas("Mål- og resultatstyring og New Public Management ga én dør inn.", "nb", phrases=True)
    assert {"mål_og_resultatstyring", "new_public_management", "én_dør"} <= set(joined)
    assert content_lemmas("Dei fekk ikkje hjelp frå kommunen.") == ["hjelp", "kommune"]  # detected nynorsk


def test_join_phrases_and_learned_phrases():
    lemmas = lemmatize(tokenize("Innføringen av bestiller-utfører og mål- og resultatstyring i NAV-reformen"))
    joined = join_phrases(lemmas)
    assert "bestiller_utfører" in joined and "mål_og_resultatstyring" in joined and "nav-reformen" in joined
    docs = [["helse", "og", "omsorg", "i", "kommune"], ["skole", "i", "kommune"], ["helse", "og", "omsorg"],
            ["rus", "og", "psykiatri"], ["omsorg", "for", "barn"]] * 6
    model = PhraseModel(min_count=2, threshold=0.5, scoring="npmi").fit(iter(docs))
    assert model.transform(["helse", "og", "omsorg", "i", "fylke"])[0] == "helse_og_omsorg"
    assert "i" in model.transform(["helse", "og", "omsorg", "i", "fylke"])  # connectors never end a phrase


@pytest.mark.parametrize("word, target, expected", [
    ("brukermedvirkningsprosessen", "medvirkning", True),
    ("brukermedvirkningsprosessen", "brukermedvirkning", True),
    ("kasteballproblematikken", "kasteball", True),
    ("kasteballene", "kasteball", True),
    ("samordningsreformen", "samordning", True),
    ("tjenestetilbudet", "tjeneste", True),
    ("handel", "and", False),
    ("sorgen", "org", False),
    ("prosessen", "sess", False),
])
def test_contains_lemma(word, target, expected):
    assert contains_lemma(word, target) is expected


def test_compound_parts():
    assert compound_parts("kasteballproblematikken") == ["kasteball", "problematikk"]
    assert compound_parts("bestiller-utførermodellen") == ["bestiller", "utfører", "modell"]
    assert compound_parts("samordningsreformen") == ["samordning", "reform"]
    assert compound_parts("kommune") == ["kommune"]
    assert compound_parts("") == []


def test_detect_language_is_total_and_handles_short_text():
    assert detect_language("") == "nb" and detect_language("1234 %%") == "nb" and detect_language(None) == "nb"
    assert detect_language("NAV") == "nb"  # too short to leave the default on weak evidence
    assert detect_language("Eg veit ikkje kva dei meiner om dette.") == "nn"
    assert detect_language("This thesis examines user participation in welfare services.") == "en"



def test_could_be_english_screens_out_norwegian_but_never_english():
    from policytekst.nlp.language import could_be

    english = "This thesis examines how the purchaser-provider split is used, and which consequences it has for the users."
    assert could_be(english, "en") and detect_language(english) == "en"
    assert not could_be(DOC_A, "en") and not could_be(DOC_B, "en")
    # the screen may let a Norwegian passage quoting an English title through; detection still says Norwegian
    quoting = DOC_A + " (The Politics of the Welfare State and the Market)"
    assert could_be(quoting, "en") and detect_language(quoting) == "nb"
    assert could_be(DOC_A, "nb")  # only English is screened

# -- the lemma cache -------------------------------------------------------------------------------------------
DOC_A = ("Kasteball i velferdsstaten\n\nMange brukere forteller at de blir kasteballer mellom Nav-kontoret, "
         "kommunen og spesialisthelsetjenesten. De må fortelle historien sin på nytt hver gang de møter en "
         "ny saksbehandler, og ingen tar ansvar for helheten i tjenestene. Samordning av tjenestene har derfor "
         "vært et mål for reformene helt siden arbeids- og velferdsforvaltningen ble etablert i 2006.\n")
DOC_B = ("Brukarmedverknad\n\nI kommunane har brukarmedverknad vorte eit viktig prinsipp. Brukarane skal "
         "vere med på å utforme tenestene dei får, og dei tilsette skal lytte til erfaringane deira. Likevel "
         "viser undersøkingar at mange brukarar ikkje opplever at dei blir høyrde når vedtak blir gjorde.\n")


@pytest.fixture()
def small_corpus(tmp_path):
    from policytekst import Corpus

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(DOC_A, encoding="utf-8")
    (folder / "b.txt").write_text(DOC_B, encoding="utf-8")
    corpus = Corpus(tmp_path / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus, folder
    corpus.close()


def test_passage_lemmas_cached_streamed_and_refreshed(small_corpus):
    from policytekst.nlp.cache import cache_status, passage_lemmas

    corpus, folder = small_corpus
    first = dict(passage_lemmas(corpus))
    assert first, "no passages"
    ids = [p.passage_id for p in corpus.passages(kinds=("body", "list", "summary", "appendix"))]
    assert list(first) == ids  # document order, all analysis passages
    everything = " ".join(" ".join(v) for v in first.values())
    # the nynorsk passage is read as bokmål (policytekst.nlp.standards): one vocabulary for both standards
    assert "kasteball" in everything and "brukermedvirkning" in everything and "brukarmedverknad" not in everything
    assert cache_status(corpus)["missing"] == 0
    stored = corpus.store.conn.execute("SELECT COUNT(*) FROM passage_lemmas").fetchone()[0]
    assert stored == len(first)
    # served from the store: same answer without recomputing (tamper with one row to prove it is read)
    pid = ids[0]
    corpus.store.conn.execute("UPDATE passage_lemmas SET lemmas='[\"fra_cache\"]' WHERE passage_id=?", (pid,))
    assert dict(passage_lemmas(corpus))[pid] == ["fra_cache"]
    # a re-ingested document replaces its passages; their lemmas are dropped and recomputed
    (folder / "a.txt").write_text(DOC_A.replace("kasteballer", "kasteballer og samordningstaparar"),
                                  encoding="utf-8")
    corpus.ingest([folder], progress=False)
    assert cache_status(corpus)["missing"] >= 1
    refreshed = dict(passage_lemmas(corpus))
    assert "fra_cache" not in " ".join(" ".join(v) for v in refreshed.values())
    assert cache_status(corpus)["missing"] == 0


def test_passage_lemmas_in_worker_processes_match_one_process(small_corpus):
    from policytekst.nlp.cache import passage_lemmas

    corpus, _ = small_corpus
    serial = list(passage_lemmas(corpus))
    corpus.store.conn.execute("DELETE FROM passage_lemmas")
    parallel = list(passage_lemmas(corpus, workers=2))
    assert parallel == serial and len(serial) >= 2


def test_nlp_commands(small_corpus):
    from policytekst.cli import app

    corpus, _ = small_corpus
    runner = CliRunner()
    result = runner.invoke(app, ["nlp", "cache", "--corpus", str(corpus.directory), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["passages"] >= 2 and record["computed"] + record["reused"] == record["passages"]
    again = json.loads(runner.invoke(app, ["nlp", "cache", "--corpus", str(corpus.directory), "--json"])
                       .stdout.strip().splitlines()[-1])
    assert again["computed"] == 0 and again["reused"] == record["passages"]
    out = runner.invoke(app, ["nlp", "lemmas", "Kasteballene i Nav-kontorene.", "--json"])
    assert out.exit_code == 0
    assert {"token": "Kasteballene", "lemma": "kasteball"} in [json.loads(x) for x in out.stdout.splitlines()]
    out = runner.invoke(app, ["nlp", "sentences", "Se kap. 5 i St.meld. nr. 9. Det er nytt."])
    assert out.stdout.splitlines() == ["Se kap. 5 i St.meld. nr. 9.", "Det er nytt."]
    out = runner.invoke(app, ["nlp", "language", "Eg veit ikkje kva dei meiner om dette."])
    assert out.stdout.strip() == "nn"
    missing = runner.invoke(app, ["nlp", "cache", "--corpus", str(corpus.directory / "nowhere")])
    assert missing.exit_code == 1 and "no corpus" in missing.output
    bad = runner.invoke(app, ["nlp", "lemmas", "--file", str(corpus.directory / "nope.txt")])
    assert bad.exit_code == 2 and "nope.txt" in bad.output


@pytest.mark.shared
def test_seed_corpus_lemmas_find_theme_words_and_languages(seed_corpus):
    """On the real seed captures: inflected theme words reach their lemma, and passages get a language."""
    from collections import Counter

    from policytekst.nlp.cache import cache_status, passage_lemmas

    counts: Counter = Counter()
    n = 0
    for _, lemmas in passage_lemmas(seed_corpus):
        counts.update(lemmas)
        n += 1
    assert n == cache_status(seed_corpus)["passages"] and n > 100
    # inflected forms in the text ("kasteballer", "brukermedvirkningen", "samordningen") meet in one lemma
    for lemma in ("kasteball", "brukermedvirkning", "samordning"):
        assert counts[lemma] >= 3, (lemma, counts[lemma])
    for form in ("kasteballer", "kasteballene", "brukermedvirkningen", "samordningen", "og", "ikke"):
        assert counts[form] == 0, form
    languages = Counter(row[0] for row in seed_corpus.store.conn.execute("SELECT language FROM passage_lemmas"))
    assert languages.most_common(1)[0][0] == "nb"
