"""Plots of trends, smooth trends and keyness (matplotlib, headless). Each returns the written path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from policytekst.tables import PLOT_SUFFIXES, check_suffix


def _figure(width: float = 8, height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, *plt.subplots(figsize=(width, height))


def _save(plt, fig, path: str | Path) -> Path:
    path = Path(path)
    check_suffix(path, PLOT_SUFFIXES, "plot")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_trends(table: pd.DataFrame, path: str | Path, smooth: pd.DataFrame | None = None,
                title: str = "") -> Path:
    """Mean per period with its interval as error bars; sparse periods drawn hollow; optional spline band."""
    plt, fig, ax = _figure()
    periods = list(dict.fromkeys(table["period"]))
    position = {p: i for i, p in enumerate(periods)}
    numeric = all(str(p).lstrip("-").isdigit() for p in periods)
    for item, part in table.groupby("item", sort=False):
        x = [int(p) if numeric else position[p] for p in part["period"]]
        err = [part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]]
        line = ax.errorbar(x, part["mean"], yerr=err, marker="o", capsize=3, label=str(item))
        colour = line[0].get_color()
        sparse = part["sparse"].to_numpy()
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
    ax.set_title(title or "Prevalence over time (hollow = sparse period)")
    ax.legend(fontsize="small")
    return _save(plt, fig, path)


def plot_keyness(table: pd.DataFrame, path: str | Path, n: int = 15, label_a: str = "A", label_b: str = "B") -> Path:
    """Top terms of each side by G2, bars showing Log Ratio (right: key for A, left: key for B)."""
    top_a = table[table["log_ratio"] > 0].head(n)
    top_b = table[table["log_ratio"] < 0].head(n)
    both = pd.concat([top_b.iloc[::-1], top_a.iloc[::-1]])
    plt, fig, ax = _figure(7, max(3, 0.28 * len(both) + 1))
    colours = ["tab:orange" if v < 0 else "tab:blue" for v in both["log_ratio"]]
    ax.barh(range(len(both)), both["log_ratio"], color=colours)
    ax.set_yticks(range(len(both)), both["term"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"Log Ratio (log2; > 0 key for {label_a}, < 0 key for {label_b})")
    ax.set_title("Keyness (top terms by G2)")
    return _save(plt, fig, path)
