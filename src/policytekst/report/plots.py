"""Plot helpers: matplotlib figures rendered to inline SVG strings (text kept as text, reproducible ids).

Each helper takes plain tables and returns SVG markup; the caller writes the same table as CSV, so every plot
has its numbers beside it. Large point clouds are rasterised inside the SVG to keep the file small.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display needed; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ACCENT = "#1f5f8b"
SECOND = "#c2571a"
PALETTE = ["#1f5f8b", "#c2571a", "#2e8b57", "#8e44ad", "#b8860b", "#d6336c", "#17a2b8", "#6c757d",
           "#5d4037", "#3f51b5", "#9e9d24", "#00897b", "#e65100", "#4e342e", "#283593"]

_STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, small, crisp
    "svg.hashsalt": "policytekst",  # stable element ids -> reproducible files
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.color": "#e3e7ee",
    "grid.linewidth": 0.6,
}


def to_svg(fig) -> str:
    """Render and close a figure; returns the <svg> element (no XML prolog, no timestamp)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(width: float, height: float):
    with plt.rc_context(_STYLE):
        return plt.subplots(figsize=(width, height))


def _is_numeric(values: Sequence) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def bar_chart(labels: Sequence, values: Sequence[float], *, title: str = "", ylabel: str = "",
              horizontal: bool = False, color: str = ACCENT) -> str:
    """Bars for counts per category (years along x, or categories as horizontal bars)."""
    labels = [str(label) for label in labels]
    with plt.rc_context(_STYLE):
        if horizontal:
            fig, ax = plt.subplots(figsize=(6.5, max(1.6, 0.28 * len(labels) + 0.8)))
            ax.barh(range(len(labels)), values, color=color)
            ax.set_yticks(range(len(labels)), labels)
            ax.invert_yaxis()
            ax.set_xlabel(ylabel)
            ax.grid(axis="y", visible=False)
        else:
            fig, ax = plt.subplots(figsize=(9, 2.8))
            ax.bar(range(len(labels)), values, color=color)
            step = max(1, math.ceil(len(labels) / 25))
            ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45 if len(labels) > 12 else 0,
                          ha="right" if len(labels) > 12 else "center")
            ax.set_ylabel(ylabel)
            ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(title, loc="left")
        return to_svg(fig)


def trend_panels(trends: pd.DataFrame, *, ylabel: str, items: Sequence[str] | None = None,
                 ncols: int = 3, share_y: bool = False, marker_year: int | None = None) -> str:
    """Small multiples: one panel per item with its mean by period and a shaded confidence band.

    ``trends`` has the trend_table columns (period, item, mean, ci_low, ci_high, n_docs, sparse). Sparse periods
    (few documents) are drawn as hollow points so the eye does not trust them as much.
    """
    items = list(items) if items is not None else list(dict.fromkeys(trends["item"]))
    nrows = max(1, math.ceil(len(items) / ncols))
    trends = trends.copy()
    as_numbers = pd.to_numeric(trends["period"], errors="coerce")
    if as_numbers.notna().all():  # years may arrive as strings ("2006"); plot them on a numeric axis
        trends["period"] = as_numbers.astype(int) if (as_numbers % 1 == 0).all() else as_numbers
    periods = list(dict.fromkeys(trends.sort_values("period")["period"]))
    numeric = _is_numeric(periods)
    position = {p: (float(p) if numeric else i) for i, p in enumerate(periods)}
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.3 * nrows), squeeze=False,
                                 sharey=share_y)
        for index, ax in enumerate(axes.flat):
            if index >= len(items):
                ax.set_visible(False)
                continue
            item = items[index]
            part = trends[trends["item"] == item].sort_values("period")
            x = np.array([position[p] for p in part["period"]])
            color = PALETTE[index % len(PALETTE)]
            ax.fill_between(x, part["ci_low"].astype(float), part["ci_high"].astype(float), color=color,
                            alpha=0.18, linewidth=0)
            ax.plot(x, part["mean"].astype(float), color=color, linewidth=1.6)
            sparse = part["sparse"].astype(bool).to_numpy() if "sparse" in part else np.zeros(len(part), bool)
            ax.scatter(x[~sparse], part["mean"].to_numpy(float)[~sparse], color=color, s=10, zorder=3)
            ax.scatter(x[sparse], part["mean"].to_numpy(float)[sparse], facecolors="white", edgecolors=color,
                       s=14, zorder=3)
            if marker_year is not None and numeric:
                ax.axvline(marker_year, color="#999", linestyle=":", linewidth=1)
            ax.set_title(str(item), loc="left")
            ax.set_ylim(bottom=0)
            if not numeric:
                ax.set_xticks(list(position.values()), [str(p) for p in periods], rotation=45, ha="right")
            else:
                ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5, integer=True))
            if index % ncols == 0:
                ax.set_ylabel(ylabel)
        fig.tight_layout()
        return to_svg(fig)


