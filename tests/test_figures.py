"""Figures a researcher would publish (issue 20): whole-year ticks, gaps kept as gaps, shared panel scales, alt text
on every SVG, crossed trends that match an independent pandas groupby, adjusted p-values that match a hand
computation, names left out of keyness, and the report's links from points and rows to passages."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from policytekst import plots
from policytekst.model import ANALYSIS_KINDS


def _trends(years: list[int], items: dict[str, float], sparse_below: int = 0) -> pd.DataFrame:
    """A trend table shaped like trend_table's: periods are strings, as trend_table writes them."""
    rows = []
    for item, level in items.items():
        for k, year in enumerate(years):
            mean = level * (1 + 0.2 * np.sin(k))
            rows.append((str(year), item, mean, mean * 0.7, mean * 1.3, 5 + k, 50 + k, 5 + k < sparse_below))
    return pd.DataFrame(rows, columns=["period", "item", "mean", "ci_low", "ci_high", "n_docs", "n_passages",
                                       "sparse"])


def _tick_labels(fig) -> list[str]:
    """The x tick labels a reader sees (inside the axis limits)."""
    fig.canvas.draw()
    labels = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        low, high = ax.get_xlim()
        labels += [t.get_text() for t in ax.get_xticklabels() if t.get_text() and low <= t.get_position()[0] <= high]
    return labels


# -- whole years, gaps, shared scales ------------------------------------------------------------------------------
@pytest.mark.parametrize("years", [[2002, 2003], [2001, 2002, 2003, 2004, 2005], list(range(1996, 2016))])
def test_year_ticks_are_whole_years(years):
    fig, _, _ = plots.trend_panels_figure(_trends(years, {"a": 1.0, "b": 0.2}), ylabel="snitt")
    labels = _tick_labels(fig)
    assert labels and all(re.fullmatch(r"\d{4}", label) for label in labels), labels
    assert {int(label) for label in labels} <= set(range(years[0], years[-1] + 1))
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_bar_chart_of_years_has_whole_year_ticks():
    svg = plots.bar_chart([2002, 2003, 2004], [3, 1, 2], ylabel="dokumenter")
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    years = [t for t in ticks if re.fullmatch(r"\d{4}(\.\d+)?", t.strip())]
    assert years and all("." not in t for t in years), years


