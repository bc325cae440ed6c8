"""The one plotting module: every figure of policytekst in one style (matplotlib, headless).

Two ways out of the same figures: the report's helpers return inline SVG strings (text kept as text,
reproducible ids; :func:`to_svg`), and the command-line plots write a PNG, SVG or PDF file at print resolution and
return its path (:func:`save`). Each takes plain tables; the caller writes the same table beside it, so every plot
has its numbers. Large point clouds are rasterised inside the SVG to keep the file small.

Conventions every figure follows (tests/test_plots.py checks them):
- years are whole numbers on the axis (no "2002.5"), and a year without data is a gap, never a straight line
  drawn across it;
- intervals are bands (small multiples) or dodged error bars (several series on one axis);
- small multiples share their y-scale by default (``free_y=True`` gives each panel its own);
- titles and axis labels are Norwegian, and every SVG carries English alt text (``<title>``/``<desc>``, role="img",
  aria-label) so screen readers and search can use it;
- colours come from the Okabe-Ito palette, which stays distinct for the common forms of colour blindness.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from policytekst.tables import PLOT_SUFFIXES, check_suffix  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with protanopia, deuteranopia and tritanopia.
# Yellow (#F0E442) is left out: too light on white paper. Past seven series, line styles tell them apart.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
PALETTE = OKABE_ITO
ACCENT = OKABE_ITO[0]
SECOND = OKABE_ITO[1]
LINESTYLES = ["-", "--", ":", "-."]
PRINT_DPI = 300  # figures written to files are meant for print
# invisible hit targets for links: fully transparent markers get "fill: none" in SVG and then take no clicks
HIT_TARGET = (1.0, 1.0, 1.0, 0.01)

_STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, small, crisp
    "svg.hashsalt": "policytekst",  # stable element ids -> reproducible files
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text in a journal's pipeline
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


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def linestyle(index: int) -> str:
    return LINESTYLES[(index // len(PALETTE)) % len(LINESTYLES)]


# -- alt text and output ------------------------------------------------------------------------------------------
def with_alt(svg: str, alt: str) -> str:
    """Give an SVG its alt text: role="img", aria-label and a <title> as the first child (what screen readers
    and the browser's tooltip use). ``alt`` is English, as the issue asks: the report's prose is Norwegian."""
    alt = re.sub(r"\s+", " ", alt).strip() or "Figure"
    quoted = html.escape(alt, quote=True)
    start = svg.index("<svg")
    end = svg.index(">", start)
    tag = svg[start:end]
    tag = re.sub(r'\s(role|aria-label)="[^"]*"', "", tag)
    return (svg[:start] + f'{tag} role="img" aria-label="{quoted}">'
            f"<title>{quoted}</title>" + svg[end + 1:])


def svg_alt(svg: str) -> str | None:
    """The alt text of an SVG written here (None when it has none)."""
    match = re.search(r"<svg\b[^>]*>\s*<title>(.*?)</title>", svg, flags=re.S)
    return html.unescape(match.group(1)) if match else None


def _svg_text(fig, tight: bool = True) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight" if tight else None, metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _link_points(svg: str, labels: Sequence[str] | None) -> str:
    """Points drawn with urls (PathCollection.set_urls) become in-page links with a hover label: matplotlib writes
    <a xlink:href=... target="_blank">; the report wants same-tab links and a <title> per point, which browsers
    show on hover with scripts off."""
    if labels is None:
        return svg
    names = iter(labels)

    def one(match: re.Match) -> str:
        url = match.group(1)
        label = next(names, "")
        return f'<a xlink:href="{url}" href="{url}" class="point"><title>{html.escape(label)}</title>'

    return re.sub(r'<a xlink:href="([^"]*)" target="_blank">', one, svg)


def to_svg(fig, alt: str = "", point_labels: Sequence[str] | None = None) -> str:
    """Render and close a figure; returns the <svg> element (no XML prolog, no timestamp) with its alt text."""
    try:
        text = _svg_text(fig)
    finally:
        plt.close(fig)
    return with_alt(_link_points(text, point_labels), alt or _default_alt(fig))


def _default_alt(fig) -> str:
    titles = [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes if ax.get_visible()]
    titles = [t for t in titles if t]
    return "Chart" + (": " + "; ".join(titles[:6]) if titles else "")


def save(fig, path: str | Path, dpi: int = PRINT_DPI, alt: str = "") -> Path:
    """Write a figure to ``path`` (.png, .svg or .pdf; others raise UsageError) at print resolution and close it.
    SVGs get ``alt`` as their alt text, PDFs as their subject; PNGs as a text chunk ("Description")."""
    try:
        path = check_suffix(path, PLOT_SUFFIXES, "plot")
        path.parent.mkdir(parents=True, exist_ok=True)
        alt = alt or _default_alt(fig)
        suffix = path.suffix.lower()
        if suffix == ".svg":  # reproducible, with alt text
            prolog = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'  # a file of its own, not inline
            path.write_text(prolog + with_alt(_svg_text(fig), alt) + "\n", encoding="utf-8")
        elif suffix == ".pdf":
            fig.savefig(path, bbox_inches="tight", metadata={"Subject": alt, "Creator": "policytekst",
                                                              "CreationDate": None})
        else:
            fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Description": alt, "Software": "policytekst"})
    finally:
        plt.close(fig)
    return path


# -- axes helpers --------------------------------------------------------------------------------------------------
def _is_numeric(values: Sequence) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def _whole(value: float, _position=None) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 1e-6 else ""


def year_axis(ax, years: Sequence[float], nbins: int = 6) -> None:
    """Whole years as ticks (never 2002.5), without thousands separators, half a year of margin each side."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True, min_n_ticks=1))
    ax.xaxis.set_major_formatter(FuncFormatter(_whole))
    if len(years):
        ax.set_xlim(float(min(years)) - 0.5, float(max(years)) + 0.5)


def gapped(frame: pd.DataFrame, x: str, columns: Sequence[str]) -> pd.DataFrame:
    """Rows for every whole year from the first to the last, NaN where a year has no data, so that lines and
    bands break there instead of bridging the gap (2011 -> 2024 is not a trend)."""
    frame = frame.sort_values(x)
    present = pd.to_numeric(frame[x], errors="coerce").dropna()
    if present.empty:
        return frame[[x, *columns]]
    full = pd.DataFrame({x: np.arange(int(present.min()), int(present.max()) + 1)})
    values = frame[[x, *columns]].copy()
    values[x] = pd.to_numeric(values[x]).astype(int)
    return full.merge(values.drop_duplicates(subset=[x]), on=x, how="left")


def _numeric_periods(series: pd.Series) -> pd.Series | None:
    as_numbers = pd.to_numeric(series, errors="coerce")
    if as_numbers.notna().all() and len(as_numbers) and (as_numbers % 1 == 0).all():
        return as_numbers.astype(int)
    return None


# -- report figures (inline SVG) -------------------------------------------------------------------------------------
def bar_chart(labels: Sequence, values: Sequence[float], *, title: str = "", ylabel: str = "",
              horizontal: bool = False, color: str = ACCENT, alt: str = "",
              marked: Sequence[bool] | None = None, marked_label: str = "") -> str:
    """Bars for counts per category (years along x, or categories as horizontal bars).

    Whole-number labels (years) go on a numeric axis with whole-year ticks. ``marked`` bars (e.g. sparse years)
    are drawn hatched and lighter, with ``marked_label`` in the legend.
    """
    years = None if horizontal else _numeric_periods(pd.Series(list(labels), dtype=object))
    labels = [str(label) for label in labels]
    values = np.asarray(values, dtype=float)
    flags = np.zeros(len(values), bool) if marked is None else np.asarray(marked, dtype=bool)
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
            x = years.to_numpy(float) if years is not None else np.arange(len(labels), dtype=float)
            _marked_bars(ax, x, values, flags, color, marked_label)
            if np.all(np.mod(values, 1) == 0):
                ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=2))
            if years is not None:
                year_axis(ax, x, nbins=min(len(x), 20))
            else:
                step = max(1, math.ceil(len(labels) / 25))
                ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45 if len(labels) > 12 else 0,
                              ha="right" if len(labels) > 12 else "center")
            ax.set_ylabel(ylabel)
            ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(title, loc="left")
        if not alt:
            kind = "Horizontal bar chart" if horizontal else "Bar chart"
            alt = f"{kind}{': ' + title if title else ''} of {ylabel or 'values'} for {len(labels)} categories"
            if len(labels):
                top = int(np.nanargmax(values)) if len(values) else 0
                alt += f" ({labels[0]} to {labels[-1]}); largest: {labels[top]} ({values[top]:g})"
        return to_svg(fig, alt)


