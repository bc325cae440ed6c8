"""The one cached word lemmatiser and the one version stamp of everything the language layer stores.

Two ways to lemmatise, one cache under both:

* :func:`lemma_of` (word, lang) -> the lemma of a word read **on its own**, as a lower-case common word. It is a
  function of (word, lang) only: no sentence position, no neighbouring word, no batch it happens to be looked
  up with. The search index, search queries, KWIC and the codebook matcher use it, so a word is indexed and
  queried with the same lemma wherever it occurs.
* :func:`policytekst.nlp.lemmatize` (tokens) -> lemmas of running text. There "context" means exactly two
  things: the sentence position of a capitalised word (a capital inside a sentence marks a name, one at a
  sentence start does not) and the word just before or after (a handful of rules without a tagger: "vi så" ->
  "se", "i går" -> "går", "mange klubber" -> "klubb", "i arbeidet" -> "arbeid", "noe arbeid" -> "noen"). Passage
  content lemmas (topic models, term trends, the passage lemma cache) use it.

Both read the per-language word entries of :mod:`policytekst.nlp.lemmas` (``_Lemmatizer.mid``), so a word is
analysed once per process whichever way it is asked for. Everything stored from lemmas (the passage lemma table
and the search index's lemma column) is stamped with :func:`cache_version`, so a change to the rules (bump
:data:`NLP_VERSION`), to a shipped list or to a user list rebuilds both.

Examples
--------
>>> lemma_of("kasteballene")
'kasteball'
>>> lemma_text("Kasteballene i NAV-kontorene")
'kasteball i nav kontor'
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable

from policytekst.nlp.lemmas import _lang, _lemmatizer
from policytekst.nlp.resources import DATA_DIR

# Bump when tokenizing, lemmatizing or the shipped lists change output: every lemma store keys on it.
# 2: search lemmas are word lemmas (no longer lemmatised as a running text of their cache-miss batch).
# 3: analyses read nynorsk lemmas as their bokmål lemmas (content_lemmas, the passage lemma cache, the codebook).
#    A change to the spelling rules in policytekst.nlp.standards changes stored lemmas too: bump this then.
# 4: older bokmål spellings read as today's ("efter" -> "etter"; standards.modern_lemma).
NLP_VERSION = "4"

# Word tokens as SQLite FTS5's unicode61 tokenizer sees them (letters and digits; hyphens, dots and apostrophes
# split words), so the search index's lemma column lines up with its surface column.
WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Environment variables naming user lists that change lemmas, stop words or tokens.
USER_LISTS = ("POLICYTEKST_STOPWORDS", "POLICYTEKST_LEMMAS", "POLICYTEKST_ABBREVIATIONS")
# The written-standards switch (see standards_kept_apart).
STANDARDS_ENV = "POLICYTEKST_STANDARDS"


def lemma_of(word: str, lang: str = "nb") -> str:
    """Lemma of one word read on its own as a lower-case common word (cached per language and word).

    Parameters
    ----------
    word : str
        One word; it is lower-cased first, so "Reformene" and "reformene" get the same lemma.
    lang : str
        "nb" (default), "nn", "en", "da" or "sv"; unknown codes fall back to bokmål.

    Returns
    -------
    str
        The lower-case lemma; a word without letters (a number, punctuation) comes back as given.

    Examples
    --------
    >>> lemma_of("Nav-kontorene")
    'nav-kontor'
    """
    if not isinstance(word, str) or not word:
        return "" if word is None else str(word)
    low = word.lower()
    lem = _lemmatizer(_lang(lang))
    entry = lem.mid.get(low)
    if entry is None:
        entry = lem.entry(low, False)
    return (entry if entry.__class__ is str else entry[0]).lower() or low


def lemmas_of(words: Iterable[str], lang: str = "nb") -> list[str]:
    """:func:`lemma_of` for many lower-case words at once (the hot loop of indexing: one dict look-up a word)."""
    lem = _lemmatizer(_lang(lang))
    cache = lem.mid  # the same entries lemmatize() reads for a word inside a sentence
    out: list[str] = []
    append = out.append
    for word in words:
        entry = cache.get(word)
        if entry is None:
            entry = lem.entry(word, False)
        # an entry is the lemma, or a tuple whose first item is the lemma without context
        append((entry if entry.__class__ is str else entry[0]).lower() or word)
    return out


def lemma_text(text: str, lang: str = "nb") -> str:
    """The words of ``text`` (split as FTS5 splits them) replaced by their word lemmas, space-separated.

    Lower-cased first: a capitalised word (sentence start, heading, "REFORMEN") is the same index term as the
    word in running text. A hyphenated compound is lemmatised by its parts ("NAV-kontorene" -> "nav kontor"),
    the index terms FTS5 would make of the whole.
    """
    return " ".join(lemmas_of(WORD.findall(text.lower()), lang))


class WordLemmatizer:
    """The word lemmatiser as an object, for code that passes one around (the search modules).

    Stateless: the cache lives in :mod:`policytekst.nlp.lemmas`, so every instance gives the same lemmas.
    """

    def lemmas(self, words: list[str], lang: str = "nb") -> list[str]:
        """:func:`lemma_of` for each word."""
        return lemmas_of((w.lower() for w in words), lang)

    def lemma(self, word: str, lang: str = "nb") -> str:
        """:func:`lemma_of`."""
        return lemma_of(word, lang)

    def lemma_text(self, text: str, lang: str = "nb") -> str:
        """:func:`lemma_text`."""
        return lemma_text(text, lang)


def standards_kept_apart() -> bool:
    """True when the user asked to keep nynorsk and bokmål apart (``POLICYTEKST_STANDARDS=keep``).

    The switch of :mod:`policytekst.nlp.standards`; it lives here because every stored lemma depends on it (the
    standards module imports this one, so the stamp below can read it without an import cycle).
    """
    return os.environ.get(STANDARDS_ENV, "").strip().lower() in ("keep", "apart", "separate", "0", "no")


def cache_version() -> str:
    """The version stamp of stored lemmas: :data:`NLP_VERSION` plus a fingerprint of every shipped and user list
    and the written-standards setting (``POLICYTEKST_STANDARDS``: stored lemmas of nynorsk text depend on it).

    The passage lemma table and the search index both record it and are rebuilt when it changes.
    """
    return _cache_version(tuple(os.environ.get(var, "") for var in USER_LISTS),
                          "std-keep" if standards_kept_apart() else "std-merge")


@functools.lru_cache(maxsize=8)
def _cache_version(user_lists: tuple[str, ...], standards_stamp: str) -> str:
    # Cached per set of user lists: hashing the data files costs milliseconds, and every search asks.
    digest = hashlib.sha1(NLP_VERSION.encode())
    digest.update(standards_stamp.encode())
    for path in sorted(DATA_DIR.iterdir()):
        if path.suffix in (".txt", ".tsv"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for value in user_lists:
        for name in value.split(os.pathsep):
            if name.strip() and os.path.isfile(name):
                with open(name, "rb") as handle:
                    digest.update(handle.read())
    return f"{NLP_VERSION}-{digest.hexdigest()[:10]}"
