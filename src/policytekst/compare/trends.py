"""Prevalence over time (or any document variable) with document-bootstrap intervals, and a smooth trend.

Passages of one document are not independent (a thesis on NAV mentions NAV on every page), so intervals
resample *documents* with replacement within each period and recompute the passage-weighted mean: the
cluster bootstrap. Periods with few documents are flagged ``sparse`` instead of being silently plotted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from policytekst.compare.groups import passage_table
from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.selection import YearRange, parse_periods, parse_years

TREND_COLUMNS = ["period", "item", "mean", "ci_low", "ci_high", "n_docs", "n_passages", "sparse"]
#: with ``expected=True``: the period's sum of scores (expected passages for probabilities) and its interval
EXPECTED_COLUMNS = ["expected", "expected_low", "expected_high"]
SMOOTH_COLUMNS = ["year", "item", "fit", "ci_low", "ci_high"]

Periods = str | Mapping[str, Any] | Sequence[int] | Sequence[Any] | None


def _period_spec(periods: Periods, values: pd.Series) -> list[tuple[str, Any, Any]]:
    """[(label, low, high)] inclusive ranges; None = open end. A list of ints is a list of break years."""
    if periods is None:
        return [(str(v), v, v) for v in sorted(values.dropna().unique())]
    if isinstance(periods, str):
        periods = parse_periods(periods)
    if isinstance(periods, Mapping):
        return [(str(label), *parse_years(bounds).as_tuple()) for label, bounds in periods.items()]
    periods = list(periods)
    if periods and all(isinstance(p, (int, np.integer)) for p in periods):
        if not pd.api.types.is_numeric_dtype(values):
            raise UsageError(f"break years ({', '.join(map(str, periods))}) need a numeric variable such as year, "
                             f"not {values.name!r}; leave out the periods to get one row per value")
        breaks = sorted(int(p) for p in periods)
        present = values.dropna()
        if present.empty:
            return []
        first, last = int(present.min()), int(present.max())
        starts = [first, *breaks] if first < breaks[0] else breaks
        spec = []
        for i, start in enumerate(starts):
            end = max(start, starts[i + 1] - 1 if i + 1 < len(starts) else last)
            spec.append((YearRange(start, end).label, start, end))
        return spec
    spec = []
    for period in periods:
        if isinstance(period, tuple) and len(period) == 3:  # (label, low, high)
            label, low, high = period
            spec.append((str(label), *parse_years((low, high)).as_tuple()))
        else:
            years = parse_years(period)
            spec.append((years.label, years.low, years.high))
    return spec


def _aligned(corpus, scores: pd.DataFrame, by: str, kinds: Sequence[str]) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        scores = pd.DataFrame(scores)
    numeric = scores.select_dtypes(include=[np.number, "bool"]).astype(float)
    if numeric.shape[1] == 0:
        raise ValueError("scores has no numeric columns (expected one column per theme, topic or term)")
    frame = passage_table(corpus, [by] if by else [], kinds)
    frame = frame[["passage_id", "doc_id", by]].merge(numeric, left_on="passage_id", right_index=True, how="inner")
    if frame.empty:
        raise ValueError("none of the scores' passage ids is a passage of this corpus")
    return frame


BOOT_BLOCK_CELLS = 2_000_000  # multinomial draws made at once (16 MB): bounds the bootstrap's memory


def _resample_weights(rng, n_docs: int, n_boot: int) -> np.ndarray:
    """``rng.multinomial(n_docs, uniform, size=n_boot)`` as float64, drawn in blocks of rows into one array.

    The same numbers as drawing all at once (the generator draws row after row), without the int64 copy beside the
    float one: on 16,000 documents and 1,000 resamples that copy alone was 128 MB. (The product with the sums stays
    one matrix product: BLAS may sum in another order for another shape.)
    """
    weights = np.empty((n_boot, n_docs), dtype=np.float64)
    uniform = np.full(n_docs, 1.0 / n_docs)
    step = max(1, BOOT_BLOCK_CELLS // max(n_docs, 1))
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        weights[start:stop] = rng.multinomial(n_docs, uniform, size=stop - start)
    return weights


def trend_table(corpus, scores: pd.DataFrame, by: str = "year", periods: Periods = None, n_boot: int = 1000,
                seed: int = 0, kinds: Sequence[str] = ANALYSIS_KINDS, min_docs: int = 20,
                ci: float = 0.95, expected: bool = False) -> pd.DataFrame:
    """Mean score per period with document-bootstrap confidence intervals.

    Parameters
    ----------
    scores : DataFrame indexed by passage_id, one numeric column per item (theme hits, topic shares, term
        counts). Passages missing from ``scores`` are left out.
    by : document variable to group on ("year", "genre", "cabinet_name", ...).
    periods : None (each value of ``by``), break years ([2006] -> "1996..2005", "2006..2015"), year ranges in
        the selection vocabulary (["..2005", "2006.."] or the string "..2005,2006.."), {label: range} or
        [(label, low, high)]; ranges are inclusive, None is open (see :mod:`policytekst.selection`).
    n_boot, seed, ci : bootstrap resamples (of documents), random seed, interval coverage.
    min_docs : periods with fewer documents are flagged ``sparse``.
    expected : also give the period's *sum* of scores with its document-bootstrap interval (columns
        ``expected``, ``expected_low``, ``expected_high``): for calibrated probabilities, the expected number of
        passages about the item.

    Returns
    -------
    DataFrame(period, item, mean, ci_low, ci_high, n_docs, n_passages, sparse[, expected, expected_low,
    expected_high]), periods in order.
    """
    frame = _aligned(corpus, scores, by, kinds)
    items = [c for c in frame.columns if c not in ("passage_id", "doc_id", by)]
    values = frame[by]
    spec = _period_spec(periods, values)
    alpha = (1 - ci) / 2
    rows = []
    for index, (label, low, high) in enumerate(spec):
        mask = values.notna()
        if low is not None:
            mask &= values >= low
        if high is not None:
            mask &= values <= high
        part = frame[mask.fillna(False).astype(bool)]
        per_doc = part.groupby("doc_id", sort=True)[items].sum()
        counts = part.groupby("doc_id", sort=True).size().to_numpy(dtype=float)
        n_docs, n_passages = len(per_doc), int(counts.sum())
        if n_docs == 0:
            for item in items:
                rows.append((label, item, np.nan, np.nan, np.nan, 0, 0, True, 0.0, np.nan, np.nan))
            continue
        sums = per_doc.to_numpy(dtype=float)
        mean = sums.sum(axis=0) / counts.sum()
        if n_boot > 0 and n_docs > 1:
            # independent stream per period, so adding a period does not change the others' intervals
            rng = np.random.default_rng([seed, index])
            weights = _resample_weights(rng, n_docs, n_boot)
            totals = weights @ sums
            boot = totals / (weights @ counts)[:, None]
            del weights
            low_ci, high_ci = np.quantile(boot, [alpha, 1 - alpha], axis=0)
            low_sum, high_sum = np.quantile(totals, [alpha, 1 - alpha], axis=0)
        else:
            low_ci = high_ci = low_sum = high_sum = np.full(len(items), np.nan)
        total = sums.sum(axis=0)
        for j, item in enumerate(items):
            rows.append((label, item, float(mean[j]), float(low_ci[j]), float(high_ci[j]), n_docs, n_passages,
                         n_docs < min_docs, float(total[j]), float(low_sum[j]), float(high_sum[j])))
    table = pd.DataFrame(rows, columns=[*TREND_COLUMNS, *EXPECTED_COLUMNS])
    if not expected:
        table = table[TREND_COLUMNS]
    table.attrs.update({"by": by, "n_boot": n_boot, "seed": seed, "ci": ci, "min_docs": min_docs,
                        "resampling": "documents", "corpus_generation": corpus.generation})
    return table


def _spline_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis (ESL eq. 5.4-5.5; linear beyond the boundary knots, like R's ns()):
    stable at the ends of a series, where yearly counts are smallest. ``knots`` include both boundaries."""
    last = knots[-1]

    def d(k: float) -> np.ndarray:
        return (np.clip(x - k, 0, None) ** 3 - np.clip(x - last, 0, None) ** 3) / (last - k)

    columns = [np.ones_like(x), x]
    tail = d(knots[-2])
    for k in knots[:-2]:
        columns.append(d(k) - tail)
    return np.column_stack(columns)