def test_gaps_are_not_bridged():
    fig, _, _ = plots.trend_panels_figure(_trends([2001, 2002, 2003, 2010, 2011], {"a": 1.0}), ylabel="snitt")
    ax = fig.axes[0]
    line = max(ax.lines, key=lambda ln: len(ln.get_xdata()))
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    # every year from 2001 to 2011 is on the line, the missing ones as NaN, so the line breaks there
    assert list(x) == list(range(2001, 2012))
    assert np.isnan(y[(x > 2003) & (x < 2010)]).all() and not np.isnan(y[(x <= 2003) | (x >= 2010)]).any()
    # the confidence band breaks too: two polygons, none spanning the gap
    band = ax.collections[0]
    spans = [(p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in band.get_paths()]
    assert len(spans) == 2 and all(high <= 2003 or low >= 2010 for low, high in spans), spans


def test_cli_trend_plot_keeps_gaps_with_dodged_intervals(tmp_path):
    table = _trends([2001, 2002, 2008], {"a": 1.0, "b": 0.5})
    path = plots.plot_trends(table, tmp_path / "t.svg")
    svg = path.read_text(encoding="utf-8")
    assert plots.svg_alt(svg) and "dodged" in plots.svg_alt(svg)


def test_panels_share_their_y_scale_unless_freed():
    table = _trends([2001, 2002, 2003], {"big": 1.0, "small": 0.05})
    fig, _, _ = plots.trend_panels_figure(table, ylabel="snitt")
    limits = {ax.get_ylim() for ax in fig.axes if ax.get_visible()}
    assert len(limits) == 1 and next(iter(limits))[1] >= 1.3  # the big panel's whole interval is in view
    fig, _, _ = plots.trend_panels_figure(table, ylabel="snitt", free_y=True)
    tops = [ax.get_ylim()[1] for ax in fig.axes if ax.get_visible()]
    assert tops[0] > 5 * tops[1]


def test_panels_use_codebook_labels_and_link_points():
    table = _trends([2001, 2002], {"skjonn_og_handlingsrom": 0.3})
    svg = plots.trend_panels(table, ylabel="snitt", labels={"skjonn_og_handlingsrom": "Skjønn og handlingsrom"},
                             links={("skjonn_og_handlingsrom", "2002"): "#b-x"})
    assert "Skjønn og handlingsrom" in svg and "skjonn_og_handlingsrom" not in re.sub(r"<title>.*?</title>", "", svg)
    assert svg.count('class="point"') == 1 and 'href="#b-x"' in svg
    assert re.search(r'class="point"><title>Skjønn og handlingsrom, 2002: ', svg)


# -- alt text ------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _every_svg() -> dict[str, str]:
    table = _trends([2001, 2002, 2004], {"a": 1.0, "b": 0.3})
    points = pd.DataFrame({"x": [0.0, 1.0, 0.5], "y": [0.0, 1.0, 0.2], "year": [2001.0, 2004.0, np.nan],
                           "title": ["A", "B", "C"]})
    terms = pd.DataFrame({"term": ["nav", "etat"], "g2": [10.0, 5.0]})
    counts = pd.DataFrame({"year": [2001, 2002], "documents": [3, 30], "words": [900, 400], "sparse": [True, False]})
    return {
        "bar": plots.bar_chart(["a", "b"], [1, 2], horizontal=True),
        "year_bars": plots.bar_chart([2001, 2002], [1, 2]),
        "year_counts": plots.year_counts(counts, [("documents", "dokumenter"), ("words", "ord")], marked="sparse"),
        "panels": plots.trend_panels(table, ylabel="snitt"),
        "heatmap": plots.heatmap(pd.DataFrame([[0.1, 0.2]], index=["emne"], columns=[2001, 2002])),
        "terms": plots.diverging_terms(terms, terms, value="g2", left_label="før", right_label="etter"),
        "map": plots.scatter_map(points, label_by="title", links=["#a", "", "#c"], hover=["A", "B", "C"]),
        "map_categories": plots.scatter_map(points.assign(genre=["x", "y", None]), color_by="genre"),
    }


def test_every_svg_has_alt_text():
    for name, svg in _every_svg().items():
        assert re.match(r'<svg\b[^>]*\brole="img"[^>]*\baria-label="[^"]{20,}"', svg), name
        assert plots.svg_alt(svg) and len(plots.svg_alt(svg)) >= 20, name


def test_map_links_skip_points_without_a_target():
    svg = _every_svg()["map"]
    assert re.findall(r'class="point"><title>([^<]*)</title>', svg) == ["A", "C"]
    assert "fill: none" not in svg.split('class="point"')[1][:300], "a transparent hit target takes no clicks"


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_cli_plots_are_written_in_each_format(tmp_path, suffix):
    table = _trends([2001, 2002], {"a": 1.0})
    path = plots.plot_trends(table, tmp_path / f"t{suffix}")
    data = path.read_bytes()
    assert data.startswith((b"<?xml", b"\x89PNG", b"%PDF-"))
    if suffix == ".svg":
        assert plots.svg_alt(data.decode("utf-8"))
    if suffix == ".png":
        from PIL import Image

        with Image.open(path) as image:
            assert image.info.get("dpi", (0,))[0] >= 299  # print resolution
            assert "Line chart" in image.info.get("Description", "")


def test_saved_svgs_of_every_command_plot_have_alt_text(tmp_path):
    keyness = pd.DataFrame({"term": ["nav", "etat"], "log_ratio": [1.5, -2.0], "g2": [12.0, 9.0]})
    sweep = pd.DataFrame({"k": [2, 4], "c_v": [0.4, 0.5], "npmi": [0.0, 0.1], "diversity": [0.9, 0.8],
                          "exclusivity": [0.5, 0.6], "fit_seconds": [1.0, 2.0]})
    top = pd.DataFrame({"topic": [0, 0, 1], "term": ["a", "b", "c"], "weight": [0.5, 0.3, 0.4]})
    crossed = _trends([2001, 2002], {"a": 1.0}).assign(group="AP")
    paths = [plots.plot_keyness(keyness, tmp_path / "k.svg"), plots.plot_sweep(sweep, tmp_path / "s.svg"),
             plots.plot_top_terms(top, ["en", "to"], tmp_path / "top.svg"),
             plots.plot_trends(crossed, tmp_path / "c.svg")]
    for path in paths:
        assert plots.svg_alt(path.read_text(encoding="utf-8")), path.name


def test_palette_is_colour_blind_safe():
    assert plots.PALETTE[:3] == ["#0072B2", "#D55E00", "#009E73"]  # Okabe-Ito
    assert "#F0E442" not in plots.PALETTE  # too light on paper


# -- crossed trends ------------------------------------------------------------------------------------------------
def test_crossed_trends_match_an_independent_groupby(demo_corpus):
    from policytekst.compare import crossed_trend_table, term_scores

    scores = term_scores(demo_corpus, ["nav", "samordning"])
    table = crossed_trend_table(demo_corpus, scores, split="genre", n_boot=50)
    assert list(table.columns[:3]) == ["period", "group", "item"]
    # independently: passages with their year and genre, scores joined, grouped by pandas
    frame = demo_corpus.passages_frame(ANALYSIS_KINDS)[["passage_id", "doc_id", "year", "genre"]]
    frame = frame.merge(scores, left_on="passage_id", right_index=True).dropna(subset=["year", "genre"])
    expected = frame.groupby(["year", "genre"]).agg(nav=("nav", "mean"), samordning=("samordning", "mean"),
                                                    n_docs=("doc_id", "nunique"), n_passages=("passage_id", "size"))
    got = table.assign(year=table["period"].astype(float).astype(int)).set_index(["year", "group"])
    assert len(got) == 2 * len(expected)
    for (year, genre), row in expected.iterrows():
        for item in ("nav", "samordning"):
            mine = got.loc[(int(year), genre)]
            mine = mine[mine["item"] == item].iloc[0]
            assert mine["mean"] == pytest.approx(row[item])
            assert (mine["n_docs"], mine["n_passages"]) == (row["n_docs"], row["n_passages"])
            if row["n_docs"] > 1:  # one document has no interval to resample
                assert mine["ci_low"] <= mine["mean"] + 1e-12 <= mine["ci_high"] + 2e-12
    assert table.attrs["split"] == "genre" and table["sparse"].dtype == bool


def test_crossed_trends_with_periods_and_chosen_groups(demo_corpus):
    from policytekst.compare import crossed_trend_table, term_scores

    scores = term_scores(demo_corpus, ["nav"])
    table = crossed_trend_table(demo_corpus, scores, split="genre", periods=[2006], n_boot=50,
                                groups=["rapport", "masteroppgave"])
    assert list(dict.fromkeys(table["group"])) == ["rapport", "masteroppgave"]
    # the same two periods for every group (break years resolved over the whole corpus, not per group)
    periods = table.groupby("group")["period"].apply(lambda s: tuple(sorted(set(s))))
    assert periods.nunique() == 1 and len(periods.iloc[0]) == 2
    from policytekst.errors import UsageError

    with pytest.raises(UsageError, match="no documents with genre = roman"):
        crossed_trend_table(demo_corpus, scores, split="genre", groups=["roman"])
    with pytest.raises(UsageError, match="same variable"):
        crossed_trend_table(demo_corpus, scores, split="year")


def test_trends_command_splits_and_plots(demo_corpus, tmp_path):
    from policytekst.cli import app

    out, plot = tmp_path / "t.csv", tmp_path / "t.pdf"
    result = CliRunner().invoke(app, ["trends", "--corpus", str(demo_corpus.directory), "--themes", "samordning",
                                      "--split", "genre", "--groups", "rapport,masteroppgave", "--n-boot", "50",
                                      "--out", str(out), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert set(table["group"]) == {"rapport", "masteroppgave"} and plot.read_bytes()[:4] == b"%PDF"
    wrong = CliRunner().invoke(app, ["trends", "--corpus", str(demo_corpus.directory), "--terms", "nav",
                                     "--by", "genre", "--periods", "2006"])
    assert wrong.exit_code == 2 and "--split genre" in wrong.output


# -- keyness: adjusted p-values and names -------------------------------------------------------------------------
def test_benjamini_hochberg_by_hand():
    from policytekst.compare.keyness import adjust_p_values

    p = np.array([0.01, 0.04, 0.03, 0.005])
    # sorted 0.005, 0.01, 0.03, 0.04 -> times 4/rank: 0.02, 0.02, 0.04, 0.04 (already monotone)
    assert adjust_p_values(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # 0.01*3/1 = 0.03, 0.02*3/2 = 0.03, 0.025*3/3 = 0.025 -> the step-up takes the minimum from the top: 0.025
    assert adjust_p_values(np.array([0.01, 0.02, 0.025]), "bh") == pytest.approx([0.025, 0.025, 0.025])
    assert adjust_p_values(np.array([0.3, 0.6]), "bonferroni") == pytest.approx([0.6, 1.0])
    assert adjust_p_values(np.array([0.3]), "none") == pytest.approx([0.3])


def test_keyness_adjusted_p_values_on_a_corpus(demo_corpus):
    from policytekst.compare import keyness

    table = keyness(demo_corpus, {"year": (None, 2005)}, {"year": (2006, None)})
    p = table["p_value"].to_numpy()
    m = len(p)
    order = np.argsort(p)
    # BH by hand, the textbook loop: adjusted p(i) = min over j >= i of p(j) * m / j, capped at 1
    by_hand = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        running = min(running, p[order[rank - 1]] * m / rank)
        by_hand[order[rank - 1]] = running
    assert table["p_adjusted"].to_numpy() == pytest.approx(by_hand)
    assert (table["p_adjusted"] >= table["p_value"] - 1e-15).all()
    scipy_stats = pytest.importorskip("scipy.stats")
    if hasattr(scipy_stats, "false_discovery_control"):
        assert table["p_adjusted"].to_numpy() == pytest.approx(scipy_stats.false_discovery_control(p))


def test_names_are_found_by_capitals_inside_sentences():
    from policytekst.nlp.names import name_lemmas

    texts = ["Saken ble tatt opp av Stoltenberg i går. I dag svarte Stoltenberg igjen.",
             "Regjeringen og Stoltenberg la fram planen for NAV. Regjeringen vil styrke NAV.",
             "Arbeidet i regjeringen går videre, sa statsråden fra Bergen og Tromsø til Bergen."]
    names = name_lemmas(texts)
    assert "stoltenberg" in names and "bergen" in names
    assert "regjering" not in names and "regjeringen" not in names  # capitalised only first in a sentence
    assert "nav" not in names  # all-capital acronyms are not names


def test_keyness_can_leave_names_out(tmp_path):
    from policytekst import Corpus
    from policytekst.compare import keyness

    folder = tmp_path / "docs"
    folder.mkdir()
    before = ("Statsråden Hansen sa at kommunen skal styrke samarbeidet om tjenestene. Ifølge Hansen blir "
              "kommunen viktigere for brukerne, og samarbeidet med etaten fortsetter. ")
    after = ("Statsråden Olsen sa at kontoret skal styrke veiledningen av brukerne. Ifølge Olsen blir "
             "kontoret viktigere for brukerne, og veiledningen av deltakerne fortsetter. ")
    rows = ["file,title,year,genre"]
    for i in range(4):
        (folder / f"a{i}.txt").write_text(before * 3 + "\n", encoding="utf-8")
        (folder / f"b{i}.txt").write_text(after * 3 + "\n", encoding="utf-8")
        rows += [f"a{i}.txt,A{i},{2001 + i},rapport", f"b{i}.txt,B{i},{2011 + i},rapport"]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Corpus(tmp_path / "corpus", create=True) as corpus:
        corpus.ingest([folder], progress=False)
        groups = ({"year": (None, 2005)}, {"year": (2010, None)})
        full = keyness(corpus, *groups, min_count=2)
        plain = keyness(corpus, *groups, min_count=2, exclude_names=True)
    assert {"hansen", "olsen"} <= set(full["term"])
    assert not {"hansen", "olsen"} & set(plain["term"])
    assert {"kommune", "kontor"} <= set(plain["term"])
    assert set(plain.attrs["excluded_names"]) >= {"hansen", "olsen"} and plain.attrs["n_tested"] == len(plain)


def test_keyness_command_options(demo_corpus, tmp_path):
    from policytekst.cli import app

    out = tmp_path / "k.csv"
    result = CliRunner().invoke(app, ["keyness", "--corpus", str(demo_corpus.directory), "--a", "year=..2005",
                                      "--b", "year=2006..", "--exclude-names", "--min-freq", "8", "--adjust",
                                      "bonferroni", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert (table["count_a"] + table["count_b"] >= 8).all()
    assert table["p_adjusted"].to_numpy() == pytest.approx(np.minimum(table["p_value"] * len(table), 1.0))
    bad = CliRunner().invoke(app, ["keyness", "--corpus", str(demo_corpus.directory), "--a", "year=..2005",
                                   "--b", "year=2006..", "--adjust", "holm"])
    assert bad.exit_code == 2 and "holm" in bad.output


# -- the report ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_page(demo_corpus, tmp_path_factory):
    from test_report import shared_demo_report

    result = shared_demo_report(demo_corpus, tmp_path_factory)
    return result, result.path.read_text(encoding="utf-8")


def test_every_svg_in_the_report_has_alt_text(demo_page):
    _, page = demo_page
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) >= 8
    for svg in svgs:
        assert 'role="img"' in svg[:2000] and plots.svg_alt(svg), svg[:200]


def test_report_points_and_rows_link_to_passages_in_the_page(demo_page):
    _, page = demo_page
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    targets = re.findall(r'\bhref="#([^"]+)"', page)
    from urllib.parse import unquote

    passages = [t for t in targets if t.startswith(("p-", "b-"))]
    assert len(passages) > 100  # theme points, keyness rows, map points, document rows
    dangling = sorted({t for t in passages if unquote(t) not in ids})
    assert not dangling, dangling[:5]
    # a theme point leads to the passages with the highest score for that theme in that year
    themes = re.search(r'id="fig-themes-years".*?</figure>', page, flags=re.S).group(0)
    assert themes.count('class="point"') > 20 and 'href="#b-themes-samordning-' in themes


def test_report_theme_panels_use_codebook_labels_and_say_the_scale_is_shared(demo_page):
    _, page = demo_page
    themes = re.search(r'id="fig-themes-years".*?</figure>', page, flags=re.S).group(0)
    assert "Skjønn og handlingsrom" in themes and ">skjonn_og_handlingsrom<" not in themes
    assert "samme y-skala" in themes


def test_report_overview_has_words_per_year_and_sparse_years(demo_page):
    result, page = demo_page
    by_year = pd.read_csv(result.out_dir / "tables" / "overview_by_year.csv")
    assert {"year", "documents", "words", "words_per_document", "sparse"} <= set(by_year.columns)
    assert (by_year["sparse"] == (by_year["documents"] < 20)).all()
    assert "Ord per år" in page and "Skraverte søyler" in page


def test_params_json_records_what_was_used(demo_page, demo_corpus):
    import json

    result, page = demo_page
    record = json.loads((result.out_dir / "params.json").read_text(encoding="utf-8"))
    assert record["params"]["engine"] and record["params"]["engine"] == record["topic_model"]["engine"]
    assert "engine" in record["left_to_defaults"] and record["params"]["split_year"] == record["split_year_used"]
    assert record["params"]["sections"][:2] == ["overview", "themes"]
    assert f"{record['params']['engine']}, K = 6" in page  # the text and params.json say the same


def test_warning_kinds_show_a_real_example_and_readable_counts():
    from policytekst.report.sections.overview import _plural, warning_kinds

    warnings = pd.DataFrame({"doc_id": ["a", "a", "b"], "path": ["x", "x", "y"],
                             "warning": ["12 of 40 pages have no text", "3 of 9 pages have no text",
                                         "running header 'Side' removed"]})
    kinds = warning_kinds(warnings)
    assert list(kinds.columns) == ["warning", "example", "count", "documents"]
    first = kinds.iloc[0]
    assert first["example"] == "12 of 40 pages have no text" and first["count"] == 2 and first["documents"] == 1
    assert _plural(1, "advarsel", "advarsler") == "1 advarsel" and _plural(2, "dokument", "dokumenter") == \
        "2 dokumenter"


def test_heatmap_keeps_missing_years_as_blank_columns():
    matrix = pd.DataFrame([[0.1, 0.2, 0.4]], index=["emne"], columns=["2001", "2002", "2005"])
    svg = plots.heatmap(matrix)
    ticks = [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert {"2001", "2003", "2004", "2005"} <= set(ticks)


def test_trends_command_splits_term_groups(demo_corpus, tmp_path):
    from policytekst.cli import app

    out = tmp_path / "t.csv"
    result = CliRunner().invoke(app, ["trends", "--corpus", str(demo_corpus.directory), "--terms",
                                      "nav,old=aetat|trygdeetat*", "--split", "genre", "--periods", "2006",
                                      "--n-boot", "30", "--out", str(out), "--plot", str(tmp_path / "t.svg")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert set(table["item"]) == {"nav", "old"} and table.groupby("group")["period"].nunique().eq(2).all()


def test_report_links_to_the_web_app_when_given_its_address(demo_corpus, tmp_path):
    from policytekst.report import ReportParams, build_report

    base = "http://127.0.0.1:8765"
    result = build_report(demo_corpus, tmp_path / "r", ReportParams(sections=("overview", "themes"), n_boot=20,
                                                                   link_base=base))
    page = result.path.read_text(encoding="utf-8")
    web = re.findall(r'\bhref="(http://127\.0\.0\.1:8765/[^"]+)"', page)
    assert len(web) > 50 and all(re.fullmatch(re.escape(base) + r"/doc/[^/#]+(#[^#]+)?", url) for url in web)
    assert "behind" not in result.status()  # nothing to show inside the report: the web app shows the passages
    assert not re.search(r'href="#(p|b)-', page)


def test_count_axes_have_whole_numbers():
    import matplotlib.pyplot as plt

    counts = pd.DataFrame({"year": [2001, 2002, 2003], "documents": [1, 0, 2], "words": [90, 0, 300],
                           "thin": [True, False, True]})
    captured = {}
    original = plots.to_svg
    try:
        plots.to_svg = lambda fig, alt="", point_labels=None: captured.setdefault("fig", fig) and ""
        plots.year_counts(counts, [("documents", "dokumenter"), ("words", "ord")], marked="thin")
    finally:
        plots.to_svg = original
    fig = captured["fig"]
    fig.canvas.draw()
    ticks = fig.axes[0].get_yticks()
    low, high = fig.axes[0].get_ylim()
    assert all(float(t).is_integer() for t in ticks if low <= t <= high)
    plt.close(fig)
