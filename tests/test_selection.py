"""One year vocabulary everywhere: the parser itself, and each place that selects by year uses it."""

from __future__ import annotations

import pandas as pd
import pytest

from policytekst.compare import parse_group, trend_table
from policytekst.errors import UsageError
from policytekst.search import search
from policytekst.selection import YearRange, parse_periods, parse_years
from policytekst.themes.tables import theme_table


@pytest.mark.parametrize("text, expected", [
    ("2006", (2006, 2006)), (2006, (2006, 2006)), ("2000..2010", (2000, 2010)), ("..2005", (None, 2005)),
    ("2006..", (2006, None)), ("2000-2010", (2000, 2010)), ("-2005", (None, 2005)), ("2006-", (2006, None)),
    (" 2000 .. 2010 ", (2000, 2010)), ((None, 2001), (None, 2001)), (None, (None, None)), ("2000–2010", (2000, 2010)),
])
def test_parse_years_forms(text, expected):
    assert parse_years(text).as_tuple() == expected


@pytest.mark.parametrize("bad", ["2015..2006", "in 2005", "..", "-", "", "2006..2010..2012", "abc", True, (2010, 2001)])
def test_parse_years_refuses_bad_and_reversed(bad):
    with pytest.raises(UsageError):
        parse_years(bad)


def test_reversed_message_suggests_the_right_order():
    with pytest.raises(UsageError, match=r"2006\.\.2015"):
        parse_years("2015..2006")


def test_range_contains_labels_and_round_trips():
    years = YearRange(1996, 2005)
    assert years.contains(1996) and years.contains(2005) and not years.contains(2006)
    assert not years.contains(None) and YearRange().contains(None)
    assert years.label == "1996-2005" and str(years) == "1996..2005"
    for value in ("..2005", "2006..", "2006", "1996..2005"):
        assert str(parse_years(value)) == value
        assert parse_years(parse_years(value).label) == parse_years(value)


def test_parse_periods_breaks_and_ranges():
    assert parse_periods("2011, 2001,2006") == [2001, 2006, 2011]
    assert parse_periods("..2005,2006..") == [YearRange(None, 2005), YearRange(2006, None)]
    with pytest.raises(UsageError):
        parse_periods(" , ")
    with pytest.raises(UsageError):
        parse_periods("..2005,2010..2006")


def test_compare_groups_use_the_vocabulary():
    assert parse_group("year=..2005") == {"year": (None, 2005)}
    assert parse_group("year=1996-2005,genre=rapport") == {"year": (1996, 2005), "genre": "rapport"}
    with pytest.raises(UsageError):
        parse_group("year=2015..2006")


def test_trends_periods_in_every_form_agree(demo_corpus):
    frame = demo_corpus.passages_frame()
    scores = pd.DataFrame({"one": 1.0}, index=pd.Index(frame["passage_id"], name="passage_id"))
    split = int(frame["year"].dropna().median())
    by_breaks = trend_table(demo_corpus, scores, periods=[split], n_boot=50)
    by_ranges = trend_table(demo_corpus, scores, periods=f"..{split - 1},{split}..", n_boot=50)
    assert list(by_breaks["n_passages"]) == list(by_ranges["n_passages"])
    assert by_breaks["n_passages"].sum() == frame["year"].notna().sum()
    with pytest.raises(UsageError):
        trend_table(demo_corpus, scores, periods="2010..2001", n_boot=10)
    with pytest.raises(UsageError, match="numeric"):
        trend_table(demo_corpus, scores, by="genre", periods=[2006], n_boot=10)


def test_search_and_theme_tables_filter_by_the_same_years(demo_corpus):
    frame = demo_corpus.passages_frame()
    years = sorted(frame["year"].dropna().unique())
    low, high = int(years[0]), int(years[len(years) // 2])
    hits = search(demo_corpus, "og", year=f"{low}..{high}", limit=10_000)
    assert len(hits) and hits["year"].between(low, high).all()
    assert len(search(demo_corpus, "og", year=f"{low}-{high}", limit=10_000)) == len(hits)
    with pytest.raises(UsageError):
        search(demo_corpus, "og", year=f"{high}..{low}")
    table = theme_table(demo_corpus, by="period", periods=f"..{high},{high + 1}..")
    assert set(table["period"].dropna()) <= {f"..{high}", f"{high + 1}.."}
