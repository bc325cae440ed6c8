"""Theme tables: coded passages aggregated per document, year, period or genre, counts beside every rate.

Every row says how many documents and passages it rests on (``n_docs``, ``n_passages``), because a rate
from three passages is not a rate from three thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.selection import YearRange, parse_periods, parse_years
from policytekst.themes.codebook import Codebook
from policytekst.themes.coding import code_passages_with_words

GROUPINGS = ("doc", "year", "period", "genre")


def _period_labels(years: pd.Series, periods: Sequence[Any] | str | int | None) -> pd.Series:
    """Year -> period label. ``periods`` is a bin width in years (int), or periods in the selection vocabulary:
    break years, year ranges ("..2005", "2006..2015") or (start, end) pairs (see :mod:`policytekst.selection`)."""
    if periods is None:
        periods = 5
    if isinstance(periods, int):
        if periods < 1:
            raise UsageError(f"period width must be at least 1 year (got {periods})")

        def label(y):
            if pd.isna(y):
                return None
            start = int(y) - int(y) % periods
            return YearRange(start, start + periods - 1).label
        return years.map(label)
    parsed = parse_periods(periods) if isinstance(periods, str) else list(periods)
    if parsed and all(isinstance(p, int) for p in parsed):  # break years: each starts a period
        present = years.dropna()
        first = int(present.min()) if len(present) else parsed[0]
        last = int(present.max()) if len(present) else parsed[-1]
        starts = sorted({min(first, parsed[0]), *parsed})
        ranges = [YearRange(a, max(a, (starts[i + 1] - 1) if i + 1 < len(starts) else last))
                  for i, a in enumerate(starts)]
    else:
        ranges = [parse_years(p) for p in parsed]

    def label_ranges(y):
        if pd.isna(y):
            return None
        return next((r.label for r in ranges if r.contains(y)), None)
    return years.map(label_ranges)


def theme_table(corpus, by: str = "doc", codebook: Codebook | str | None = None,
                kinds: Sequence[str] | None = ANALYSIS_KINDS,
                periods: Sequence[Any] | str | int | None = None,
                coded: pd.DataFrame | None = None,
                on_progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Aggregate codebook coding per ``by`` (doc, year, period or genre).

    The coding is read from the corpus's theme score cache (computed in one pass the first time, reporting
    ``on_progress(done, total)``), unless ``coded`` (:func:`code_passages_with_words` output) is given.

    Returns a long table with one row per group and theme: group, theme, hits (weighted), passages_hit,
    n_passages, share_passages (passages reaching the theme's min_score / all passages), n_words,
    rate_per_10k (weighted hits per 10,000 words), n_docs (documents in the group), docs_hit.
    """
    if by not in GROUPINGS:
        raise UsageError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    if coded is None:
        coded = code_passages_with_words(corpus, book, kinds=kinds, on_progress=on_progress)
    meta = corpus.passages_frame(kinds=kinds)[["passage_id", "doc_id", "year", "genre"]].set_index("passage_id")
    data = coded.join(meta, how="left")
    if by == "doc":
        data["group"] = data["doc_id"]
    elif by == "year":
        data["group"] = data["year"]
    elif by == "period":
        data["group"] = _period_labels(data["year"], periods)
    else:
        data["group"] = data["genre"].fillna("(unknown)")
    data = data[data["group"].notna()]
    rows = []
    for group, part in data.groupby("group", sort=True):
        n_passages = len(part)
        n_words = int(part["n_words"].sum())
        n_docs = part["doc_id"].nunique()
        for theme in book.names:
            hit = part[theme] >= book.themes[theme].min_score
            hits = float(part[theme].sum())
            rows.append({"group": group, "theme": theme, "hits": round(hits, 3),
                         "passages_hit": int(hit.sum()), "n_passages": n_passages,
                         "share_passages": round(float(hit.mean()) if n_passages else np.nan, 4),
                         "n_words": n_words,
                         "rate_per_10k": round(10_000.0 * hits / n_words, 3) if n_words else np.nan,
                         "n_docs": int(n_docs), "docs_hit": int(part.loc[hit, "doc_id"].nunique())})
    out = pd.DataFrame(rows, columns=["group", "theme", "hits", "passages_hit", "n_passages", "share_passages",
                                      "n_words", "rate_per_10k", "n_docs", "docs_hit"])
    return out.rename(columns={"group": by})
