"""Language identification for passages: bokmål (nb), nynorsk (nn), English (en), Danish (da), Swedish (sv).

lingua (restricted to these five languages, low-accuracy mode: about 0.1 ms a call) ranks the languages;
for the close pairs bokmål/nynorsk and bokmål/Danish, counts of marker words that only one language of the
pair uses (``data/language_markers.tsv``) decide when they clearly point one way. Never raises: empty or
odd input returns the default "nb".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from policytekst.nlp.resources import data_path, read_rows

LANGUAGES = ("nb", "nn", "en", "da", "sv")
DEFAULT = "nb"
# Marker counts must differ by at least this much to overrule lingua on a close pair.
MIN_MARGIN = 2
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
SHORT_WORDS = 4  # texts with fewer words need a confident lingua to leave the default
SHORT_CONFIDENCE = 0.9
_MAX_CHARS = 3000  # long texts: the first 3,000 characters decide (keeps the cost per call bounded)
_LINGUA_CHARS = 600  # lingua costs about 4 microseconds a character; the markers see the full 3,000


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = {Language.BOKMAL: "nb", Language.NYNORSK: "nn", Language.ENGLISH: "en", Language.DANISH: "da",
                 Language.SWEDISH: "sv"}
    detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
    return detector, languages


@lru_cache(maxsize=1)
def _markers() -> dict[str, dict[str, str]]:
    """contrast ("nb-nn") -> word -> language it points to."""
    table: dict[str, dict[str, str]] = defaultdict(dict)
    for row in read_rows(data_path("language_markers.tsv")):
        if len(row) >= 3:
            table[row[2]][row[0]] = row[1]
    return dict(table)


def marker_counts(text: str, contrast: str) -> dict[str, int]:
    """How many words of ``text`` point to each language of a contrast such as "nb-nn"."""
    return word_marker_counts(_WORD.findall(text.lower()), contrast)


def word_marker_counts(words: Iterable[str], contrast: str) -> dict[str, int]:
    """:func:`marker_counts` of words already split and lower-cased."""
    table = _markers().get(contrast, {})
    counts = dict.fromkeys(contrast.split("-"), 0)
    for word in words:
        lang = table.get(word)
        if lang is not None:
            counts[lang] += 1
    return counts


def reads_as_nynorsk(words: Iterable[str]) -> bool:
    """True when a passage's nynorsk-only marker words outnumber its bokmål-only ones by :data:`MIN_MARGIN`
    (cheap: one dictionary look-up a word, no language model). ``words`` split and lower-cased."""
    counts = word_marker_counts(words, "nb-nn")
    return counts["nn"] >= counts["nb"] + MIN_MARGIN


def language_scores(text: str) -> dict[str, float]:
    """lingua's confidence per language (summing to 1), or an empty dict for text without letters."""
    if not isinstance(text, str) or not _WORD.search(text):
        return {}
    detector, languages = _detector()
    values = detector.compute_language_confidence_values(text[:_MAX_CHARS])
    return {languages[v.language]: float(v.value) for v in values}


PRIOR_WORDS = 25  # texts shorter than this need a marker word of their own to leave bokmål


def _has_own_marker(text: str, lang: str) -> bool:
    markers = _markers()
    tables = [t for t in (markers.get("nb-nn", {}), markers.get("nb-da", {}), markers.get("signature", {}))]
    for word in _WORD.findall(text.lower()):
        if any(table.get(word) == lang for table in tables):
            return True
    return False


PRIOR_CONFIDENCE = 0.95  # below this, lingua's nynorsk/Danish call without any marker word yields to bokmål


def _resolve_pair(text: str, first: str, second: str, confidence: float = 1.0) -> str:
    for contrast in ("nb-nn", "nb-da"):
        pair = set(contrast.split("-"))
        if first in pair and (second in pair or first != "nb"):
            counts = marker_counts(text, contrast)
            a, b = contrast.split("-")
            if counts[a] - counts[b] >= MIN_MARGIN:
                return a
            if counts[b] - counts[a] >= MIN_MARGIN:
                return b
            if first == b and counts[b] == 0 and confidence < PRIOR_CONFIDENCE:
                # no word of the text is nynorsk- or Danish-only: bokmål, by far the commonest, is the
                # better guess for short or neutral text ("Om tiltak for å sikre ny rekruttering")
                return a
    return first


FAST_MIN_WORDS = 8  # the marker fast path needs a sentence or more


