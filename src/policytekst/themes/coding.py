"""Dictionary coding of corpus passages with a codebook, and theme scores for other areas.

``code_passages`` gives passages x themes (weighted hit counts); ``matched_tokens`` shows which words hit
and where; ``theme_scores`` is the one-number-per-passage view (codebook or model) other areas consume.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from policytekst.model import ANALYSIS_KINDS
from policytekst.themes.codebook import Codebook, words_of

DEFAULT_THEMES = ("npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja",
                  "skjonn_og_handlingsrom", "sosialfaglig_kompetanse", "dokumentasjon_og_kvalitet",
                  "ledelse_og_styring", "effektivitet")


def _passages(corpus, kinds: Sequence[str] | None) -> pd.DataFrame:
    return corpus.passages_frame(kinds=kinds)


def code_passages(corpus, codebook: Codebook | str | None = None,
                  kinds: Sequence[str] | None = ANALYSIS_KINDS) -> pd.DataFrame:
    """Code every passage with the codebook.

    Returns a DataFrame indexed by passage_id with one column per theme (weighted hit counts), ready to be
    passed on as ``scores`` (for example to ``policytekst.compare.trend_table``). The words that hit come
    from :func:`matched_tokens`; word counts for rates from :func:`code_passages_with_words`.
    """
    return code_passages_with_words(corpus, codebook, kinds).drop(columns="n_words")


def code_passages_with_words(corpus, codebook: Codebook | str | None = None,
                             kinds: Sequence[str] | None = ANALYSIS_KINDS) -> pd.DataFrame:
    """:func:`code_passages` plus an ``n_words`` column (the words the matcher saw, for per-10k rates)."""
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    frame = _passages(corpus, kinds)
    rows = []
    for text in frame["text"]:
        words = words_of(text)
        scores = book.score_words(words)
        rows.append([scores[t] for t in book.names] + [len(words)])
    out = pd.DataFrame(rows, columns=[*book.names, "n_words"], index=pd.Index(frame["passage_id"],
                                                                               name="passage_id"))
    out["n_words"] = out["n_words"].astype(int)
    return out


def matched_tokens(corpus, codebook: Codebook | str | None = None,
                   kinds: Sequence[str] | None = ANALYSIS_KINDS, themes: Sequence[str] | None = None
                   ) -> pd.DataFrame:
    """Every codebook hit: DataFrame(passage_id, doc_id, theme, term, match, start, end, weight).

    ``start``/``end`` are character offsets in the passage text, so a reader can highlight the hit.
    """
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    wanted = set(themes) if themes else None
    frame = _passages(corpus, kinds)
    rows = []
    for pid, doc_id, text in zip(frame["passage_id"], frame["doc_id"], frame["text"], strict=True):
        for m in book.matches(text):
            if wanted is None or m.theme in wanted:
                rows.append((pid, doc_id, m.theme, m.term, m.text, m.start, m.end, m.weight))
    return pd.DataFrame(rows, columns=["passage_id", "doc_id", "theme", "term", "match", "start", "end",
                                       "weight"])


def codebook_probability(score: float | np.ndarray, min_score: float = 1.0):
    """Map weighted hits to [0, 1]: 0 hits -> 0, ``min_score`` hits -> 0.5, more hits -> towards 1."""
    return 1.0 - np.power(0.5, np.asarray(score, dtype=float) / max(min_score, 1e-9))


@lru_cache(maxsize=1)
def default_model():
    """The theme model shipped in the package (trained by scripts/train_default_theme_model.py)."""
    from importlib import resources

    from policytekst.themes.classifier import ThemeClassifier

    path = resources.files("policytekst.themes").joinpath("data/default_model.joblib")
    with resources.as_file(path) as real:
        return ThemeClassifier.load(real)


def theme_scores(corpus, theme: str, method: str = "model", codebook: Codebook | str | None = None,
                 model=None, kinds: Sequence[str] | None = ANALYSIS_KINDS) -> pd.Series:
    """How strongly each passage is about ``theme``: a Series indexed by passage_id with values in [0, 1].

    ``method="model"`` gives the classifier's probability (the shipped default model unless ``model`` is
    given); ``method="codebook"`` maps the codebook's weighted hits to [0, 1] (0.5 at the theme's
    ``min_score``).
    """
    if method not in ("model", "codebook"):
        raise ValueError(f"method must be 'model' or 'codebook', not {method!r}")
    if method == "codebook":
        book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
        if theme not in book.themes:
            raise KeyError(f"theme '{theme}' is not in the codebook ({', '.join(book.names)})")
        coded = code_passages(corpus, book, kinds=kinds)
        values = codebook_probability(coded[theme].to_numpy(), book.themes[theme].min_score)
        return pd.Series(values, index=coded.index, name=theme)
    clf = model if model is not None else default_model()
    if theme not in clf.themes_:
        raise KeyError(f"theme '{theme}' is not in the model ({', '.join(clf.themes_)})")
    frame = _passages(corpus, kinds)
    proba = clf.predict_proba(frame["text"].tolist()) if len(frame) else np.zeros((0, len(clf.themes_)))
    j = clf.themes_.index(theme)
    return pd.Series(proba[:, j] if len(frame) else [], index=pd.Index(frame["passage_id"], name="passage_id"),
                     name=theme, dtype=float)
