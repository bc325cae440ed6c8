"""The one TF-IDF weighting of the package: document similarity (``policytekst similar``, the report's map and
pairs) and passage "more like this" (``policytekst similar-passages``) weight lemmas the same way.

weight(term) = (1 + ln tf) * (ln((1 + n) / (1 + df)) + 1)

Sublinear term frequency (a word used ten times is not ten times as telling) and scikit-learn's smoothed
inverse document frequency, so :func:`vectorizer` and :func:`term_weight` give the same numbers. Terms in more
than :data:`MAX_DF_SHARE` of the units (function words, the corpus's own name) say nothing about a unit and are
dropped once a collection is big enough for document frequencies to mean something. Terms of a single unit stay:
they cannot make two units alike, but they are part of what the unit says, so a short unit that shares one rare
word with another is not taken for its twin.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sklearn.feature_extraction.text import TfidfVectorizer

#: terms in more than this share of the units are dropped (from MIN_UNITS_FOR_CUTS units on)
MAX_DF_SHARE = 0.5
#: below this many units every term is kept: document frequencies of a handful of units say nothing
MIN_UNITS_FOR_CUTS = 10
#: the vocabulary is capped (most frequent terms first) so the matrix stays small on very large corpora
MAX_FEATURES = 50_000


def keeps(df: int, n_units: int) -> bool:
    """Whether a term found in ``df`` of ``n_units`` units takes part in the weighting."""
    if df <= 0:
        return False
    return n_units < MIN_UNITS_FOR_CUTS or df <= MAX_DF_SHARE * n_units


def term_weight(tf: int, df: int, n_units: int) -> float:
    """TF-IDF weight of a term used ``tf`` times in a unit and found in ``df`` of ``n_units`` units (0 if dropped)."""
    if tf <= 0 or not keeps(df, n_units):
        return 0.0
    return (1 + math.log(tf)) * (math.log((1 + n_units) / (1 + df)) + 1)


def vectorizer(n_units: int) -> TfidfVectorizer:
    """A scikit-learn vectoriser over lists of lemmas with exactly the weighting of :func:`term_weight`.

    Rows of its output are L2-normalised, so a dot product of two rows is their cosine similarity.
    """
    # scikit-learn is imported here, not at module top: it takes about a second, and the search commands that
    # use term_weight must start fast.
    from sklearn.feature_extraction.text import TfidfVectorizer

    cuts = n_units >= MIN_UNITS_FOR_CUTS
    return TfidfVectorizer(analyzer=_as_is, sublinear_tf=True, smooth_idf=True, norm="l2", min_df=1,
                           max_df=MAX_DF_SHARE if cuts else 1.0, max_features=MAX_FEATURES)


def _as_is(lemmas: list[str]) -> list[str]:
    # a module-level function (not a lambda) so a fitted vectoriser can be pickled
    return lemmas