def _marked_bars(ax, x: np.ndarray, values: np.ndarray, flags: np.ndarray, color: str, marked_label: str) -> None:
    ax.bar(x[~flags], values[~flags], color=color, width=0.8)
    if flags.any():
        ax.bar(x[flags], values[flags], color="white", edgecolor=color, hatch="///", width=0.8,
               label=marked_label or None)
        if marked_label:
            ax.legend(loc="upper left", fontsize=8, frameon=False)


def year_counts(table: pd.DataFrame, panels: Sequence[tuple[str, str]], *, marked: str | None = None,
                marked_label: str = "", alt: str = "") -> str:
    """Counts per year in stacked panels that share the year axis (documents per year above words per year):
    a year of 60 one-paragraph questions and a year of 22 long reports look different, as they should."""
    years = table["year"].to_numpy(float)
    flags = table[marked].astype(bool).to_numpy() if marked else np.zeros(len(table), bool)
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(len(panels), 1, figsize=(9, 1.0 + 1.7 * len(panels)), sharex=True, squeeze=False)
        for index, (ax, (column, label)) in enumerate(zip(axes[:, 0], panels, strict=True)):
            _marked_bars(ax, years, table[column].to_numpy(float), flags, colour(index),
                         marked_label if index == 0 else "")
            ax.set_ylabel(label)
            ax.set_title(f"{label[:1].upper()}{label[1:]} per år", loc="left")
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=2))  # counts: no 0.5 documents
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}".replace(",", "\u202f")))
        year_axis(axes[-1, 0], years, nbins=min(len(years), 20))
        fig.tight_layout()
        if not alt and len(table):
            names = " and ".join(column for column, _ in panels)
            alt = (f"Bar charts of {names} per year, {int(years.min())} to {int(years.max())}"
                   + (f"; {int(flags.sum())} years marked as {marked}" if flags.any() else ""))
        return to_svg(fig, alt)


