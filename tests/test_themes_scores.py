"""theme_scores: every theme in one pass, cached in the corpus per generation, codebook/model and kinds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policytekst.errors import UnknownNameError, UsageError
from policytekst.themes import DEFAULT_THEMES, Codebook, codebook_probability, score_cache, theme_scores
from policytekst.themes.classifier import ThemeClassifier

# Invented for this test.
DOCS = {
    "reform.txt": ("Reformen\n\nReformen skulle gi brukerne én dør inn. Samlokaliseringen av etatene skulle gjøre "
                   "slutt på at folk ble sendt fram og tilbake mellom kontorene, og samordningen skulle gi et "
                   "helhetlig tilbud til alle som trenger hjelp fra flere etater på en gang.\n\nSamtidig var "
                   "målet flere i arbeid og færre på trygd. Aktivitetskravet for unge mottakere ble en del av "
                   "den samme arbeidslinja, med tett oppfølging mot jobb eller skole for hver enkelt."),
    "fisk.txt": ("Om fiske\n\nKvotene for neste år er fastsatt etter lange forhandlinger. Fiskerne i nord er "
                 "fornøyde med at kvoten ble høyere enn ventet, og flere båter planlegger å fiske lenger ut på "
                 "høsten. Prisene på fisk har vært stabile gjennom sommeren, og eksporten har økt jevnt."),
}


@pytest.fixture()
def corpus(tmp_path):
    from policytekst import Corpus

    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    opened = Corpus(tmp_path / "corpus", create=True)
    opened.ingest([folder], progress=False)
    opened.folder = folder
    yield opened
    opened.close()


@pytest.fixture()
def count_coding(monkeypatch):
    """How many passages the codebook coded (passages given to Codebook.score_matrix)."""
    calls = {"n": 0}
    original = Codebook.score_matrix

    def counting(self, word_lists):
        calls["n"] += len(word_lists)
        return original(self, word_lists)

    monkeypatch.setattr(Codebook, "score_matrix", counting)
    return calls


@pytest.fixture()
def count_predictions(monkeypatch):
    """How many texts the classifier scored (ThemeClassifier.predict_proba)."""
    calls = {"n": 0}
    original = ThemeClassifier.predict_proba

    def counting(self, texts):
        texts = list(texts)
        calls["n"] += len(texts)
        return original(self, texts)

    monkeypatch.setattr(ThemeClassifier, "predict_proba", counting)
    return calls


def test_all_themes_in_one_call_equal_the_codebook_theme_by_theme(corpus):
    scores = theme_scores(corpus, method="codebook")
    assert list(scores.columns) == list(DEFAULT_THEMES)
    assert list(scores.index) == list(corpus.passages_frame()["passage_id"]) and scores.index.name == "passage_id"
    # an independent computation: the codebook on each passage text, mapped to [0, 1]
    book = Codebook.default()
    texts = corpus.passages_frame().set_index("passage_id")["text"]
    for theme in DEFAULT_THEMES:
        expected = [float(codebook_probability(book.score(t)[theme], book.themes[theme].min_score)) for t in texts]
        np.testing.assert_allclose(scores[theme].to_numpy(), expected)
    assert scores["samordning"].max() > 0.5 > scores["samordning"].min()
    picked = theme_scores(corpus, ["kasteball", "npm"], method="codebook")
    assert list(picked.columns) == ["kasteball", "npm"]
    pd.testing.assert_frame_equal(picked, scores[["kasteball", "npm"]])


@pytest.mark.parametrize("method", ["codebook", "model"])
def test_unknown_theme_and_method_are_usage_errors(corpus, method):
    with pytest.raises(UnknownNameError, match=r"unknown theme 'kasteballl' \(known: npm, "):
        theme_scores(corpus, ["samordning", "kasteballl"], method=method)
    with pytest.raises(UsageError, match="method"):
        theme_scores(corpus, method="magic")


def test_second_call_reads_the_cache_and_equals_a_fresh_computation(corpus, count_coding):
    progress: list[tuple[int, int]] = []
    first = theme_scores(corpus, method="codebook", on_progress=lambda d, t: progress.append((d, t)))
    coded = count_coding["n"]
    n_passages = len(corpus.passages_frame())
    assert coded == n_passages  # one pass for all ten themes
    assert progress and progress[-1] == (n_passages, n_passages)
    progress.clear()
    again = theme_scores(corpus, method="codebook", on_progress=lambda d, t: progress.append((d, t)))
    assert count_coding["n"] == coded and not progress  # nothing computed, no progress to show
    pd.testing.assert_frame_equal(again, first)
    # the theme table and code_passages read the same cached coding
    from policytekst.themes import code_passages, theme_table

    theme_table(corpus, by="doc")
    code_passages(corpus)
    assert count_coding["n"] == coded
    score_cache.clear(corpus)
    fresh = theme_scores(corpus, method="codebook")
    assert count_coding["n"] == 2 * coded
    pd.testing.assert_frame_equal(fresh, first)


def test_model_scores_are_cached_without_loading_the_model(corpus, count_predictions):
    from policytekst.themes.coding import default_model

    first = theme_scores(corpus)  # the shipped model
    assert count_predictions["n"] == len(corpus.passages_frame())
    assert list(first.columns) == list(default_model().themes_)
    assert ((first >= 0) & (first <= 1)).all().all()
    default_model.cache_clear()
    again = theme_scores(corpus, ["samordning"])
    assert count_predictions["n"] == len(first)  # no second prediction pass
    assert default_model.cache_info().currsize == 0  # and the model file was not even loaded
    pd.testing.assert_frame_equal(again, first[["samordning"]])


def test_reingest_or_another_codebook_invalidates(corpus, count_coding, tmp_path):
    first = theme_scores(corpus, method="codebook")
    per_pass = count_coding["n"]
    # another codebook: computed again, with its own themes
    mine = tmp_path / "mine.yaml"
    mine.write_text("themes:\n  fiske:\n    label: Fiske\n    terms: ['fisk*', kvote]\n", encoding="utf-8")
    other = theme_scores(corpus, method="codebook", codebook=mine)
    assert list(other.columns) == ["fiske"] and other["fiske"].max() > 0.5
    assert count_coding["n"] == 2 * per_pass
    theme_scores(corpus, method="codebook", codebook=mine)
    theme_scores(corpus, method="codebook")
    assert count_coding["n"] == 2 * per_pass  # both still cached side by side
    # a re-ingest (new generation) makes every cached table stale
    generation = corpus.generation
    (corpus.folder / "fisk.txt").write_text(DOCS["fisk.txt"] + " Samordningen av kvotene skjer i én dør.",
                                            encoding="utf-8")
    corpus.ingest([corpus.folder], progress=False)
    assert corpus.generation != generation
    before = count_coding["n"]
    updated = theme_scores(corpus, method="codebook")
    assert count_coding["n"] == before + len(corpus.passages_frame())
    assert not updated.equals(first)
    # rows of the old generation (both codebooks) were dropped when the new one was stored
    rows = corpus.store.conn.execute(f"SELECT generation FROM {score_cache.TABLE}").fetchall()
    assert [tuple(r) for r in rows] == [(corpus.generation,)]
    score_cache.clear(corpus)
    pd.testing.assert_frame_equal(theme_scores(corpus, method="codebook"), updated)


def test_kinds_are_part_of_the_key(corpus, count_coding):
    analysis = theme_scores(corpus, method="codebook")
    everything = theme_scores(corpus, method="codebook", kinds=None)
    assert len(everything) >= len(analysis)
    assert set(analysis.index) <= set(everything.index)
    assert count_coding["n"] == len(analysis) + len(everything)


def test_model_fingerprint_follows_the_model(tmp_path):
    texts = ["Brukerne ble sendt fram og tilbake mellom kontorene.", "Kvotene for torsk ble høyere i år.",
             "Ingen ville ta ansvar, så hun ble en kasteball.", "Båtene fisket lenger ut på høsten."] * 3
    labels = [["kasteball"], [], ["kasteball"], []] * 3
    one = ThemeClassifier(themes=["kasteball"], char_ngrams=False, calibration=None).fit(texts, labels)
    two = ThemeClassifier(themes=["kasteball"], char_ngrams=False, calibration=None, C=0.01).fit(texts, labels)
    assert one.fingerprint() != two.fingerprint()
    saved = one.save(tmp_path / "m.joblib")
    assert ThemeClassifier.load(saved).fingerprint() == score_cache.file_fingerprint(saved)


def test_examples_rank_only_what_can_reach_the_head(demo_corpus, monkeypatch):
    """examples() skips the usability of passages whose theme score cannot reach the head; the head is exact."""
    import importlib

    examples_module = importlib.import_module("policytekst.search.examples")
    scores = theme_scores(demo_corpus, ["samordning"])["samordning"]
    frame = demo_corpus.passages_frame()
    frame = frame[frame["passage_id"].isin(scores.index)].copy()
    frame["theme_score"] = frame["passage_id"].map(scores)
    full = frame.assign(usability=[examples_module.usability(t, k) for t, k in zip(frame["text"], frame["kind"],
                                                                                    strict=True)])
    full["score"] = full["theme_score"] * full["usability"]
    full = full[full["score"] > 0].sort_values(["score", "passage_id"], ascending=[False, True])
    monkeypatch.setattr(examples_module, "USABILITY_BLOCK", 4)
    ranked = examples_module._ranked(frame, head=6)
    assert len(ranked) < len(full)  # the bound stopped early
    assert list(ranked["passage_id"].head(6)) == list(full["passage_id"].head(6))
    np.testing.assert_allclose(ranked["score"].head(6), full["score"].head(6))


def test_trends_give_expected_passages_with_intervals_and_provenance(corpus):
    """Theme trends from the model: the period's sum of probabilities (expected passages) with a document-bootstrap
    interval around it, and a line naming the model and codebook versions."""
    from policytekst.compare import trend_table
    from policytekst.themes.coding import provenance_line, theme_provenance

    scores = theme_scores(corpus, ["kasteball", "samordning"], method="model")
    table = trend_table(corpus, scores, by="language", n_boot=200, expected=True)
    plain = trend_table(corpus, scores, by="language", n_boot=200)
    assert list(plain.columns) == list(table.columns[:len(plain.columns)])
    assert {"expected", "expected_low", "expected_high"} <= set(table.columns)
    assert np.isclose(table["expected"].sum(), scores.to_numpy().sum())
    assert np.allclose(table["expected"], table["mean"] * table["n_passages"])
    multi = table[table["n_docs"] > 1]
    assert ((multi["expected_low"] <= multi["expected"] + 1e-9) & (multi["expected"] <= multi["expected_high"] + 1e-9)).all()
    info = theme_provenance("model")
    assert info["scores"] == "calibrated probabilities" and "real labelled passages" in info["trained_on"]
    assert info["model_fingerprint"] in provenance_line(info) and info["codebook_fingerprint"] in provenance_line(info)
    assert "codebook" in provenance_line(theme_provenance("codebook"))