def _fast_path(text: str) -> str | None:
    """Decide from marker words alone when they are unambiguous; None when lingua is needed."""
    words = _WORD.findall(text.lower())
    if len(words) < FAST_MIN_WORDS:
        return None
    markers = _markers()
    nbnn, nbda, sig = markers.get("nb-nn", {}), markers.get("nb-da", {}), markers.get("signature", {})
    counts = {"nb": 0, "nn": 0, "da": 0, "en": 0, "sv": 0}
    for word in words:
        for table in (nbnn, nbda, sig):
            lang = table.get(word)
            if lang is not None and not (table is nbda and lang == "nb"):
                counts[lang] += 1
    if counts["da"] or counts["sv"]:
        return None
    if counts["en"] >= 3 and counts["en"] >= len(words) // 6 and counts["nb"] + counts["nn"] == 0:
        return "en"
    if counts["en"] > 1:
        return None
    if counts["nb"] >= 3 and counts["nn"] == 0 and any(nbda.get(w) == "nb" for w in words):
        return "nb"  # bokmål words that Danish spells differently ("meg", "av", "etter") rule Danish out
    if counts["nn"] >= 3 and counts["nb"] == 0:
        return "nn"
    return None


# English's commonest function words that are not Norwegian words too ("to", "i" and "in" are)
_ENGLISH_FUNCTION_WORDS = frozenset(("the", "of", "and", "is", "are", "which", "with", "this", "that"))


def could_be(text: str, lang: str) -> bool:
    """A cheap screen before :func:`detect_language` over many passages: False when ``text`` is surely not in
    ``lang``. Only English is screened: in the first 3,000 characters at least three words, and one word in
    twenty, must be among its commonest function words (about one in five in English prose). For every other
    language the answer is True.

    >>> could_be("Brukerne sendes fram og tilbake mellom etatene.", "en")
    False
    """
    if lang == "en":
        words = text[:_MAX_CHARS].lower().split()
        hits = sum(1 for word in words if word in _ENGLISH_FUNCTION_WORDS)
        return hits >= 3 and hits * 20 >= len(words)
    return True


def detect_language(text: str) -> str:
    """The language of a passage: one of "nb", "nn", "en", "da", "sv".

    Parameters
    ----------
    text : str
        A passage; 30 words or more give reliable answers, a few words give a best guess.

    Returns
    -------
    str
        The language code. Never raises; text without letters returns "nb".

    Examples
    --------
    >>> detect_language("Eg trur ikkje at dei har fått nok hjelp frå kommunen.")
    'nn'
    """
    try:
        if not isinstance(text, str):
            return DEFAULT
        text = text[:_MAX_CHARS]
        fast = _fast_path(text)
        if fast is not None:
            return fast
        scores = language_scores(text[:_LINGUA_CHARS])
        if not scores:
            return DEFAULT
        ranked = sorted(scores, key=scores.get, reverse=True)
        first = ranked[0]
        n_words = len(_WORD.findall(text))
        if n_words < SHORT_WORDS and scores[first] < SHORT_CONFIDENCE and first != DEFAULT:
            # a heading or a name: too little evidence to leave the corpus's main language
            counts = marker_counts(text, "nb-nn")
            return "nn" if counts["nn"] > counts["nb"] else DEFAULT
        if n_words < PRIOR_WORDS and first != DEFAULT and not _has_own_marker(text, first):
            # lingua is over-confident on short titles; without one word that only this language uses,
            # bokmål (by far the commonest here) is the better guess
            return DEFAULT
        second = ranked[1] if len(ranked) > 1 else first
        if first in ("nb", "nn", "da"):
            return _resolve_pair(text, first, second, scores[first])
        return first
    except Exception:  # noqa: BLE001 - ingest must never fail on language detection
        return DEFAULT


def lingua_language(text: str) -> str:
    """lingua alone (high-accuracy mode), the baseline the language tests report beside ours."""
    from lingua import Language

    codes = {Language.BOKMAL: "nb", Language.NYNORSK: "nn", Language.ENGLISH: "en", Language.DANISH: "da",
             Language.SWEDISH: "sv"}
    detector = _baseline_detector(tuple(codes))
    found = detector.detect_language_of(text)
    return codes.get(found, DEFAULT)


@lru_cache(maxsize=1)
def _baseline_detector(languages: tuple):
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*languages).build()