def _trend_series(ax, part: pd.DataFrame, x_of, color: str, style: str = "-", label: str | None = None,
                  numeric: bool = True, band: bool = True, offset: float = 0.0):
    """One series: mean line with a band (or dodged error bars), gaps kept as gaps, sparse points hollow."""
    if numeric:
        part = gapped(part.assign(period=x_of(part["period"])), "period",
                      ["mean", "ci_low", "ci_high", *(["sparse"] if "sparse" in part else [])])
        x = part["period"].to_numpy(float) + offset
    else:
        x = np.array([x_of([p])[0] for p in part["period"]], dtype=float) + offset
    mean = part["mean"].to_numpy(float)
    low, high = part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float)
    if band:
        ax.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0)
    else:
        known = ~np.isnan(mean) & ~np.isnan(low)
        ax.errorbar(x[known], mean[known], yerr=[mean[known] - low[known], high[known] - mean[known]], fmt="none",
                    ecolor=color, elinewidth=1, capsize=2.5)
    line, = ax.plot(x, mean, color=color, linestyle=style, linewidth=1.6, label=label)
    sparse = part["sparse"].fillna(False).astype(bool).to_numpy() if "sparse" in part else np.zeros(len(x), bool)
    ax.scatter(x[~sparse], mean[~sparse], color=color, s=12, zorder=3)
    ax.scatter(x[sparse], mean[sparse], facecolors="white", edgecolors=color, s=16, zorder=3)
    return line, x, mean


def trend_panels(trends: pd.DataFrame, **kwargs) -> str:
    """Small multiples as inline SVG; see :func:`trend_panels_figure` for the parameters."""
    fig, alt, point_labels = trend_panels_figure(trends, **kwargs)
    return to_svg(fig, alt, point_labels=point_labels)


