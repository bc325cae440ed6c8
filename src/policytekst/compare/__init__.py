"""Change over time and between groups: trends with document-bootstrap intervals and a smooth spline trend,
term counts, keyness (G2 + Log Ratio) and document similarity. Every table leads back to passages.

Examples
--------
>>> from policytekst.compare import term_scores, trend_table, keyness         # doctest: +SKIP
>>> trend_table(corpus, term_scores(corpus, ["nav", "aetat"]), periods=[2006])  # doctest: +SKIP
>>> crossed_trend_table(corpus, term_scores(corpus, ["nav"]), split="fromParty")  # doctest: +SKIP
>>> keyness(corpus, {"year": (None, 2005)}, {"year": (2006, None)})            # doctest: +SKIP
>>> most_similar_pairs(corpus, n=10)        # the same cosines as similar_documents  # doctest: +SKIP
"""

from policytekst.compare.crossed import CROSSED_COLUMNS, crossed_trend_table
from policytekst.compare.groups import describe_group, group_mask, parse_group
from policytekst.compare.keyness import KEYNESS_COLUMNS, keyness
from policytekst.compare.similarity import (
    NEAREST_COLUMNS,
    SIMILAR_COLUMNS,
    document_map,
    most_similar_pairs,
    nearest_documents,
    pairs_of,
    similar_documents,
)
from policytekst.compare.terms import term_scores
from policytekst.compare.trends import SMOOTH_COLUMNS, TREND_COLUMNS, smooth_trend, trend_table
from policytekst.selection import parse_periods

__all__ = ["CROSSED_COLUMNS", "KEYNESS_COLUMNS", "NEAREST_COLUMNS",
           "SIMILAR_COLUMNS", "SMOOTH_COLUMNS", "TREND_COLUMNS",
           "crossed_trend_table", "describe_group", "document_map", "group_mask", "keyness", "most_similar_pairs", "nearest_documents",
           "pairs_of", "parse_group", "parse_periods", "similar_documents", "smooth_trend", "term_scores",
           "trend_table"]