def heatmap(matrix: pd.DataFrame, *, xlabel: str = "", ylabel: str = "", value_label: str = "",
            cmap: str = "Blues") -> str:
    """Rows x columns as coloured cells (e.g. topics x years) with a colour bar."""
    with plt.rc_context({**_STYLE, "axes.grid": False}):
        fig, ax = plt.subplots(figsize=(min(11, 2.5 + 0.42 * matrix.shape[1]), 1.0 + 0.32 * matrix.shape[0]))
        image = ax.imshow(matrix.to_numpy(dtype=float), aspect="auto", cmap=cmap, interpolation="nearest")
        ax.set_yticks(range(matrix.shape[0]), [str(i) for i in matrix.index])
        step = max(1, math.ceil(matrix.shape[1] / 30))
        ax.set_xticks(range(0, matrix.shape[1], step), [str(c) for c in matrix.columns[::step]], rotation=45,
                      ha="right")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
        bar.set_label(value_label)
        return to_svg(fig)


def diverging_terms(left: pd.DataFrame, right: pd.DataFrame, *, value: str, left_label: str,
                    right_label: str) -> str:
    """Two bar charts side by side: the terms typical of each group, longest bar = strongest."""
    with plt.rc_context(_STYLE):
        rows = max(len(left), len(right), 1)
        fig, axes = plt.subplots(1, 2, figsize=(9, 0.26 * rows + 1.0))
        for ax, part, label, color in ((axes[0], left, left_label, ACCENT), (axes[1], right, right_label, SECOND)):
            ax.barh(range(len(part)), part[value].astype(float), color=color)
            ax.set_yticks(range(len(part)), [str(t) for t in part["term"]])
            ax.invert_yaxis()
            ax.set_title(label, loc="left")
            ax.set_xlabel(value)
            ax.grid(axis="y", visible=False)
        fig.tight_layout()
        return to_svg(fig)


def scatter_map(points: pd.DataFrame, *, color_by: str = "year", label_by: str | None = None,
                max_labels: int = 40) -> str:
    """A 2-D map of documents (columns x, y), coloured by a numeric or categorical variable."""
    many = len(points) > 1500
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 5.5))
        values = points[color_by] if color_by in points else pd.Series([None] * len(points))
        size = 6 if many else 28
        if values.notna().any() and pd.api.types.is_numeric_dtype(values.dropna()):
            known = values.notna().to_numpy()
            art = ax.scatter(points["x"][known], points["y"][known], c=values[known].astype(float), cmap="viridis",
                             s=size, alpha=0.75, linewidths=0, rasterized=many)
            if (~known).any():
                ax.scatter(points["x"][~known], points["y"][~known], color="#bbb", s=size, alpha=0.6,
                           linewidths=0, rasterized=many, label="ukjent år")
                ax.legend(loc="best", fontsize=8)
            bar = fig.colorbar(art, ax=ax, fraction=0.04, pad=0.02)
            bar.set_label(color_by)
            bar.locator = matplotlib.ticker.MaxNLocator(integer=True)  # years, not 2012.5
            bar.update_ticks()
        else:
            categories = values.fillna("ukjent").astype(str)
            for i, category in enumerate(sorted(categories.unique())):
                mask = (categories == category).to_numpy()
                ax.scatter(points["x"][mask], points["y"][mask], color=PALETTE[i % len(PALETTE)], s=size,
                           alpha=0.75, linewidths=0, rasterized=many, label=category)
            ax.legend(loc="best", fontsize=8)
        if label_by and len(points) <= max_labels:
            for record in points.itertuples():
                ax.annotate(_short(str(getattr(record, label_by))), (record.x, record.y), fontsize=7,
                            xytext=(3, 3), textcoords="offset points", color="#333")
        ax.set_xlabel("dimensjon 1")
        ax.set_ylabel("dimensjon 2")
        return to_svg(fig)


def _short(text: str, limit: int = 28) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