def trend_panels_figure(trends: pd.DataFrame, *, ylabel: str, items: Sequence[str] | None = None, ncols: int = 4,
                 share_y: bool = True, free_y: bool | None = None, marker_year: int | None = None,
                 labels: Mapping[str, str] | None = None, panel_by: str = "item", series_by: str | None = None,
                 links: Mapping[tuple[str, object], str] | None = None, title: str = "", alt: str = "",
                 sizes: tuple[float, float] = (2.9, 2.2)):
    """Small multiples: one panel per item with its mean by period and a shaded confidence band.

    ``trends`` has the trend_table columns (period, item, mean, ci_low, ci_high, n_docs, sparse), plus ``group``
    for a crossed table. ``panel_by`` picks the panel variable ("item" or "group"); ``series_by`` draws several
    coloured series in each panel (the other of the two). Panels share one y-scale so they can be compared by eye
    (``free_y=True`` frees them). Sparse periods (few documents) are hollow points; years without data are gaps.
    ``labels`` maps ids to readable panel titles (codebook labels); ``links`` maps (panel, period) -- or
    (panel, series, period) -- to the URL of the passages behind a point, which then becomes a link with a hover
    label. Returns (figure, alt text, point labels) for :func:`to_svg` or :func:`save`.
    """
    if free_y is not None:
        share_y = not free_y
    labels = dict(labels or {})
    panels = list(items) if items is not None and panel_by == "item" else list(dict.fromkeys(trends[panel_by]))
    ncols = max(1, min(ncols, len(panels)))
    nrows = max(1, math.ceil(len(panels) / ncols))
    trends = trends.copy()
    years = _numeric_periods(trends["period"])
    numeric = years is not None
    if numeric:
        trends["period"] = years
    order = list(dict.fromkeys(trends.sort_values("period")["period"] if numeric else trends["period"]))
    position = {p: (float(p) if numeric else float(i)) for i, p in enumerate(order)}

    def x_of(values):
        return [position[v] for v in values]

    series = list(dict.fromkeys(trends[series_by])) if series_by else [None]
    # periods arrive as "2006" in a trend table and 2006 here: match links on one spelling
    lookup = {(*key[:-1], _period_key(key[-1])): url for key, url in (links or {}).items()}
    point_urls: list[str] = []
    point_labels: list[str] = []
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(sizes[0] * ncols, sizes[1] * nrows + (0.4 if title else 0)),
                                 squeeze=False, sharey=share_y, sharex=True)
        handles = {}
        for index, ax in enumerate(axes.flat):
            if index >= len(panels):
                ax.set_visible(False)
                continue
            panel = panels[index]
            for s_index, name in enumerate(series):
                part = trends[trends[panel_by] == panel]
                if series_by:
                    part = part[part[series_by] == name]
                if part.empty:
                    continue
                color = colour(s_index if series_by else 0)
                line, x, mean = _trend_series(ax, part, x_of, color, linestyle(s_index),
                                              label=None if name is None else labels.get(name, str(name)),
                                              numeric=numeric)
                if name is not None:
                    handles.setdefault(name, line)
                if links:
                    hits_x, hits_y, hits_url = [], [], []
                    for record in part.itertuples(index=False):
                        url = lookup.get((panel, _period_key(record.period)) if not series_by else
                                         (panel, name, _period_key(record.period)))
                        if url and not pd.isna(record.mean):
                            hits_x.append(position[record.period])
                            hits_y.append(float(record.mean))
                            hits_url.append(url)
                            who = labels.get(panel, str(panel)) + (f", {name}" if name is not None else "")
                            point_labels.append(f"{who}, {record.period}: {float(record.mean):.3g} "
                                                f"(95 % KI {float(record.ci_low):.3g}–{float(record.ci_high):.3g}, "
                                                f"{int(record.n_docs)} dok.)")
                    if hits_url:  # one collection per series: a scatter per point made the report slow
                        point_urls.extend(hits_url)
                        art = ax.scatter(hits_x, hits_y, s=40, color=HIT_TARGET, linewidths=0, zorder=4)
                        art.set_urls(hits_url)
            if marker_year is not None and numeric:
                ax.axvline(marker_year, color="#777", linestyle=":", linewidth=1)
            ax.set_title(_short(labels.get(panel, str(panel)), 34), loc="left")
            if numeric:
                year_axis(ax, list(position.values()), nbins=4)
            else:
                ax.set_xticks(list(position.values()), [str(p) for p in order], rotation=45, ha="right")
            if index % ncols == 0 or not share_y:
                ax.set_ylabel(ylabel if index % ncols == 0 else "")
        for ax in axes.flat:  # only now: a limit set while drawing would freeze the shared scale at early panels
            if ax.get_visible():
                ax.set_ylim(bottom=0)
        if series_by and handles:
            fig.legend(list(handles.values()), [labels.get(k, str(k)) for k in handles], loc="lower center",
                       ncol=min(6, len(handles)), frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.01))
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
        fig.tight_layout(rect=(0, 0.05 if series_by else 0, 1, 1))
        if not alt:
            span = f"{order[0]} to {order[-1]}" if order else "no periods"
            alt = (f"Small multiples, one panel per {panel_by} ({len(panels)}: "
                   + ", ".join(labels.get(p, str(p)) for p in panels[:12]) + ("…" if len(panels) > 12 else "")
                   + f"), mean {ylabel} by period with 95% confidence bands, {span}; "
                   + ("panels share one y-scale" if share_y else "each panel has its own y-scale")
                   + (f"; lines per {series_by}: " + ", ".join(map(str, series[:8])) if series_by else "")
                   + "; hollow points mark periods with few documents, breaks mark years without data")
        return fig, alt, (point_labels if point_urls else None)


