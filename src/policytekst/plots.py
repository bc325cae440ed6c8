"""The one plotting module: every figure of policytekst in one style (matplotlib, headless).

Two ways out of the same figures: the report's helpers return inline SVG strings (text kept as text,
reproducible ids; :func:`to_svg`), and the command-line plots write a PNG or SVG file and return its path
(:func:`save`). Each takes plain tables; the caller writes the same table beside it, so every plot has its numbers.
Large point clouds are rasterised inside the SVG to keep the file small.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from policytekst.tables import PLOT_SUFFIXES, check_suffix  # noqa: E402

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
    # labels are captured text (titles, genres, terms): "$5 og $10" is money, not TeX, and an unbalanced "$"
    # would make mathtext raise; figures here use no math
    "text.parse_math": False,
}


def to_svg(fig) -> str:
    """Render and close a figure; returns the <svg> element (no XML prolog, no timestamp)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def save(fig, path: str | Path, dpi: int = 150) -> Path:
    """Write a figure to ``path`` (.png or .svg; other suffixes raise UsageError) and close it."""
    path = check_suffix(path, PLOT_SUFFIXES, "plot")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    metadata = {"Date": None} if path.suffix.lower() == ".svg" else None  # reproducible SVG files
    fig.savefig(path, dpi=dpi, metadata=metadata)
    plt.close(fig)
    return path


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


# -- figures written to files by the commands (compare trends/keyness, topics sweep/top terms) ---------------------
def plot_trends(table: pd.DataFrame, path: str | Path, smooth: pd.DataFrame | None = None,
                title: str = "") -> Path:
    """Mean per period with its interval as error bars; sparse periods drawn hollow; optional spline band."""
    periods = list(dict.fromkeys(table["period"]))
    position = {p: i for i, p in enumerate(periods)}
    numeric = all(str(p).lstrip("-").isdigit() for p in periods)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for index, (item, part) in enumerate(table.groupby("item", sort=False)):
            colour = PALETTE[index % len(PALETTE)]
            x = [int(p) if numeric else position[p] for p in part["period"]]
            err = [part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]]
            ax.errorbar(x, part["mean"], yerr=err, marker="o", capsize=3, label=str(item), color=colour)
            sparse = part["sparse"].astype(bool).to_numpy()
            if sparse.any():
                ax.scatter([v for v, s in zip(x, sparse, strict=True) if s], part["mean"][sparse], s=60,
                           facecolors="white", edgecolors=colour, zorder=3)
            if smooth is not None and numeric:
                curve = smooth[smooth["item"] == item]
                ax.plot(curve["year"], curve["fit"], color=colour, alpha=0.6)
                ax.fill_between(curve["year"], curve["ci_low"], curve["ci_high"], color=colour, alpha=0.15)
        if not numeric:
            ax.set_xticks(range(len(periods)), periods, rotation=30, ha="right")
        ax.set_ylabel("mean per passage (95% CI, documents resampled)")
        ax.set_title(title or "Prevalence over time (hollow = sparse period)", loc="left")
        ax.legend(fontsize="small")
        return save(fig, path)


def plot_keyness(table: pd.DataFrame, path: str | Path, n: int = 15, label_a: str = "A", label_b: str = "B") -> Path:
    """Top terms of each side by G2, bars showing Log Ratio (right: key for A, left: key for B)."""
    top_a = table[table["log_ratio"] > 0].head(n)
    top_b = table[table["log_ratio"] < 0].head(n)
    both = pd.concat([top_b.iloc[::-1], top_a.iloc[::-1]])
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, max(3, 0.28 * len(both) + 1)))
        ax.barh(range(len(both)), both["log_ratio"], color=[SECOND if v < 0 else ACCENT for v in both["log_ratio"]])
        ax.set_yticks(range(len(both)), both["term"])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"Log Ratio (log2; > 0 key for {label_a}, < 0 key for {label_b})")
        ax.set_title("Keyness (top terms by G2)", loc="left")
        return save(fig, path)


def plot_sweep(table: pd.DataFrame, path: str | Path) -> Path:
    """Coherence (c_v, NPMI), diversity and exclusivity against K, with fit seconds on a second axis."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for index, column in enumerate(("c_v", "npmi", "diversity", "exclusivity")):
            ax.plot(table["k"], table[column], marker="o", label=column, color=PALETTE[index])
        ax.set_xlabel("K (number of topics)")
        ax.set_ylabel("score (higher is better)")
        seconds = ax.twinx()
        seconds.plot(table["k"], table["fit_seconds"], linestyle="--", color="grey", label="fit seconds")
        seconds.set_ylabel("fit seconds")
        seconds.grid(visible=False)
        ax.legend(loc="upper left", fontsize="small")
        ax.set_title("Choosing K", loc="left")
        return save(fig, path)


def plot_top_terms(top: pd.DataFrame, labels: list[str], path: str | Path, columns: int = 4) -> Path:
    """One small bar chart of top-term weights per topic."""
    topics = sorted(top["topic"].unique())
    rows = max(1, math.ceil(len(topics) / columns))
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False)
        for index, ax in enumerate(axes.flat):
            if index >= len(topics):
                ax.set_visible(False)
                continue
            topic = topics[index]
            part = top[top["topic"] == topic].iloc[::-1]
            ax.barh(part["term"], part["weight"], color=PALETTE[index % len(PALETTE)])
            ax.set_title(f"{topic}: {labels[topic]}", loc="left", fontsize="small")
            ax.tick_params(labelsize=7)
            ax.grid(axis="y", visible=False)
        return save(fig, path)
