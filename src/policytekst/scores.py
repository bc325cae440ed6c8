"""The scores protocol: the one shape of every per-passage score table.

Theme scores, codebook coding, topic shares and term counts all answer "how much of item X is in passage P", and
trends, examples, reports and exports consume them interchangeably. A **scores table** is a pandas DataFrame

* indexed by ``passage_id``: the index is named ``"passage_id"``, its values are unique, non-empty strings;
* with one column per item (theme, topic, term): labels unique and not null (names for themes and terms, topic
  numbers for topics);
* every column of a float dtype, every value finite (no NaN: a passage without the item scores 0).

:func:`check_scores` enforces it (tests hold every producer to it, see ``tests/test_scores_protocol.py``);
:func:`scores_frame` builds a table that meets it.

Examples
--------
>>> frame = scores_frame([[0.5, 0.0]], ["doc-p1"], ["npm", "kasteball"])
>>> check_scores(frame).columns.tolist()
['npm', 'kasteball']
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from policytekst.errors import UsageError

INDEX_NAME = "passage_id"


def scores_frame(values: np.ndarray | Sequence[Sequence[float]], passage_ids: Sequence[str],
                 columns: Sequence[Hashable]) -> pd.DataFrame:
    """A scores table from a (passages x items) matrix: float64 values indexed by ``passage_id``."""
    matrix = np.asarray(values, dtype=np.float64).reshape(len(passage_ids), len(columns))
    index = pd.Index([str(p) for p in passage_ids], name=INDEX_NAME, dtype=object)
    return pd.DataFrame(matrix, index=index, columns=list(columns))


def check_scores(frame: object, *, what: str = "scores", unit_interval: bool = False) -> pd.DataFrame:
    """Raise :class:`~policytekst.errors.UsageError` naming the first rule ``frame`` breaks; return it unchanged.

    Parameters
    ----------
    frame : DataFrame
        The table to check.
    what : str
        What the table is, for the message ("theme scores", "term scores", ...).
    unit_interval : bool
        Also demand every value in [0, 1] (probabilities, shares).

    Returns
    -------
    DataFrame
        ``frame`` itself, so a producer can end with ``return check_scores(out)``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"{what}: expected a DataFrame indexed by passage_id, got {type(frame).__name__}")
    index = frame.index
    if index.name != INDEX_NAME:
        raise UsageError(f"{what}: the index must be named {INDEX_NAME!r}, not {index.name!r}")
    if isinstance(index, pd.MultiIndex):
        raise UsageError(f"{what}: the index must be one level of passage ids")
    if len(index) and not all(isinstance(p, str) and p for p in index):
        bad = next(p for p in index if not (isinstance(p, str) and p))
        raise UsageError(f"{what}: passage ids must be non-empty strings; found {bad!r}")
    if not index.is_unique:
        dupes = index[index.duplicated()].unique()[:3].tolist()
        raise UsageError(f"{what}: passage ids must be unique; repeated: {', '.join(map(str, dupes))}")
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex) or not columns.is_unique or columns.hasnans:
        raise UsageError(f"{what}: column labels must be unique and not null (one column per item)")
    not_float = [str(c) for c, dtype in frame.dtypes.items() if not pd.api.types.is_float_dtype(dtype)]
    if not_float:
        raise UsageError(f"{what}: every column must hold floats; not float: {', '.join(not_float[:5])}")
    values = frame.to_numpy(dtype=np.float64, copy=False)
    if values.size and not np.isfinite(values).all():
        bad_cols = [str(c) for c, ok in zip(columns, np.isfinite(values).all(axis=0), strict=True) if not ok]
        raise UsageError(f"{what}: NaN or infinite values in {', '.join(bad_cols[:5])} (score a missing item 0)")
    if unit_interval and values.size and (values.min() < 0.0 or values.max() > 1.0):
        raise UsageError(f"{what}: values must lie in [0, 1]; found {values.min():.3g} .. {values.max():.3g}")
    return frame
