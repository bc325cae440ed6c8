"""policytekst.themes: a codebook that codes passages, classifiers that learn beyond keywords, theme tables.

Stable API: :func:`theme_scores`, :func:`code_passages`, :data:`DEFAULT_THEMES`; also :class:`Codebook`,
:func:`matched_tokens`, :func:`theme_table`, :class:`ThemeClassifier`, :func:`default_model`.
"""

from policytekst.themes.codebook import Codebook, CodebookError, Match
from policytekst.themes.coding import (
    DEFAULT_THEMES,
    code_passages,
    codebook_probability,
    default_model,
    matched_tokens,
    theme_scores,
)
from policytekst.themes.tables import theme_table

MAIN_THEMES = DEFAULT_THEMES[:5]

__all__ = ["DEFAULT_THEMES", "MAIN_THEMES", "Codebook", "CodebookError", "Match", "code_passages",
           "codebook_probability", "default_model", "matched_tokens", "theme_scores", "theme_table",
           "ThemeClassifier"]


def __getattr__(name: str):
    # The classifier pulls in scikit-learn; load it only when asked for.
    if name == "ThemeClassifier":
        from policytekst.themes.classifier import ThemeClassifier

        return ThemeClassifier
    raise AttributeError(name)
