"""Change over time: the 2006 NAV reform (term trends with document-bootstrap CIs, smooth trend, keyness), plus
similarity and the compare commands.

The first tests run on the embedded demo corpus (fast, no ../shared needed); the rest use every 8th Storting
question from ../shared (marked shared and slow by conftest, skipped when the data is absent).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import power_divergence
from typer.testing import CliRunner

from policytekst.compare import (
    KEYNESS_COLUMNS,
    TREND_COLUMNS,
    keyness,
    parse_group,
    similar_documents,
    smooth_trend,
    term_scores,
    trend_table,
)

AGENCIES = {"nav": ["nav"], "aetat": ["aetat"], "trygdeetaten": ["trygdeetat*", "trygdekontor*"]}


# -- the demo corpus (2001-2020; NAV from 2006, Aetat and trygdeetaten before) -------------------------------
DEMO_AGENCIES = {"nav": ["nav", "nav-*"], "old": ["aetat", "trygdeetat*", "trygdekontor*"]}


@pytest.fixture(scope="module")
def demo_scores(demo_corpus):
    return term_scores(demo_corpus, DEMO_AGENCIES)


def test_demo_term_scores_count_the_lemmas_of_each_passage(demo_corpus, demo_scores):
    from policytekst.nlp.cache import passage_lemmas

    lemmas = dict(passage_lemmas(demo_corpus))
    assert list(demo_scores.columns) == ["nav", "old"] and set(demo_scores.index) == set(lemmas)
    for pid in demo_scores.sample(40, random_state=1).index:  # counted independently, by the patterns' meaning
        words = lemmas[pid]
        assert demo_scores.loc[pid, "nav"] == sum(w == "nav" or w.startswith("nav-") for w in words)
        assert demo_scores.loc[pid, "old"] == sum(w == "aetat" or w.startswith(("trygdeetat", "trygdekontor"))
                                                  for w in words)
    assert demo_scores["nav"].sum() > 20 and demo_scores["old"].sum() > 10


def test_demo_trend_periods_show_the_reform_with_intervals(demo_corpus, demo_scores):
    table = trend_table(demo_corpus, demo_scores, periods=[2006], n_boot=500, seed=0, min_docs=5)
    assert list(table.columns) == TREND_COLUMNS
    row = table.set_index(["period", "item"])
    before, after = "2001-2005", "2006-2020"
    assert set(table["period"]) == {before, after}
    assert row.loc[(after, "nav"), "ci_low"] > row.loc[(before, "nav"), "ci_high"], "NAV rises from 2006"
    assert row.loc[(before, "old"), "ci_low"] > row.loc[(after, "old"), "ci_high"], "the old agencies fade"
    assert (table["ci_low"] <= table["mean"] + 1e-12).all() and (table["mean"] <= table["ci_high"] + 1e-12).all()
    # the means and counts are the passages' own, computed here from the passages table
    frame = demo_corpus.passages_frame().set_index("passage_id")
    early = frame[frame["year"] < 2006]
    assert row.loc[(before, "nav"), "n_docs"] == early["doc_id"].nunique()
    assert row.loc[(before, "nav"), "n_passages"] == len(early)
    assert row.loc[(before, "old"), "mean"] == pytest.approx(demo_scores.loc[early.index, "old"].mean())


def test_demo_yearly_trend_is_reproducible_and_flags_sparse_years(demo_corpus, demo_scores):
    table = trend_table(demo_corpus, demo_scores[["nav"]], n_boot=200, seed=3, min_docs=5)
    years = table.set_index("period")
    assert list(years.index) == [str(y) for y in range(2001, 2021)]
    assert years["sparse"].to_dict() == (years["n_docs"] < 5).to_dict()
    assert years.loc[[str(y) for y in range(2001, 2005)], "mean"].eq(0).all(), "no NAV before the reform"
    pd.testing.assert_frame_equal(table, trend_table(demo_corpus, demo_scores[["nav"]], n_boot=200, seed=3,
                                                     min_docs=5))
    other = trend_table(demo_corpus, demo_scores[["nav"]], n_boot=200, seed=4, min_docs=5)
    assert not np.allclose(other["ci_high"], table["ci_high"], equal_nan=True)
    pd.testing.assert_series_equal(other["mean"], table["mean"])  # the seed moves intervals, never the means


def test_demo_smooth_trend_rises_after_reform(demo_corpus, demo_scores):
    curve = smooth_trend(demo_corpus, demo_scores[["nav"]], n_boot=100, seed=0).set_index("year")
    assert list(curve.columns) == ["item", "fit", "ci_low", "ci_high"]
    assert curve.loc[2013.0, "ci_low"] > curve.loc[2002.0, "ci_high"]
    assert ((curve["ci_low"] <= curve["fit"] + 1e-12) & (curve["fit"] <= curve["ci_high"] + 1e-12)).all()


def test_demo_keyness_finds_the_agencies_on_each_side(demo_corpus):
    table = keyness(demo_corpus, {"year": (None, 2005)}, {"year": (2006, None)})
    assert list(table.columns) == KEYNESS_COLUMNS and table["g2"].is_monotonic_decreasing
    by_term = table.set_index("term")
    assert by_term.loc["nav", "log_ratio"] < 0 and by_term.loc["nav", "count_a"] == 0
    assert by_term.loc["aetat", "log_ratio"] > 0 and by_term.loc["aetat", "count_a"] > by_term.loc["aetat", "count_b"]
    assert (table["count_a"] + table["count_b"] >= 5).all(), "min_count keeps rare terms out"
    # G2 is the log-likelihood statistic of each term's 2x2 table
    total_a, total_b = table.attrs["tokens_a"], table.attrs["tokens_b"]
    for term in ("nav", "aetat", table["term"].iloc[-1]):
        a, b = by_term.loc[term, "count_a"], by_term.loc[term, "count_b"]
        observed = np.array([[a, b], [total_a - a, total_b - b]], dtype=float)
        expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
        g2 = power_divergence(observed.ravel(), expected.ravel(), lambda_="log-likelihood", ddof=0)[0]
        assert by_term.loc[term, "g2"] == pytest.approx(g2, rel=1e-6)
    # the passages behind a key term are in its group and use the word
    for pid in by_term.loc["nav", "passages"]:
        passage = demo_corpus.passage(pid)
        assert demo_corpus.document(passage.doc_id).year >= 2006 and "nav" in passage.text.lower()
    with pytest.raises(ValueError, match="matches no passages"):
        keyness(demo_corpus, {"year": (2050, None)}, {"year": (2006, None)})


def test_demo_similar_documents_share_more_vocabulary_than_chance(demo_corpus):
    from policytekst.topics import passage_lemma_lists

    units = passage_lemma_lists(demo_corpus)
    owner = demo_corpus.passages_frame().set_index("passage_id")["doc_id"]
    bags: dict[str, set[str]] = {}
    for pid, lemmas in zip(units.passage_ids, units.lemmas, strict=True):
        bags.setdefault(owner[pid], set()).update(lemmas)
    target = "2014_horingsuttalelse_aktivitetsplikt"
    table = similar_documents(demo_corpus, target, n=5)
    assert list(table.columns) == ["doc_id", "title", "year", "similarity"] and len(table) == 5
    assert target not in set(table["doc_id"]) and table["similarity"].is_monotonic_decreasing
    assert table["similarity"].between(0, 1).all()
    others = sorted(set(bags) - {target})
    chance = np.mean([len(bags[d] & bags[target]) for d in others])
    assert np.mean([len(bags[d] & bags[target]) for d in table["doc_id"]]) > chance + 5
    with pytest.raises(KeyError, match="no document"):
        similar_documents(demo_corpus, "no-such-doc")


# -- real data: Storting questions from ../shared ------------------------------------------------------------
@pytest.fixture(scope="module")
def agency_scores(storting_sample):
    return term_scores(storting_sample, AGENCIES)


def test_nav_reform_shows_in_term_trends(storting_sample, agency_scores):
    table = trend_table(storting_sample, agency_scores, periods=[2006], n_boot=1000, seed=0)
    assert list(table.columns) == TREND_COLUMNS
    row = table.set_index(["period", "item"])
    before, after = "1996-2005", "2006-2015"
    # Aetat and the old trygdeetat fade: the intervals before and after 2006 do not overlap
    for item in ("aetat", "trygdeetaten"):
        assert row.loc[(before, item), "ci_low"] > row.loc[(after, item), "ci_high"]
    # NAV rises from 2006
    assert row.loc[(after, "nav"), "ci_low"] > row.loc[(before, "nav"), "ci_high"]
    # counts are documents and passages of each period
    frame = storting_sample.passages_frame()
    early = frame[frame["year"] < 2006]
    assert row.loc[(before, "nav"), "n_docs"] == early["doc_id"].nunique()
    assert row.loc[(before, "nav"), "n_passages"] == len(early)


def test_yearly_trend_flags_sparse_years_and_is_reproducible(storting_sample, agency_scores):
    table = trend_table(storting_sample, agency_scores[["nav"]], n_boot=300, seed=7, min_docs=50)
    years = table.set_index("period")
    assert list(years.index) == [str(y) for y in range(1996, 2016)]
    assert years["sparse"].to_dict() == (years["n_docs"] < 50).to_dict() and years.loc["1996", "sparse"]
    early_high = years.loc[[str(y) for y in range(1996, 2006)], "ci_high"].max()
    assert (years.loc[["2010", "2011"], "ci_low"] > early_high).all()
    assert (table["ci_low"] <= table["mean"] + 1e-12).all() and (table["mean"] <= table["ci_high"] + 1e-12).all()
    again = trend_table(storting_sample, agency_scores[["nav"]], n_boot=300, seed=7, min_docs=50)
    pd.testing.assert_frame_equal(table, again)
    other = trend_table(storting_sample, agency_scores[["nav"]], n_boot=300, seed=8, min_docs=50)
    assert not np.allclose(other["ci_high"], table["ci_high"])


def test_bootstrap_resamples_documents_not_passages(storting_sample):
    # one score per document repeated over its passages: resampling documents gives the same interval whether
    # a document has one passage or many, so duplicating passages must not narrow it
    frame = storting_sample.passages_frame()
    docs = frame.groupby("doc_id").size()
    multi = docs[docs > 1].index
    assert len(multi) >= 10
    part = frame[frame["doc_id"].isin(multi)]
    rng = np.random.default_rng(0)
    doc_value = pd.Series(rng.random(len(multi)), index=multi)
    scores = pd.DataFrame({"x": part["doc_id"].map(doc_value).to_numpy()}, index=part["passage_id"])
    table = trend_table(storting_sample, scores, periods={"all": (None, None)}, n_boot=2000, seed=0)
    width = table["ci_high"].iloc[0] - table["ci_low"].iloc[0]
    weights = docs[multi].to_numpy(dtype=float)
    # analytic standard error of a ratio estimator over documents (delta method)
    mean = (doc_value.to_numpy() * weights).sum() / weights.sum()
    resid = weights * (doc_value.to_numpy() - mean)
    se_docs = np.sqrt((resid ** 2).sum()) / weights.sum()
    assert width == pytest.approx(2 * 1.96 * se_docs, rel=0.2)
    assert table["n_docs"].iloc[0] == len(multi) and table["n_passages"].iloc[0] == len(part)


def test_smooth_trend_rises_after_reform(storting_sample, agency_scores):
    curve = smooth_trend(storting_sample, agency_scores[["nav"]], n_boot=100, seed=0).set_index("year")
    assert list(curve.columns) == ["item", "fit", "ci_low", "ci_high"]
    assert curve.loc[2011.0, "ci_low"] > curve.loc[2000.0, "ci_high"]
    assert (curve["ci_low"] <= curve["fit"] + 1e-12).all()


def test_keyness_puts_nav_after_2006(storting_sample):
    table = keyness(storting_sample, {"year": (None, 2005)}, {"year": (2006, None)})
    assert list(table.columns) == KEYNESS_COLUMNS
    assert table["g2"].is_monotonic_decreasing
    after = table[table["log_ratio"] < 0].reset_index(drop=True)
    nav = after.index[after["term"] == "nav"]
    assert len(nav) == 1 and nav[0] < 10  # among the ten strongest key terms of the later period
    row = table.set_index("term").loc["nav"]
    assert row["count_a"] == 0 and row["p_value"] < 1e-10
    aetat = table.set_index("term").loc["aetat"]
    assert aetat["log_ratio"] > 0 and aetat["count_b"] == 0
    # G2 equals the log-likelihood statistic of the 2x2 table
    total_a = table.attrs["tokens_a"]
    total_b = table.attrs["tokens_b"]
    observed = np.array([[row["count_a"], row["count_b"]], [total_a - row["count_a"], total_b - row["count_b"]]])
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    g2 = power_divergence(observed.ravel(), expected.ravel(), lambda_="log-likelihood", ddof=0)[0]
    assert row["g2"] == pytest.approx(g2, rel=1e-6)
    # the passages behind the keyword are in the later group and say NAV
    for pid in row["passages"]:
        passage = storting_sample.passage(pid)
        assert storting_sample.document(passage.doc_id).year >= 2006 and "nav" in passage.text.lower()
    with pytest.raises(ValueError, match="matches no passages"):
        keyness(storting_sample, {"year": (2050, None)}, {"year": (2006, None)})


def test_similar_documents_share_vocabulary(storting_sample):
    from policytekst.topics import TopicModel, passage_lemma_lists

    units = passage_lemma_lists(storting_sample)
    bags: dict[str, set[str]] = {}
    frame = storting_sample.passages_frame()[["passage_id", "doc_id"]]
    lemma_of = dict(zip(units.passage_ids, units.lemmas, strict=True))
    for pid, doc in zip(frame["passage_id"], frame["doc_id"], strict=True):
        bags.setdefault(doc, set()).update(lemma_of.get(pid, []))
    target = next(d for d, words in sorted(bags.items()) if "nav" in words and len(words) > 15)
    table = similar_documents(storting_sample, target, n=5)
    assert list(table.columns) == ["doc_id", "title", "year", "similarity"]
    assert target not in set(table["doc_id"]) and table["similarity"].is_monotonic_decreasing
    for doc in table["doc_id"]:
        assert len(bags[doc] & bags[target]) >= 2
    rng = np.random.default_rng(0)
    others = rng.choice(sorted(set(bags) - {target}), 50, replace=False)
    overlap_random = np.mean([len(bags[d] & bags[target]) for d in others])
    assert np.mean([len(bags[d] & bags[target]) for d in table["doc_id"]]) > overlap_random + 2
    model = TopicModel(k=6, engine="nmf", max_iter=100).fit_units(units.passage_ids, units.lemmas)
    by_topics = similar_documents(storting_sample, target, n=5, method="topics", model=model)
    assert by_topics["similarity"].between(0, 1).all() and by_topics["similarity"].is_monotonic_decreasing
    with pytest.raises(KeyError, match="no document"):
        similar_documents(storting_sample, "no-such-doc")


def test_parse_group():
    assert parse_group("year=..2005") == {"year": (None, 2005)}
    assert parse_group("year>=2006,genre=rapport") == {"year": (2006, None), "genre": "rapport"}
    assert parse_group("fromParty=FrP|H") == {"fromParty": ["FrP", "H"]}
    with pytest.raises(ValueError):
        parse_group("year")


def test_compare_commands(storting_sample, tmp_path):
    from policytekst.cli import app

    runner = CliRunner()
    corpus = str(storting_sample.directory)
    result = runner.invoke(app, ["trends", "-c", corpus, "--terms", "nav,old=aetat|trygdeetat*", "--periods", "2006",
                                 "--n-boot", "200", "--out", str(tmp_path / "t.csv"), "--plot", str(tmp_path / "t.svg")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "t.csv")
    assert set(table["item"]) == {"nav", "old"} and len(table) == 4
    assert (tmp_path / "t.svg").read_text().startswith("<?xml")
    result = runner.invoke(app, ["keyness", "-c", corpus, "--a", "year=..2005", "--b", "year=2006..", "--n", "5",
                                 "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5 and isinstance(rows[0]["passages"], list)
    assert runner.invoke(app, ["trends", "-c", corpus]).exit_code == 2
    assert runner.invoke(app, ["trends", "-c", corpus, "--terms", "nav", "--by", "nosuch"]).exit_code == 2
    assert runner.invoke(app, ["keyness", "-c", corpus, "--a", "year", "--b", "year=2006.."]).exit_code == 2
    assert runner.invoke(app, ["similar", "nope", "-c", corpus]).exit_code == 2  # an unknown name: bad usage
