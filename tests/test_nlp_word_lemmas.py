"""The one cached word lemmatiser: a word's lemma depends on the word and language only, and every lemma store
(search index, passage lemma table) carries the one version stamp."""

from __future__ import annotations

import random

import pytest

from policytekst.nlp import cache_version, lemma_of, lemmatize
from policytekst.nlp.lemmas import _lemmatizer
from policytekst.nlp.word_lemmas import WORD, WordLemmatizer, lemma_text, lemmas_of


def _fresh_caches() -> None:
    """Forget every cached word analysis, as in a new process."""
    _lemmatizer.cache_clear()


def _demo_words(corpus) -> list[str]:
    words: set[str] = set()
    for text in corpus.passages_frame(kinds=None)["text"]:
        words.update(WORD.findall(text.lower()))
    return sorted(words)


def test_word_lemma_does_not_depend_on_the_batch(demo_corpus):
    """Regression: the search index lemmatised each cache-miss batch as running text, so "deler" after "de" in a
    batch became "dele" and alone "delere"; an indexed lemma depended on its neighbours in the batch."""
    words = _demo_words(demo_corpus)
    assert len(words) > 1000, "the demo corpus should give a real vocabulary"
    shuffled = words[:]
    random.Random(7).shuffle(shuffled)
    _fresh_caches()
    in_batch = dict(zip(shuffled, lemmas_of(shuffled), strict=True))
    _fresh_caches()
    alone = {word: lemma_of(word) for word in reversed(words)}
    differ = {w: (in_batch[w], alone[w]) for w in words if in_batch[w] != alone[w]}
    assert not differ, list(differ.items())[:10]
    # the case that showed the bug: the word after a subject pronoun, looked up in one batch with it
    _fresh_caches()
    assert lemmas_of(["de", "deler"])[1] == lemma_of("deler") == lemmatize(["deler"], context=False)[0]


def test_running_text_warms_the_same_cache_without_changing_word_lemmas():
    """lemmatize() with context may pick another reading in a sentence; the word lemma stays the word's own."""
    _fresh_caches()
    alone = lemma_of("deler")
    _fresh_caches()
    assert lemmatize(["De", "deler", "ut", "penger", "."])[1] == "dele"  # context: a verb after "de"
    assert lemmatize(["mange", "klubber"])[1] == "klubb"  # context: a plural noun after "mange"
    assert lemma_of("klubber") == lemmatize(["klubber"], context=False)[0]
    assert lemma_of("deler") == alone
    assert lemma_text("De DELER ut") == " ".join(lemma_of(w) for w in ("de", "deler", "ut"))


def test_context_false_lemmatises_each_token_on_its_own():
    tokens = ["de", "deler", "i", "arbeidet", "vi", "så", "Høyres", "noe", "arbeid"]
    assert lemmatize(tokens, context=False) == [lemmatize([t], context=False)[0] for t in tokens]
    assert lemmatize(tokens, context=True) != lemmatize(tokens, context=False)  # context does change some


def test_word_lemmatizer_object_is_the_same_function():
    lem = WordLemmatizer()
    assert lem.lemmas(["Kasteballene", "kontorene"]) == [lemma_of("kasteballene"), lemma_of("kontorene")]
    assert lem.lemma("Nav-kontorene") == "nav-kontor"
    assert lem.lemma_text("Kasteballene i NAV-kontorene") == "kasteball i nav kontor"


def test_search_index_and_queries_use_the_word_lemmas_and_the_one_stamp(demo_corpus):
    from policytekst.nlp.standards import to_bokmal
    from policytekst.search.index import FTS_TABLE, UNITS_TABLE, ensure_index, lemmatizer, nlp_fingerprint

    ensure_index(demo_corpus)
    store = demo_corpus.store
    # the one lemma stamp, plus the written-standards setting (search reads nynorsk lemmas as bokmål ones)
    assert store.get_info("search_nlp") == nlp_fingerprint() and nlp_fingerprint().startswith(cache_version())
    rows = store.conn.execute(
        f"SELECT f.surface, f.lemmas, u.language FROM {FTS_TABLE} f JOIN {UNITS_TABLE} u ON f.rowid = u.rowid "
        f"WHERE u.language IS NOT NULL").fetchall()
    assert len(rows) > 50
    for surface, lemmas, language in rows:
        # nynorsk lemmas as bokmål, older bokmål spellings as today's
        assert lemmas == " ".join(to_bokmal(lemma_text(surface, language).split(), language))
    surface, lemmas, language = rows[0]
    assert lemmatizer().lemma_text(surface, language) == lemmas  # the query side gives the same terms


def test_a_user_lemma_list_changes_the_stamp_and_rebuilds_every_lemma_store(small_corpus, tmp_path, monkeypatch):
    from policytekst.nlp.cache import cache_status, passage_lemmas
    from policytekst.search.index import ensure_index, is_current

    corpus, _ = small_corpus
    ensure_index(corpus)
    list(passage_lemmas(corpus))
    before = cache_version()
    assert is_current(corpus) and cache_status(corpus)["missing"] == 0
    extra = tmp_path / "lemmas.tsv"
    extra.write_text("kasteballer\tkasteballmetafor\n", encoding="utf-8")
    monkeypatch.setenv("POLICYTEKST_LEMMAS", str(extra))
    assert cache_version() != before
    assert not is_current(corpus)
    assert cache_status(corpus)["missing"] > 0
    assert ensure_index(corpus).rebuilt


@pytest.fixture()
def small_corpus(tmp_path):
    from policytekst import Corpus

    folder = tmp_path / "docs"
    folder.mkdir()
    body = ("Mange brukere forteller at de blir kasteballer mellom kontorene i kommunen og staten. De deler "
            "ansvaret, men ingen tar det hele. Saksbehandlerne skriver nye vedtak hver gang en bruker flytter, og "
            "tjenestene henger ikke sammen. Reformene skulle samordne tjenestene, gi brukerne én dør inn og la "
            "kontorene dele kunnskap om hver enkelt sak. ")
    (folder / "a.txt").write_text("Kasteballer i velferdsstaten\n\n" + body * 2 + "\n", encoding="utf-8")
    corpus = Corpus(tmp_path / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus, folder
    corpus.close()
