"""Presentation shared by the report's sections: readable labels and the links behind trend points.

The numbers come from the library (``compare.trend_table`` and friends); this module only decides how they are
shown: codebook labels instead of theme ids, one shared y-scale unless the reader asked otherwise, and a link from
every point to the passages that weigh most in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from policytekst import plots
from policytekst.report import links
from policytekst.report.base import ReportContext
from policytekst.themes.codebook import Codebook

PASSAGES_PER_POINT = 2


def theme_labels(names: Sequence[str]) -> dict[str, str]:
    """Codebook labels ("Skjønn og handlingsrom") of theme ids (skjonn_og_handlingsrom); unknown ids keep their id."""
    book = Codebook.default()
    return {name: (book.themes[name].label if name in book.themes else name) for name in names}


def _year(period: object) -> int | None:
    try:
        return int(float(str(period)))
    except ValueError:
        return None


def point_links(ctx: ReportContext, scores: pd.DataFrame, trends: pd.DataFrame, section: str,
                labels: dict[str, str], what: str = "skåre") -> dict[tuple[str, object], str]:
    """(item, period) -> URL of the passages with the highest score for the item in that year.

    Only years (one value per period) get links: a point of a period range would need a longer list.
    """
    years = ctx.passages().set_index("passage_id")["year"].reindex(scores.index)
    wanted = {(item, period) for item, period in zip(trends["item"], trends["period"], strict=True)}
    result: dict[tuple[str, object], str] = {}
    for item in dict.fromkeys(trends["item"]):
        if item not in scores.columns:
            continue
        column = pd.DataFrame({"score": scores[item].to_numpy(float), "year": years.to_numpy()},
                              index=scores.index)
        column = column[(column["score"] > 0) & column["year"].notna()]
        top = column.sort_values("score", ascending=False, kind="stable").groupby("year").head(PASSAGES_PER_POINT)
        by_year = {int(y): list(part.index) for y, part in top.groupby("year")}
        for period in trends.loc[trends["item"] == item, "period"]:
            year = _year(period)
            if year is None or (item, period) not in wanted or year not in by_year:
                continue
            title = f"{labels.get(item, item)}, {year}"
            url = links.passages_url(ctx, f"{item}-{year}", title, by_year[year], section,
                                     note=f"De {len(by_year[year])} avsnittene med høyest {what} dette året.")
            if url:
                result[(item, period)] = url
    return result


def trend_figure(ctx: ReportContext, trends: pd.DataFrame, scores: pd.DataFrame, *, items: Sequence[str],
                 ylabel: str, section: str, labels: dict[str, str], marker_year: int | None = None) -> str:
    """Small multiples of a trend table with codebook labels, a shared y-scale (unless ``free_y``) and links from
    each point to the passages behind it."""
    urls = point_links(ctx, scores, trends, section, labels)
    return plots.trend_panels(trends, ylabel=ylabel, items=list(items), labels=labels, marker_year=marker_year,
                              ncols=4 if len(items) > 6 else 3, free_y=ctx.params.free_y, links=urls)
