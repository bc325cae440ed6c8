"""Topic models: determinism, the common engine interface, save/load, K sweep, seeded and dynamic topics,
representative passages, and the `topics` commands.

The first tests fit, transform and label on the embedded demo corpus (fast, no ../shared needed); the rest use
every 8th Storting question from ../shared (marked shared and slow by conftest, skipped when it is absent).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from policytekst.topics import SWEEP_COLUMNS, DynamicTopicModel, TopicModel, codebook_seed_words, sweep
from policytekst.topics.quality import coherence

FAST = {"tomotopy": {"iterations": 120}, "gensim": {"passes": 2, "iterations": 50}, "nmf": {"max_iter": 150}}


# -- the demo corpus -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_units(demo_corpus):
    from policytekst.topics import passage_lemma_lists

    return passage_lemma_lists(demo_corpus)


@pytest.mark.parametrize("engine", ["nmf", "tomotopy", "gensim"])
def test_demo_fit_transform_and_labels(demo_corpus, demo_units, engine):
    model = TopicModel(k=5, engine=engine, seed=0, **FAST[engine]).fit(demo_corpus)
    shares = model.doc_topics_
    assert list(shares.index) == demo_units.passage_ids and list(shares.columns) == list(range(5))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-6)
    assert (shares.to_numpy() >= 0).all()
    np.testing.assert_allclose(model.topic_term_.sum(axis=1), 1.0, atol=1e-6)
    assert model.info_["corpus_generation"] == demo_corpus.generation and not model.is_stale(demo_corpus)
    # labels: three distinct FREX terms of their own topic, and no two topics share a label
    frex_top = model.top_terms(3, by="frex").groupby("topic")["term"].apply(list)
    assert model.labels_ == [" / ".join(frex_top[t]) for t in range(5)] and len(set(model.labels_)) == 5
    # transform agrees with the fit: a topic's strongest passage, transformed again, still leans to that topic
    for topic in range(5):
        best = shares[topic].idxmax()
        row = model.transform([demo_units.lemmas[demo_units.passage_ids.index(best)]])[0]
        assert row.sum() == pytest.approx(1.0, abs=1e-6)
        assert topic in np.argsort(-row)[:2], (engine, topic, row)
    # words the model never saw carry no topic information: the row is not concentrated on any topic
    unseen = model.transform([["qqqxyz", "zzzwvu"]])[0]
    assert unseen.max() - unseen.min() < 0.35


def test_demo_topics_separate_before_and_after_the_reform(demo_corpus, demo_units):
    """A topic that holds "aetat" has its passages early; a topic that holds "nav" has them late."""
    model = TopicModel(k=5, engine="nmf", seed=0, max_iter=300).fit_units(demo_units.passage_ids, demo_units.lemmas)
    years = demo_corpus.passages_frame().set_index("passage_id")["year"].reindex(model.doc_topics_.index)
    term = {t: j for j, t in enumerate(model.terms_)}
    old_topic = int(np.argmax(model.topic_term_[:, term["aetat"]]))
    nav_topic = int(np.argmax(model.topic_term_[:, term["nav"]]))
    assert old_topic != nav_topic

    def mean_year(topic: int) -> float:
        weights = model.doc_topics_[topic].to_numpy()
        return float(np.average(years.to_numpy(dtype=float), weights=weights))

    assert mean_year(old_topic) < mean_year(nav_topic) - 3


def test_demo_same_seed_same_model_and_save_load(demo_corpus, demo_units, tmp_path):
    fit = TopicModel(k=4, engine="tomotopy", seed=1, **FAST["tomotopy"]).fit(demo_corpus)
    again = TopicModel(k=4, engine="tomotopy", seed=1, **FAST["tomotopy"]).fit(demo_corpus)
    pd.testing.assert_frame_equal(fit.doc_topics_, again.doc_topics_)
    other = TopicModel(k=4, engine="tomotopy", seed=2, **FAST["tomotopy"]).fit(demo_corpus)
    assert not np.allclose(fit.doc_topics_.to_numpy(), other.doc_topics_.to_numpy())
    loaded = TopicModel.load(fit.save(tmp_path / "m"))
    assert loaded.labels_ == fit.labels_
    pd.testing.assert_frame_equal(loaded.top_terms(8), fit.top_terms(8))
    some = demo_units.lemmas[:5]
    np.testing.assert_allclose(loaded.transform(some), fit.transform(some), atol=0.05)
    table = fit.representative_passages(demo_corpus, 0, n=3)
    assert table["doc_id"].is_unique and table["score"].is_monotonic_decreasing
    assert (table["score"] >= fit.doc_topics_[0].quantile(0.9)).all()
    with pytest.raises(ValueError, match="unknown topic engine"):
        TopicModel(engine="mallet").fit(demo_corpus)


# -- real data: Storting questions from ../shared ------------------------------------------------------------
@pytest.fixture(scope="module")
def units(storting_sample):
    from policytekst.topics import passage_lemma_lists

    return passage_lemma_lists(storting_sample)


@pytest.fixture(scope="module")
def fitted(storting_sample, units):
    model = TopicModel(k=8, engine="tomotopy", seed=3, **FAST["tomotopy"])
    model.fit_units(units.passage_ids, units.lemmas)
    model.info_["corpus_generation"] = storting_sample.generation
    return model


def test_same_seed_same_model_and_other_seed_differs(units, fitted):
    again = TopicModel(k=8, engine="tomotopy", seed=3, **FAST["tomotopy"]).fit_units(units.passage_ids, units.lemmas)
    pd.testing.assert_frame_equal(fitted.doc_topics_, again.doc_topics_)
    pd.testing.assert_frame_equal(fitted.top_terms(10), again.top_terms(10))
    other = TopicModel(k=8, engine="tomotopy", seed=4, **FAST["tomotopy"]).fit_units(units.passage_ids, units.lemmas)
    assert not np.allclose(fitted.doc_topics_.to_numpy(), other.doc_topics_.to_numpy())


@pytest.mark.parametrize("engine", ["tomotopy", "gensim", "nmf"])
def test_engines_share_one_interface_and_round_trip(storting_sample, units, engine, tmp_path):
    model = TopicModel(k=6, engine=engine, seed=0, **FAST[engine]).fit_units(units.passage_ids, units.lemmas)
    shares = model.doc_topics_
    assert list(shares.columns) == list(range(6))
    assert list(shares.index) == units.passage_ids  # every passage has a row, empty ones included
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-6)
    top = model.top_terms(10)
    assert list(top.columns) == ["topic", "rank", "term", "weight"]
    assert len(top) == 60 and top.groupby("topic")["weight"].apply(lambda w: w.is_monotonic_decreasing).all()
    assert len(model.labels_) == 6 and all(model.labels_)
    # topics must differ: no two topics share the same top-5 terms
    firsts = {tuple(g["term"].head(5)) for _, g in top.groupby("topic")}
    assert len(firsts) == 6
    # what a topic is about must be visible in new text: the top passage of a topic, transformed again,
    # still has that topic among its two largest shares
    topic = int(np.argmax(shares.mean(axis=0).to_numpy()))
    best = shares[topic].idxmax()
    row = model.transform([units.lemmas[units.passage_ids.index(best)]])[0]
    assert topic in np.argsort(-row)[:2]
    model.info_["corpus_generation"] = storting_sample.generation
    loaded = TopicModel.load(model.save(tmp_path / engine))
    pd.testing.assert_frame_equal(loaded.top_terms(10), top)
    np.testing.assert_allclose(loaded.doc_topics_.to_numpy(), shares.to_numpy(), rtol=1e-4, atol=1e-6)
    record = json.loads((tmp_path / engine / "model.json").read_text())
    assert record["params"]["seed"] == 0 and record["params"]["engine"] == engine
    assert record["versions"][{"nmf": "scikit-learn"}.get(engine, engine)] not in ("", "absent")
    assert record["corpus_generation"] == storting_sample.generation
    assert not loaded.is_stale(storting_sample)


def test_fit_on_corpus_records_generation_and_rejects_bad_params(storting_sample):
    with pytest.raises(ValueError, match="unknown topic engine"):
        TopicModel(engine="mallet").fit(storting_sample)
    with pytest.raises(ValueError, match="no parameter"):
        TopicModel(engine="nmf", passes=3).fit(storting_sample)
    model = TopicModel(k=4, engine="nmf", max_iter=50).fit(storting_sample)
    assert model.info_["corpus_generation"] == storting_sample.generation
    assert model.info_["n_units"] == len(storting_sample.passages_frame())


def test_sweep_reports_quality_per_k(storting_sample, units):
    table = sweep(storting_sample, ks=(4, 10), engine="nmf", seed=0, max_iter=150)
    assert list(table.columns) == SWEEP_COLUMNS and list(table["k"]) == [4, 10]
    assert table["c_v"].between(0, 1).all() and table["npmi"].between(-1, 1).all()
    assert table["diversity"].between(0.2, 1).all() and table["exclusivity"].between(0, 1).all()
    assert (table["fit_seconds"] > 0).all()
    # coherence measures something real: the fitted topics beat random word lists from the same vocabulary
    model = TopicModel(k=10, engine="nmf", seed=0, max_iter=150).fit_units(units.passage_ids, units.lemmas)
    texts = model.vocabulary_.encode(units.lemmas)
    rng = np.random.default_rng(0)
    random_topics = [list(rng.choice(model.terms_, 10, replace=False)) for _ in range(10)]
    assert table.loc[table["k"] == 10, "npmi"].iloc[0] > coherence(random_topics, texts, "c_npmi")[0] + 0.05


def test_seeded_topic_picks_up_codebook_words(units):
    seeds = codebook_seed_words(["npm"])
    assert any("anbud" in p for p in seeds["npm"])  # the codebook's strong NPM cues
    seeded = TopicModel(k=8, engine="tomotopy", seed=0, seed_words=seeds, **FAST["tomotopy"]).fit_units(units.passage_ids, units.lemmas)
    plain = TopicModel(k=8, engine="tomotopy", seed=0, **FAST["tomotopy"]).fit_units(units.passage_ids, units.lemmas)
    words = seeded.seed_terms_[0]
    assert len(words) >= 2  # globs expanded against this corpus' vocabulary
    cols = [seeded.vocabulary_.index_[w] for w in words]
    mass = seeded.topic_term_[:, cols] * seeded.term_share_[cols]
    in_seeded = mass[0].sum() / mass.sum()
    plain_mass = plain.topic_term_[:, cols] * plain.term_share_[cols]
    plain_share = plain_mass.sum(axis=1) / plain_mass.sum()
    # anchored: nearly all of the seed words' mass sits in topic 0, more than in any topic of an unseeded
    # fit, whose topic 0 is about something else
    assert in_seeded > 0.95 and in_seeded >= plain_share.max() and plain_share[0] < 0.5
    assert seeded.labels_[0].startswith("npm: ") and seeded.labels_[0].split(": ")[1].split(" / ")[0] in words


def test_representative_passages_are_cited_and_strongest(storting_sample, fitted):
    topic = 2
    table = fitted.representative_passages(storting_sample, topic, n=4)
    assert list(table.columns) == ["passage_id", "doc_id", "text", "score", "citation"]
    assert len(table) == 4 and table["doc_id"].is_unique
    assert table["score"].is_monotonic_decreasing
    assert (table["score"] > fitted.doc_topics_[topic].quantile(0.95)).all()
    assert all(str(storting_sample.document(d).year) in c for d, c in zip(table["doc_id"], table["citation"], strict=True))
    top_terms = set(fitted.top_terms(30).query("topic == @topic")["term"])
    from policytekst.nlp import content_lemmas

    assert all(set(content_lemmas(t)) & top_terms for t in table["text"])
    with pytest.raises(ValueError, match="topic must be"):
        fitted.representative_passages(storting_sample, 99)


def test_relevance_and_frex_favour_exclusive_terms(fitted):
    def mean_exclusivity(by):
        top = fitted.top_terms(10, by=by)
        share = fitted.topic_term_ / fitted.topic_term_.sum(axis=0, keepdims=True)
        return np.mean([share[t, fitted.vocabulary_.index_[w]] for t, w in zip(top["topic"], top["term"], strict=True)])

    assert mean_exclusivity("frex") > mean_exclusivity("prob")
    assert mean_exclusivity("relevance") > mean_exclusivity("prob")


def test_dynamic_topics_have_words_per_time_slice(storting_sample):
    model = DynamicTopicModel(k=3, breaks=(1996, 2006), iterations=20, max_units=500, seed=1).fit(storting_sample)
    assert model.slices_ == ["1996-2005", "2006-2015"]
    top = model.top_terms(5)
    assert set(top["slice"]) == {"1996-2005", "2006-2015"} and len(top) == 2 * 3 * 5
    np.testing.assert_allclose(model.doc_topics_.sum(axis=1), 1.0, atol=1e-5)


def test_topics_commands(storting_sample, tmp_path):
    from policytekst.cli import app

    runner = CliRunner()
    corpus = str(storting_sample.directory)
    saved = tmp_path / "model"
    result = runner.invoke(app, ["topics", "fit", "-c", corpus, "-k", "5", "--engine", "nmf", "--iterations", "100",
                                 "--save", str(saved), "--json", "--out", str(tmp_path / "t.csv"),
                                 "--plot", str(tmp_path / "t.png")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["topic"] for r in rows] == list(range(5))
    assert (tmp_path / "t.png").stat().st_size > 1000 and (saved / "model.json").is_file()
    assert pd.read_csv(tmp_path / "t.csv")["topic"].tolist() == list(range(5))
    result = runner.invoke(app, ["topics", "show", "-m", str(saved), "--by", "frex", "--long", "--json", "--n", "3"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 15
    result = runner.invoke(app, ["topics", "passages", "-c", corpus, "-m", str(saved), "-t", "1", "--json"])
    assert result.exit_code == 0 and all("citation" in json.loads(x) for x in result.stdout.splitlines())
    assert runner.invoke(app, ["topics", "fit", "-c", corpus, "--engine", "mallet"]).exit_code == 2
    assert runner.invoke(app, ["topics", "sweep", "-c", corpus, "--ks", "a,b"]).exit_code == 2
    assert runner.invoke(app, ["topics", "show", "-m", str(tmp_path / "none")]).exit_code == 1
    assert runner.invoke(app, ["topics", "fit", "-c", corpus, "--seed-theme", "nosuchtheme"]).exit_code == 2


def test_blas_threads_are_set_for_the_fit_and_recorded(demo_corpus, demo_units, monkeypatch, tmp_path):
    from threadpoolctl import threadpool_info

    from policytekst.errors import UsageError
    from policytekst.topics import engines

    seen: list[list[int]] = []
    original = engines.SklearnNMF.fit

    def watching(self, *args, **kwargs):  # the BLAS thread counts in force while the engine fits
        seen.append([int(i["num_threads"]) for i in threadpool_info() if i.get("user_api") == "blas"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(engines.SklearnNMF, "fit", watching)
    model = TopicModel(k=3, engine="nmf", seed=0, max_iter=100).fit_units(demo_units.passage_ids, demo_units.lemmas)
    assert model.get_params()["blas_threads"] == 1
    assert seen and all(n == 1 for n in seen[-1])
    assert all(n == 1 for n in model.info_["blas_threads"].values())
    loaded = TopicModel.load(model.save(tmp_path / "m"))
    assert loaded.blas_threads == 1
    with pytest.raises(UsageError, match="blas_threads"):
        TopicModel(k=3, engine="nmf", blas_threads=0).fit_units(demo_units.passage_ids, demo_units.lemmas)
