"""Plots for choosing K and reading topics (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from policytekst.compare.plots import _figure, _save


def plot_sweep(table: pd.DataFrame, path: str | Path) -> Path:
    """Coherence (c_v, NPMI), diversity and exclusivity against K, with fit seconds on a second axis."""
    plt, fig, ax = _figure()
    for column in ("c_v", "npmi", "diversity", "exclusivity"):
        ax.plot(table["k"], table[column], marker="o", label=column)
    ax.set_xlabel("K (number of topics)")
    ax.set_ylabel("score (higher is better)")
    seconds = ax.twinx()
    seconds.plot(table["k"], table["fit_seconds"], linestyle="--", color="grey", label="fit seconds")
    seconds.set_ylabel("fit seconds")
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title("Choosing K")
    return _save(plt, fig, path)


def plot_top_terms(top: pd.DataFrame, labels: list[str], path: str | Path, columns: int = 4) -> Path:
    """One small bar chart of top-term weights per topic."""
    import math

    topics = sorted(top["topic"].unique())
    rows = math.ceil(len(topics) / columns)
    plt, fig, _ = _figure(3.2 * columns, 2.6 * rows)
    fig.clf()
    for i, topic in enumerate(topics):
        ax = fig.add_subplot(rows, columns, i + 1)
        part = top[top["topic"] == topic].iloc[::-1]
        ax.barh(part["term"], part["weight"])
        ax.set_title(f"{topic}: {labels[topic]}", fontsize="small")
        ax.tick_params(labelsize=7)
    return _save(plt, fig, path)