def heatmap(matrix: pd.DataFrame, *, xlabel: str = "", ylabel: str = "", value_label: str = "",
            cmap: str = "cividis", alt: str = "") -> str:
    """Rows x columns as coloured cells (e.g. topics x years) with a colour bar (cividis: readable in colour
    blindness and in greyscale print). Missing cells (a year without documents) stay blank."""
    years = _numeric_periods(pd.Series(list(matrix.columns), dtype=object))
    if years is not None and len(years):  # a year without data is a blank column, not left out
        matrix = matrix.copy()
        matrix.columns = list(years)
        matrix = matrix.reindex(columns=range(int(years.min()), int(years.max()) + 1))
    with plt.rc_context({**_STYLE, "axes.grid": False}):
        fig, ax = plt.subplots(figsize=(min(11, 2.5 + 0.42 * matrix.shape[1]), 1.0 + 0.32 * matrix.shape[0]))
        image = ax.imshow(np.ma.masked_invalid(matrix.to_numpy(dtype=float)), aspect="auto", cmap=cmap,
                          interpolation="nearest")
        ax.set_yticks(range(matrix.shape[0]), [_short(str(i), 40) for i in matrix.index])
        step = max(1, math.ceil(matrix.shape[1] / 30))
        ax.set_xticks(range(0, matrix.shape[1], step), [_whole_label(c) for c in matrix.columns[::step]],
                      rotation=45, ha="right")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
        bar.set_label(value_label)
        if not alt:
            alt = (f"Heatmap of {value_label or 'values'}: {matrix.shape[0]} rows ({ylabel or 'items'}) by "
                   f"{matrix.shape[1]} columns ({xlabel or 'periods'})"
                   + (f", {_whole_label(matrix.columns[0])} to {_whole_label(matrix.columns[-1])}"
                      if matrix.shape[1] else ""))
        return to_svg(fig, alt)


def _period_key(value) -> str:
    return _whole_label(value)


def _whole_label(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(number)) if number.is_integer() else str(value)


def diverging_terms(left: pd.DataFrame, right: pd.DataFrame, *, value: str, left_label: str,
                    right_label: str, alt: str = "", xlabel: str | None = None) -> str:
    """Two bar charts side by side: the terms typical of each group, longest bar = strongest."""
    with plt.rc_context(_STYLE):
        rows = max(len(left), len(right), 1)
        fig, axes = plt.subplots(1, 2, figsize=(9, 0.26 * rows + 1.2))
        for ax, part, label, color in ((axes[0], left, left_label, ACCENT), (axes[1], right, right_label, SECOND)):
            ax.barh(range(len(part)), part[value].astype(float), color=color)
            ax.set_yticks(range(len(part)), [str(t) for t in part["term"]])
            ax.invert_yaxis()
            ax.set_title(label, loc="left")
            ax.set_xlabel(xlabel or value)
            ax.grid(axis="y", visible=False)
        fig.tight_layout()
        if not alt:
            alt = (f"Two bar charts of key terms by {value}: {left_label} (" + ", ".join(map(str, left["term"][:5]))
                   + f"…) and {right_label} (" + ", ".join(map(str, right["term"][:5])) + "…)")
        return to_svg(fig, alt)


