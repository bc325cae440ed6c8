"""The Norwegian language layer: tokens, sentences, lemmas, stop words, phrases, language and compounds.

Stable functions (other areas rely on these names and signatures):

- :func:`tokenize` (text) -> tokens; :func:`sentences` (text) -> sentences;
- :func:`lemmatize` (tokens, lang="nb") -> lemmas of running text (context: sentence position and neighbouring
  word); :func:`lemma_of` (word, lang="nb") -> the cached lemma of one word on its own (search, codebook);
  :func:`detect_language` (text) -> nb | nn | en | da | sv;
- :func:`stopwords` (lang="nb", domain=False) -> frozenset; :func:`content_lemmas` (text, lang=None) -> the
  bag-of-words input for models (lower-case lemmas without punctuation, numbers or stop words);
- :func:`policytekst.nlp.cache.passage_lemmas` (corpus, kinds) streams content lemmas per passage, computed
  once and stored in the corpus; :func:`cache_version` stamps everything stored from lemmas.

Further helpers: :func:`join_phrases`, :class:`PhraseModel`, :func:`compound_parts`, :func:`contains_lemma`.
Data files live in ``nlp/data`` and can be extended by users (see :mod:`policytekst.nlp.resources`).
"""

from __future__ import annotations

import re
from pathlib import Path

from policytekst.nlp import standards
from policytekst.nlp.compounds import compound_parts, contains_lemma
from policytekst.nlp.language import detect_language
from policytekst.nlp.lemmas import lemmatize
from policytekst.nlp.phrases import PhraseModel, join_phrases
from policytekst.nlp.stopword_lists import stopwords
from policytekst.nlp.tokens import abbreviations, tokenize
from policytekst.nlp.word_lemmas import NLP_VERSION, cache_version, lemma_of

__all__ = ["tokenize", "sentences", "lemmatize", "lemma", "lemma_of", "cache_version", "detect_language", "stopwords",
           "content_lemmas", "join_phrases", "PhraseModel", "compound_parts", "contains_lemma", "abbreviations",
           "NLP_VERSION"]

# The lemma of one word on its own (kept under its old name too: codebook and compound code call it so).
lemma = lemma_of

def sentences(text: str) -> list[str]:
    """Split text into sentences (Punkt with Norwegian statistics and abbreviations); see sentence_split."""
    # Imported on first use: nltk pulls in scipy and costs seconds, which ingest and the CLI need not pay.
    from policytekst.nlp.sentence_split import sentences as split

    return split(text)


_CONTENT = re.compile(r"^[^\W\d_][\w'’-]*$")


def content_lemmas(text: str, lang: str | None = None, *, phrases: bool = False, domain: bool = False,
                   extra_stopwords: tuple[str | Path, ...] = ()) -> list[str]:
    """Lower-case content lemmas of a text: the bag-of-words input of topic models, search and classifiers.

    Parameters
    ----------
    text : str
        Any text.
    lang : str, optional
        Language code; detected per text when omitted.
    phrases : bool
        Join known policy phrases first ("mål_og_resultatstyring", "new_public_management").
    domain : bool
        Also drop the domain stop words (frequent report words without a theme).
    extra_stopwords : tuple of paths
        More stop-word files.

    Returns
    -------
    list[str]
        Lemmas in text order, without punctuation, numbers, abbreviations, URLs or stop words. Nynorsk lemmas
        are given as their bokmål lemmas ("regjeringa" -> "regjering", :mod:`policytekst.nlp.standards`), so
        models see one vocabulary; ``POLICYTEKST_STANDARDS=keep`` keeps the standards apart.

    Examples
    --------
    >>> content_lemmas("Brukerne ble kasteballer mellom Nav-kontorene og kommunen i 2006.", lang="nb")
    ['bruker', 'kasteball', 'nav-kontor', 'kommune']
    """
    if not isinstance(text, str) or not text.strip():
        return []
    code = lang or detect_language(text)
    lemmas = lemmatize(tokenize(text), code)
    stop = stopwords(code, domain, extra=extra_stopwords)
    if code == "nn" and not standards.keep_apart():
        # nynorsk stop words go before mapping (some map onto bokmål content words), bokmål ones after it
        # (the mapped lemma may be a bokmål stop word: "verte" -> "bli")
        lemmas = standards.to_bokmal([w for w in lemmas if w.lower().rstrip("-") not in stop], code)
        stop = stopwords("nb", domain, extra=extra_stopwords)
    if phrases:
        lemmas = join_phrases(lemmas)
    out: list[str] = []
    for item in lemmas:
        low = item.lower().rstrip("-")
        if len(low) > 1 and low not in stop and _CONTENT.match(low):
            out.append(low)
    return out
