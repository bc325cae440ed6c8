"""Every producer of per-passage scores meets the scores protocol (policytekst.scores), like scikit-learn's
estimator checks: indexed by a unique, named passage_id of strings, one float column per item, no NaN."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from policytekst.errors import UsageError
from policytekst.scores import check_scores, scores_frame


def _theme_codebook(corpus):
    from policytekst.themes import theme_scores

    return theme_scores(corpus, method="codebook")


def _theme_model(corpus):
    from policytekst.themes import theme_scores

    return theme_scores(corpus, method="model")


def _theme_model_cached(corpus):
    from policytekst.themes import theme_scores

    theme_scores(corpus, method="model")
    return theme_scores(corpus, ["kasteball", "npm"], method="model")  # read back from the corpus


def _code_passages(corpus):
    from policytekst.themes import code_passages

    return code_passages(corpus)


def _topic_model(corpus):
    from policytekst.topics import TopicModel

    return TopicModel(k=4, engine="nmf", seed=0, max_iter=100).fit(corpus).doc_topics_


def _topic_model_saved_and_loaded(corpus, tmp_path):
    from policytekst.topics import TopicModel

    model = TopicModel(k=4, engine="nmf", seed=0, max_iter=100).fit(corpus)
    return TopicModel.load(model.save(tmp_path / "topics")).doc_topics_


def _dynamic_topics(corpus):
    from policytekst.topics import DynamicTopicModel

    return DynamicTopicModel(k=3, breaks=(2000, 2006), iterations=20, seed=1).fit(corpus).doc_topics_


def _term_scores(corpus):
    from policytekst.compare import term_scores

    return term_scores(corpus, {"nav": ["nav", "nav-*"], "bruker": ["bruker*"], "kasteball": ["kasteball"]})


def _term_shares(corpus):
    from policytekst.compare import term_scores

    return term_scores(corpus, ["samordning", "nav"], binary=True)


def _query_scores(corpus):
    from policytekst.search import query_scores

    return query_scores(corpus, "brukermedvirkning OR kasteball*").to_frame()


# (producer, values are probabilities or shares in [0, 1])
PRODUCERS: dict[str, tuple[Callable, bool]] = {
    "themes.theme_scores codebook": (_theme_codebook, True),
    "themes.theme_scores model": (_theme_model, True),
    "themes.theme_scores model, from the cache": (_theme_model_cached, True),
    "themes.code_passages": (_code_passages, False),
    "topics.TopicModel.doc_topics_": (_topic_model, True),
    "topics.TopicModel.doc_topics_ after save/load": (_topic_model_saved_and_loaded, True),
    "topics.DynamicTopicModel.doc_topics_": (_dynamic_topics, True),
    "compare.term_scores counts": (_term_scores, False),
    "compare.term_scores binary": (_term_shares, True),
    "search.query_scores": (_query_scores, True),
}


@pytest.mark.parametrize("name", sorted(PRODUCERS))
def test_producer_meets_the_scores_protocol(name, demo_corpus, tmp_path):
    produce, unit = PRODUCERS[name]
    if produce is _topic_model_saved_and_loaded:
        frame = produce(demo_corpus, tmp_path)
    else:
        if produce is _dynamic_topics:
            pytest.importorskip("tomotopy", reason="dynamic topics need tomotopy")
        frame = produce(demo_corpus)
    assert check_scores(frame, what=name, unit_interval=unit) is frame
    assert len(frame) > 0 and frame.shape[1] > 0, f"{name}: an empty table proves nothing"
    # the ids are the corpus's own passages
    known = set(demo_corpus.passages_frame(kinds=None)["passage_id"])
    assert set(frame.index) <= known, f"{name}: passage ids that are not in the corpus"


# -- the checker itself: each rule is enforced -----------------------------------------------------------------
def _good() -> pd.DataFrame:
    return scores_frame([[0.1, 0.0], [1.0, 0.5]], ["d-p1", "d-p2"], ["npm", "kasteball"])


BROKEN: dict[str, tuple[Callable[[pd.DataFrame], object], str]] = {
    "not a frame": (lambda f: f["npm"], "expected a DataFrame"),
    "index unnamed": (lambda f: f.rename_axis(None), "must be named 'passage_id'"),
    "duplicate ids": (lambda f: f.set_axis(pd.Index(["d-p1", "d-p1"], name="passage_id")), "unique"),
    "int ids": (lambda f: f.set_axis(pd.Index([1, 2], name="passage_id")), "non-empty strings"),
    "empty id": (lambda f: f.set_axis(pd.Index(["d-p1", ""], name="passage_id")), "non-empty strings"),
    "duplicate columns": (lambda f: f.set_axis(["npm", "npm"], axis=1), "column labels"),
    "int column": (lambda f: f.assign(npm=[1, 0]), "floats; not float: npm"),
    "text column": (lambda f: f.assign(npm=["a", "b"]), "floats; not float: npm"),
    "NaN": (lambda f: f.assign(kasteball=[np.nan, 0.5]), "NaN or infinite values in kasteball"),
    "infinite": (lambda f: f.assign(npm=[np.inf, 0.5]), "NaN or infinite"),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_check_scores_names_the_broken_rule(broken):
    good = _good()
    assert check_scores(good, unit_interval=True) is good
    damage, message = BROKEN[broken]
    with pytest.raises(UsageError, match=message):
        check_scores(damage(good))


def test_unit_interval_is_checked_only_when_asked():
    counts = _good().assign(npm=[3.0, 0.0])
    assert check_scores(counts) is counts
    with pytest.raises(UsageError, match=r"\[0, 1\]"):
        check_scores(counts, what="theme scores", unit_interval=True)