def scatter_map(points: pd.DataFrame, *, color_by: str = "year", label_by: str | None = None,
                max_labels: int = 40, links: Sequence[str] | None = None, hover: Sequence[str] | None = None,
                max_links: int = 1500, alt: str = "") -> str:
    """A 2-D map of documents (columns x, y), coloured by a numeric or categorical variable.

    ``links`` (one URL per point) and ``hover`` (one label per point) make each point a link with a hover label
    (up to ``max_links`` points; bigger maps are rasterised and only the table leads on).
    """
    many = len(points) > max_links
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 5.5))
        values = points[color_by] if color_by in points else pd.Series([None] * len(points))
        size = 6 if many else 28
        if values.notna().any() and pd.api.types.is_numeric_dtype(values.dropna()):
            known = values.notna().to_numpy()
            art = ax.scatter(points["x"][known], points["y"][known], c=values[known].astype(float), cmap="viridis",
                             s=size, alpha=0.8, linewidths=0, rasterized=many)
            if (~known).any():
                ax.scatter(points["x"][~known], points["y"][~known], color="#bbb", s=size, alpha=0.6,
                           linewidths=0, rasterized=many, label="ukjent år")
                ax.legend(loc="best", fontsize=8)
            bar = fig.colorbar(art, ax=ax, fraction=0.04, pad=0.02)
            bar.set_label("år" if color_by == "year" else color_by)
            bar.locator = MaxNLocator(integer=True)  # years, not 2012.5
            bar.formatter = FuncFormatter(_whole)
            bar.update_ticks()
        else:
            categories = values.fillna("ukjent").astype(str)
            for i, category in enumerate(sorted(categories.unique())):
                mask = (categories == category).to_numpy()
                ax.scatter(points["x"][mask], points["y"][mask], color=colour(i), s=size,
                           alpha=0.8, linewidths=0, rasterized=many, label=category,
                           marker="os^Dv<>"[(i // len(PALETTE)) % 7])
            ax.legend(loc="best", fontsize=8)
        if label_by and len(points) <= max_labels:
            for record in points.itertuples():
                ax.annotate(_short(str(getattr(record, label_by))), (record.x, record.y), fontsize=7,
                            xytext=(3, 3), textcoords="offset points", color="#333")
        point_labels = None
        if links is not None and not many:
            # invisible hit targets on top, one per point, each a link with its label
            urls = list(links)
            keep = np.array([bool(u) for u in urls], dtype=bool)  # a point without a target is no link
            if keep.any():
                targets = ax.scatter(points["x"][keep], points["y"][keep], s=max(size, 40), color=HIT_TARGET,
                                     linewidths=0, zorder=5)
                targets.set_urls([u for u in urls if u])
                names = list(hover) if hover is not None else urls
                point_labels = [str(n) for n, k in zip(names, keep, strict=True) if k]
        ax.set_xlabel("dimensjon 1")
        ax.set_ylabel("dimensjon 2")
        if not alt:
            alt = (f"Scatter map of {len(points)} documents placed by similarity of their vocabulary, coloured by "
                   f"{color_by}; the axes have no meaning of their own, only distances do")
        return to_svg(fig, alt, point_labels=point_labels)


def _short(text: str, limit: int = 28) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- figures written to files by the commands (compare trends/keyness, topics sweep/top terms) ---------------------
def plot_trends(table: pd.DataFrame, path: str | Path, smooth: pd.DataFrame | None = None, title: str = "",
                free_y: bool = False, labels: Mapping[str, str] | None = None) -> Path:
    """Mean per period with its interval; sparse periods hollow; years without data left as gaps.

    One item and no groups: one axis with a band (plus the optional spline band). Several items: dodged error
    bars on one axis, so the intervals do not hide each other. A crossed table (a ``group`` column, from
    ``trends --split``): small multiples, one panel per group with shared y-scale (``free_y`` frees it).
    """
    labels = dict(labels or {})
    ylabel = "snitt per tekstavsnitt (95 % KI)"
    if "group" in table.columns:
        split = table.attrs.get("split", "gruppe")
        items = list(dict.fromkeys(table["item"]))
        svg_title = title or f"Utvikling per {split}" + (f": {labels.get(items[0], items[0])}" if len(items) == 1
                                                          else "")
        fig, _, _ = trend_panels_figure(table, ylabel=ylabel, labels=labels, free_y=free_y, title=svg_title,
                                        panel_by="group", series_by="item" if len(items) > 1 else None)
        alt = (f"Small multiples of {', '.join(map(str, items[:6]))} by {table.attrs.get('by', 'period')}, one panel "
               f"per {split} ({table['group'].nunique()} groups), with 95% confidence intervals; "
               + ("each panel has its own y-scale" if free_y else "panels share one y-scale"))
        return save(fig, path, alt=alt)
    periods = list(dict.fromkeys(table["period"]))
    years = _numeric_periods(table["period"])
    numeric = years is not None
    position = {p: (float(years.iloc[list(table["period"]).index(p)]) if numeric else float(i))
                for i, p in enumerate(periods)}
    items = list(dict.fromkeys(table["item"]))
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        width = 0.6 if len(items) > 1 else 0.0
        for index, item in enumerate(items):
            part = table[table["item"] == item]
            offset = (index - (len(items) - 1) / 2) * width / max(1, len(items)) if len(items) > 1 else 0.0
            _trend_series(ax, part, lambda v: [position[p] for p in v], colour(index), linestyle(index),
                          label=labels.get(item, str(item)), numeric=numeric, band=len(items) == 1, offset=offset)
            if smooth is not None and numeric:
                curve = smooth[smooth["item"] == item]
                ax.plot(curve["year"], curve["fit"], color=colour(index), alpha=0.6, linestyle="--",
                        label=f"{labels.get(item, str(item))} (glattet, spline)")
                ax.fill_between(curve["year"], curve["ci_low"], curve["ci_high"], color=colour(index), alpha=0.12)
        if numeric:
            year_axis(ax, list(position.values()))
        else:
            ax.set_xticks(range(len(periods)), periods, rotation=30, ha="right")
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        ax.set_title(title or "Utvikling over tid (hule punkter: få dokumenter)", loc="left")
        if len(items) > 1 or smooth is not None:
            ax.legend(fontsize="small", frameon=False)
        alt = (f"Line chart of the mean of {', '.join(map(str, items[:8]))} per "
               f"{table.attrs.get('by', 'period')}, {periods[0]} to {periods[-1]}, with 95% confidence intervals"
               + (" as dodged error bars" if len(items) > 1 else " as a band")
               + "; hollow points mark periods with few documents, breaks mark years without data"
               if periods else "Empty trend chart")
        return save(fig, path, alt=alt)


def plot_keyness(table: pd.DataFrame, path: str | Path, n: int = 15, label_a: str = "A", label_b: str = "B") -> Path:
    """Top terms of each side by G2, bars showing Log Ratio (right: key for A, left: key for B)."""
    top_a = table[table["log_ratio"] > 0].head(n)
    top_b = table[table["log_ratio"] < 0].head(n)
    both = pd.concat([top_b.iloc[::-1], top_a.iloc[::-1]])
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, max(3, 0.28 * len(both) + 1.3)))
        ax.barh(range(len(both)), both["log_ratio"], color=[SECOND if v < 0 else ACCENT for v in both["log_ratio"]])
        ax.set_yticks(range(len(both)), both["term"])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"Log Ratio (log2)\n> 0: typisk for {label_a} · < 0: typisk for {label_b}")
        ax.set_title("Nøkkelord (de sterkeste etter G²)", loc="left")
        alt = (f"Bar chart of key terms by Log Ratio: {len(top_a)} terms typical of {label_a} "
               f"({', '.join(map(str, top_a['term'][:5]))}) and {len(top_b)} typical of {label_b} "
               f"({', '.join(map(str, top_b['term'][:5]))}), chosen by G2")
        return save(fig, path, alt=alt)