def smooth_trend(corpus, scores: pd.DataFrame, by: str = "year", df: int = 4, n_boot: int = 200, seed: int = 0,
                 kinds: Sequence[str] = ANALYSIS_KINDS, ci: float = 0.95, grid: Sequence[float] | None = None,
                 ) -> pd.DataFrame:
    """A smooth trend of each item over a numeric variable (STM-style prevalence ~ ns(year, df)).

    Fits weighted least squares of each document's mean score on a natural cubic spline of ``by`` (weights =
    passages per document, so it equals the passage-level regression), with a document-bootstrap band.

    Returns DataFrame(year, item, fit, ci_low, ci_high) over ``grid`` (default: every value from min to max).
    """
    frame = _aligned(corpus, scores, by, kinds).dropna(subset=[by])
    items = [c for c in frame.columns if c not in ("passage_id", "doc_id", by)]
    per_doc = frame.groupby("doc_id", sort=True).agg({by: "first", **{i: "mean" for i in items}})
    weight = frame.groupby("doc_id", sort=True).size().to_numpy(dtype=float)
    x = per_doc[by].to_numpy(dtype=float)
    y = per_doc[items].to_numpy(dtype=float)
    lo, hi = float(x.min()), float(x.max())
    distinct = np.unique(x)
    n_interior = int(min(max(df - 2, 0), max(len(distinct) - 2, 0)))
    # interior knots at quantiles of the documents' positions, boundary knots at the ends (df = 2 + interior)
    interior = np.quantile(x, np.linspace(0, 1, n_interior + 2)[1:-1]) if n_interior else np.array([])
    knots = np.unique(np.concatenate([[lo], interior, [hi]]))
    grid_x = np.asarray(grid if grid is not None else np.arange(np.floor(lo), np.ceil(hi) + 1), dtype=float)

    def basis_of(values: np.ndarray) -> np.ndarray:
        if len(knots) < 2:  # one distinct position: the trend is a constant
            return np.ones((len(values), 1))
        return _spline_basis(values, knots)

    def fit(idx: np.ndarray) -> np.ndarray:
        root = np.sqrt(weight[idx])[:, None]
        coef, *_ = np.linalg.lstsq(basis_of(x[idx]) * root, y[idx] * root, rcond=None)
        return basis_of(grid_x) @ coef

    all_idx = np.arange(len(x))
    estimate = fit(all_idx)
    rng = np.random.default_rng(seed)
    boots = np.stack([fit(rng.integers(0, len(x), len(x))) for _ in range(n_boot)]) if n_boot else None
    alpha = (1 - ci) / 2
    rows = []
    for j, item in enumerate(items):
        low_b, high_b = (np.quantile(boots[:, :, j], [alpha, 1 - alpha], axis=0) if boots is not None
                         else (np.full(len(grid_x), np.nan), np.full(len(grid_x), np.nan)))
        for g, value in enumerate(grid_x):
            rows.append((value, item, float(estimate[g, j]), float(low_b[g]), float(high_b[g])))
    table = pd.DataFrame(rows, columns=SMOOTH_COLUMNS)
    table.attrs.update({"by": by, "df": df, "knots": knots.tolist(), "n_boot": n_boot, "seed": seed})
    return table
