"""Codebook coding per distinct word (Codebook.score_matrix) gives the numbers of the word-by-word matcher.

The fast path must not change a result: every passage's weighted hits equal :meth:`Codebook.score_words` on the
same words, every theme reaches its ``min_score`` on the same passages, and ``matched_tokens`` (which skips
passages that cannot match) lists the same hits as matching every passage. Checked on invented texts that
exercise phrases, globs, exclusions and compounds, on the demo corpus and on a real Storting sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policytekst.themes import Codebook, matched_tokens
from policytekst.themes.codebook import words_of
from policytekst.themes.coding import _code

# Invented for this test: phrases (also a glob-first one), inflections, nynorsk, an exclusion, a compound.
TEXTS = [
    "Brukerne faller mellom to stoler, og saken blir sendt fram og tilbake mellom kontorene.",
    "Mål- og resultatstyring i New Public Management: målstyring, mål og resultatstyring.",
    "Brukarmedverknaden i Nav-kontoret og brukermedvirkning i tjenestesamordningen.",
    "Ingenting her handler om noe av det.",
    "",
    "samordning samordning samordningen samordning av tjenester",
    "Arbeidslinja og arbeidslinjen: flere i arbeid og færre på trygd, aktivitetskrav.",
]

BOOK_YAML = {
    "themes": {
        "a": {"terms": ["stol*", {"pattern": "kontor*", "weight": 0.6}, {"pattern": "sak", "weight": 0.3}],
              "phrases": ["mellom to stoler", "fram og tilbake"], "exclude": ["stolpe*"]},
        "b": {"terms": [{"pattern": "samordning", "weight": 1.2}], "phrases": ["sam* av tjenester"],
              "compound": True, "min_score": 2.4},
        "c": {"terms": [{"pattern": "tjeneste*", "weight": 0.7}, {"pattern": "arbeid", "weight": 0.1}]},
    }
}


def _reference(book: Codebook, texts: list[str]) -> np.ndarray:
    return np.array([list(book.score_words(words_of(t)).values()) for t in texts], dtype=np.float64)


def _assert_same_coding(book: Codebook, texts: list[str]) -> None:
    fast = book.score_matrix([words_of(t) for t in texts])
    slow = _reference(book, texts)
    # the same hits; only the order of additions may differ, i.e. the last bit of a float
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)
    mins = np.array([t.min_score for t in book.themes.values()])
    assert ((fast >= mins) == (slow >= mins)).all()
    assert ((fast > 0) == (slow > 0)).all()


def test_score_matrix_equals_word_by_word_on_invented_texts():
    for book in (Codebook.default(), Codebook.from_dict(BOOK_YAML)):
        _assert_same_coding(book, TEXTS)
        _assert_same_coding(book, TEXTS[::-1])  # words already known from the first call
        assert all(book.may_match(t) for t in TEXTS if book.matches(t))
        assert not book.may_match("") and not book.matches("")
    assert Codebook.default().score_matrix([]).shape == (0, len(Codebook.default().names))


def _all_hits(corpus, book: Codebook) -> pd.DataFrame:
    """matched_tokens without the per-distinct-word skip: every passage matched."""
    frame = corpus.passages_frame(kinds=None)
    rows = [(pid, doc, m.theme, m.term, m.text, m.start, m.end, m.weight)
            for pid, doc, text in zip(frame["passage_id"], frame["doc_id"], frame["text"], strict=True)
            for m in book.matches(text)]
    return pd.DataFrame(rows, columns=["passage_id", "doc_id", "theme", "term", "match", "start", "end", "weight"])


def _check_corpus(corpus) -> None:
    book = Codebook.default()
    frame = corpus.passages_frame(kinds=None)
    texts = frame["text"].fillna("").tolist()
    _assert_same_coding(book, texts)
    coded = _code(corpus, book, kinds=None, on_progress=None)
    assert coded["n_words"].tolist() == [len(words_of(t)) for t in texts]
    hits = matched_tokens(corpus, book, kinds=None)
    assert len(hits) > 0
    pd.testing.assert_frame_equal(hits.reset_index(drop=True), _all_hits(corpus, book))


def test_fast_coding_is_the_same_on_the_demo_corpus(demo_corpus):
    _check_corpus(demo_corpus)


def test_fast_coding_is_the_same_on_real_storting_questions(storting_sample):
    _check_corpus(storting_sample)


def _distinct_words(corpus) -> list[str]:
    seen: dict[str, None] = {}
    for text in corpus.passages_frame(kinds=None)["text"].fillna(""):
        seen.update(dict.fromkeys(words_of(text)))
    return list(seen)


def _check_word_hits_unchanged_by_the_shortcuts(corpus, monkeypatch) -> None:
    """The substring test before contains_lemma and the per-word forms cache change no word's hits."""
    from policytekst.themes import codebook as module

    words = _distinct_words(corpus)
    fast = Codebook.default()
    got = {w: fast._word_hits(w) for w in words}
    monkeypatch.setattr(module, "_may_contain", lambda probe, needles: True)
    slow = Codebook.default()
    slow._forms = lambda word: (word, module._lemma(word), module.read_as_bokmal(word))  # no cache
    assert got == {w: slow._word_hits(w) for w in words}
    assert sum(1 for hits in got.values() if hits) > 10


def test_word_hits_unchanged_by_the_shortcuts_on_the_demo_corpus(demo_corpus, monkeypatch):
    _check_word_hits_unchanged_by_the_shortcuts(demo_corpus, monkeypatch)


def test_word_hits_unchanged_by_the_shortcuts_on_real_storting_questions(storting_sample, monkeypatch):
    _check_word_hits_unchanged_by_the_shortcuts(storting_sample, monkeypatch)