def plot_sweep(table: pd.DataFrame, path: str | Path) -> Path:
    """Coherence (c_v, NPMI), diversity and exclusivity against K, with fit seconds on a second axis."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for index, column in enumerate(("c_v", "npmi", "diversity", "exclusivity")):
            ax.plot(table["k"], table[column], marker="o", label=column, color=colour(index))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("K (antall emner)")
        ax.set_ylabel("skår (høyere er bedre)")
        seconds = ax.twinx()
        seconds.plot(table["k"], table["fit_seconds"], linestyle="--", color="grey", label="sekunder")
        seconds.set_ylabel("sekunder per tilpasning")
        seconds.grid(visible=False)
        ax.legend(loc="upper left", fontsize="small")
        ax.set_title("Valg av K", loc="left")
        alt = (f"Line chart of topic-model quality (c_v, NPMI, diversity, exclusivity) against K = "
               f"{', '.join(str(k) for k in table['k'])}, with fit seconds on a second axis")
        return save(fig, path, alt=alt)


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
            ax.barh(part["term"], part["weight"], color=colour(index))
            ax.set_title(f"{topic}: {labels[topic]}", loc="left", fontsize="small")
            ax.tick_params(labelsize=7)
            ax.grid(axis="y", visible=False)
        alt = f"Bar charts of the top terms of {len(topics)} topics, one panel per topic, by weight"
        return save(fig, path, alt=alt)
