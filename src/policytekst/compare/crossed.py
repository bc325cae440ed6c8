"""Trends crossed with a second document variable: year x party, period x genre, ...

``crossed_trend_table`` is :func:`policytekst.compare.trends.trend_table` run once per value of the split
variable, on that group's passages only, so every group has its own document-bootstrap intervals, sparse flags
and document counts, computed exactly as a single trend would be. It adds a ``group`` column (second) and keeps
the other column names of the trend table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from policytekst.compare.groups import passage_table
from policytekst.compare.trends import EXPECTED_COLUMNS, TREND_COLUMNS, Periods, _period_spec, trend_table
from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS

CROSSED_COLUMNS = ["period", "group", *[c for c in TREND_COLUMNS if c != "period"]]


def crossed_trend_table(corpus, scores: pd.DataFrame, split: str, by: str = "year", periods: Periods = None,
                        n_boot: int = 1000, seed: int = 0, kinds: Sequence[str] = ANALYSIS_KINDS,
                        min_docs: int = 20, ci: float = 0.95, groups: Sequence | None = None,
                        max_groups: int = 30, expected: bool = False) -> pd.DataFrame:
    """Mean score per period and group of ``split`` (a document variable such as fromParty or genre).

    Parameters
    ----------
    split : the variable whose values become groups; documents without a value are left out (``attrs``
        counts them).
    groups : only these values, in this order (default: every value, largest group first).
    max_groups : refuse (UsageError) a split with more groups than this unless ``groups`` picks some: a variable
        with a value per document (titles, ids) is not a grouping.
    Other parameters as :func:`~policytekst.compare.trends.trend_table`; group ``i`` (in output order) draws its
    bootstrap from seed ``seed + i``, so the run is deterministic and groups do not share resamples.

    Returns
    -------
    DataFrame(period, group, item, mean, ci_low, ci_high, n_docs, n_passages, sparse[, expected, expected_low,
    expected_high]).
    """
    if split == by:
        raise UsageError(f"--split {split} is the same variable as --by; choose another (party, genre, ...)")
    if not isinstance(scores, pd.DataFrame):
        scores = pd.DataFrame(scores)
    frame = passage_table(corpus, [split, *([by] if by else [])], kinds)
    frame = frame[frame["passage_id"].isin(scores.index)]
    values = frame[split]
    if groups is None:
        # largest group first: the panels a reader sees first hold the most material
        counts = values.dropna().groupby(values.dropna().map(str)).size()
        order = values.dropna().drop_duplicates()
        order = sorted(order, key=lambda v: (-int(counts.get(str(v), 0)), str(v)))
        if len(order) > max_groups:
            raise UsageError(f"--split {split} has {len(order)} groups (more than {max_groups}); pick some with "
                             f"--groups, or split by a variable with fewer values")
    else:
        present = set(values.dropna().map(str))
        missing = [g for g in groups if str(g) not in present]
        if missing:
            raise UsageError(f"no documents with {split} = {', '.join(map(str, missing))} (known: "
                             f"{', '.join(sorted(present)[:20])})")
        order = list(groups)
    if periods is not None:
        # one set of periods for every group: break years resolved against the whole corpus's years, so that
        # "2006" gives 2006-2015 for every party, not 2006-2013 for a party whose last question came in 2013
        periods = [(label, low, high) for label, low, high in _period_spec(periods, frame[by])]
    tables = []
    for index, value in enumerate(order):
        ids = frame.loc[values.map(str) == str(value), "passage_id"]
        part = trend_table(corpus, scores.loc[scores.index.isin(ids)], by=by, periods=periods, n_boot=n_boot,
                           seed=seed + index, kinds=kinds, min_docs=min_docs, ci=ci, expected=expected)
        tables.append(part.assign(group=value))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=CROSSED_COLUMNS)
    table = table[[c for c in [*CROSSED_COLUMNS, *EXPECTED_COLUMNS] if c in table.columns]]
    table.attrs.update({"by": by, "split": split, "n_boot": n_boot, "seed": seed, "ci": ci, "min_docs": min_docs,
                        "resampling": "documents", "groups": [str(g) for g in order],
                        "documents_without_group": int(frame.loc[values.isna(), "doc_id"].nunique()),
                        "corpus_generation": corpus.generation})
    return table
