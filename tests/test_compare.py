"""Change over time on real data: the 2006 NAV reform in Storting questions (term trends with document
bootstrap CIs, smooth trend, keyness), plus similarity and the compare commands."""

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

pytestmark = pytest.mark.shared

AGENCIES = {"nav": ["nav"], "aetat": ["aetat"], "trygdeetaten": ["trygdeetat*", "trygdekontor*"]}


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
