"""Located labels, the lemma space, calibration and honest metrics (no real data needed: small invented inputs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from policytekst.themes.gold import GoldDataError, is_heldout, load_gold, read_readings, sha12


def _shared(tmp_path, question: str = "Hvordan vil statsråden sikre at brukerne ikke blir kasteballer?"):
    import pandas as pd

    shared = tmp_path / "shared"
    (shared / "data/storting_questions").mkdir(parents=True)
    (shared / "corpus/seeds").mkdir(parents=True)
    pd.DataFrame({"docId": [11, 11, 12], "question": [question, "a later row for the same id", "Annet spørsmål."]}
                 ).to_csv(shared / "data/storting_questions/storting_questions_1996_2015.csv.gz", index=False)
    seed = "Tittel\n\nNav-reformen  samlet\netatene i ett kontor. Slutt."
    (shared / "corpus/seeds/s.txt").write_text(seed, encoding="utf-8")
    return shared, question, seed


def _labels(tmp_path, question: str, seed: str, start: int = 8, end: int = 50):
    labels = tmp_path / "labels"
    labels.mkdir()
    pool = [{"id": "p0", "source": "storting", "doc": "11", "start": 0, "end": len(question), "sha1": sha12(question)},
            {"id": "p1", "source": "seed", "doc": "s.txt", "start": start, "end": end, "sha1": sha12(seed[start:end])}]
    (labels / "pool.jsonl").write_text("".join(json.dumps(r) + "\n" for r in pool), encoding="utf-8")
    (labels / "first_A.jsonl").write_text(json.dumps({"id": "p0", "labels": ["kasteball"], "note": ""}) + "\n"
                                          + json.dumps({"id": "p1", "labels": [], "note": ""}) + "\n")
    return labels


def test_gold_resolves_text_checks_hashes_and_prefers_adjudication(tmp_path):
    shared, question, seed = _shared(tmp_path)
    labels = _labels(tmp_path, question, seed)
    (labels / "adjudicated.jsonl").write_text(json.dumps({"id": "p1", "labels": ["samordning"], "reason": "x"}))
    gold = load_gold(labels, shared)
    assert gold.ids == ["p0", "p1"] and gold.genres == ["storting", "seed"]
    assert gold.texts[0] == question  # the first row with that id
    assert gold.texts[1] == "Nav-reformen samlet etatene i ett kontor."  # white space normalised
    assert gold.labels == [["kasteball"], ["samordning"]] and gold.groups == ["storting:11", "seed:s.txt"]
    # the shared text changed since labelling: one clear error naming the file and the unit
    (shared / "corpus/seeds/s.txt").write_text(seed.replace("samlet", "slo sammen"), encoding="utf-8")
    with pytest.raises(GoldDataError, match=r"s\.txt, characters 8-50 \(p1\).*changed"):
        load_gold(labels, shared)


def test_readings_tolerate_a_torn_last_line_and_read_none_as_empty(tmp_path):
    path = tmp_path / "first_A.jsonl"
    path.write_text(json.dumps({"id": "a", "labels": ["none"]}) + "\n" + '{"id": "b", "lab')
    assert read_readings([path]) == {"a": []}


def test_heldout_is_fixed_by_document_alone():
    ids = [str(10_000 + i) for i in range(2000)]
    share = np.mean([is_heldout("storting", d) for d in ids])
    assert 0.2 < share < 0.3
    assert [is_heldout("storting", d) for d in ids] == [is_heldout("storting", d) for d in ids]
    assert is_heldout("seed", "000_12aee47c7c09aa9e.txt") and not is_heldout("seed", "001_a679c81c5d45d808.txt")


def test_lemma_space_fit_transform_save_load(tmp_path):
    from policytekst.themes.embedding import LemmaSpace

    rng = np.random.default_rng(0)
    a, b = ["nav", "kontor", "samordning", "etat"], ["anbud", "marked", "konkurranse", "pris"]
    docs = [" ".join(rng.choice(a if i % 2 else b, 12)) for i in range(60)]
    space = LemmaSpace.fit(docs, dim=2, min_df=1)
    vectors = space.transform(["nav kontor etat", "anbud marked", "ukjent"])
    assert vectors.shape == (3, 2)
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1) and not vectors[2].any()
    assert vectors[0] @ space.transform(["samordning etat"])[0] > vectors[0] @ vectors[1]
    path = space.save(tmp_path / "space.npz")
    again = LemmaSpace.load(path)
    assert np.allclose(again.transform(["nav kontor etat"]), vectors[:1], atol=1e-2)


def test_ngram_buckets_match_gensim():
    from gensim.models.fasttext import ft_ngram_hashes

    from policytekst.themes.embedding import ngram_buckets

    for word in ["samhandlingsreformen", "brukarmedverknad", "føretaksmodellen", "Ålesund", "æøå", "x", "é"]:
        assert ngram_buckets(word, 3, 5, 20_000) == ft_ngram_hashes(word, 3, 5, 20_000)
        assert ngram_buckets(word, 1, 6, 997) == ft_ngram_hashes(word, 1, 6, 997)


def test_fasttext_space_is_deterministic_and_gives_unseen_lemmas_a_vector(tmp_path):
    from policytekst.themes.embedding import LemmaSpace

    rng = np.random.default_rng(0)
    a = ["samordning", "samhandling", "koordinator", "etat", "kontor"]
    b = ["anbud", "konkurranse", "marked", "pris", "leverandør"]
    docs = [" ".join(rng.choice(a if i % 2 else b, 10)) for i in range(120)]
    space = LemmaSpace.fit_fasttext(docs, dim=8, min_count=2, epochs=5, buckets=2_000, seed=3)
    again = LemmaSpace.fit_fasttext(docs, dim=8, min_count=2, epochs=5, buckets=2_000, seed=3)
    assert np.array_equal(space.components, again.components) and np.array_equal(space.ngrams, again.ngrams)
    # an unseen compound still gets a vector, from its character n-grams
    unseen = space.transform(["samhandlingskoordinatoren"])
    assert "samhandlingskoordinatoren" not in space.index and np.isclose(np.linalg.norm(unseen), 1)
    assert not space.transform(["123"]).any()
    path = space.save(tmp_path / "vectors.npz")
    loaded = LemmaSpace.load(path)
    assert loaded.ngrams is not None and (loaded.min_n, loaded.max_n) == (3, 5)
    assert np.allclose(loaded.transform(["samordning etat", "samhandlingskoordinatoren"]),
                       space.transform(["samordning etat", "samhandlingskoordinatoren"]), atol=1e-2)


def test_fit_tuned_calibrates_and_chooses_thresholds_by_grouped_cv():
    from policytekst.themes.classifier import ThemeClassifier

    rng = np.random.default_rng(1)
    on, off = ["brukerne", "sendes", "mellom", "etatene"], ["møtet", "holdt", "kantinen", "kaffe"]
    texts, labels, groups = [], [], []
    for i in range(80):
        pos = i % 3 == 0
        words = list(rng.choice(on if pos else off, 8)) + list(rng.choice(on + off, 2))
        texts.append(" ".join(words))
        labels.append(["x"] if pos else [])
        groups.append(f"d{i // 2}")
    model = ThemeClassifier(themes=["x"], codebook_features=False, calibration=None, char_ngrams=False)
    model.fit_tuned(texts, labels, groups, n_splits=4)
    assert model.platt_.shape == (1, 2) and tuple(model.platt_[0]) != (1.0, 0.0)
    assert 0.1 < model.thresholds_[0] < 0.9
    proba = model.predict_proba(texts)[:, 0]
    assert proba[[i for i in range(80) if i % 3 == 0]].mean() > 0.7 > proba[[i for i in range(80) if i % 3]].mean()


def test_tuning_repeats_average_the_out_of_fold_probabilities_of_several_splits():
    """The first cross-validation keeps the documents' order (one repeat is the plain one); each further one is
    a shuffled split of its own, and the tuning sees their mean; the same seed gives the same result."""
    from sklearn.model_selection import GroupKFold

    from policytekst.themes.classifier import ThemeClassifier, out_of_fold_proba

    rng = np.random.default_rng(4)
    on, off = ["brukerne", "sendes", "mellom", "etatene"], ["møtet", "holdt", "kantinen", "kaffe"]
    texts = [" ".join(rng.choice(on if i % 3 == 0 else off, 6)) + " " + " ".join(rng.choice(on + off, 3))
             for i in range(60)]
    y = np.array([[int(i % 3 == 0)] for i in range(60)])
    groups = [f"d{i // 3}" for i in range(60)]
    model = ThemeClassifier(themes=["x"], codebook_features=False, calibration=None, char_ngrams=False)
    one = out_of_fold_proba(model, texts, y, groups, n_splits=4)
    two = out_of_fold_proba(model, texts, y, groups, n_splits=4, repeats=2, seed=7)
    shuffled = np.zeros(y.shape)
    for train, test in GroupKFold(n_splits=4, shuffle=True, random_state=8).split(texts, y, groups):
        fold = ThemeClassifier(themes=["x"], codebook_features=False, calibration=None, char_ngrams=False)
        shuffled[test] = fold.fit([texts[i] for i in train], y[train]).predict_proba([texts[i] for i in test])
    assert np.allclose(two, (one + shuffled) / 2) and not np.allclose(one, shuffled)
    assert np.array_equal(two, out_of_fold_proba(model, texts, y, groups, n_splits=4, repeats=2, seed=7))
    tuned = ThemeClassifier(themes=["x"], codebook_features=False, calibration=None, char_ngrams=False,
                            tuning_repeats=2).fit_tuned(texts, [["x"] if t else [] for t in y[:, 0]], groups, n_splits=4)
    assert 0.1 < tuned.thresholds_[0] < 0.9


def test_fit_tuned_chooses_each_themes_codebook_weight_by_grouped_cv(monkeypatch):
    """Where the learned probability is noise out of fold and the keyword a sure sign, the theme leans on the
    codebook; a theme the codebook lacks is never mixed with it."""
    from policytekst.themes import classifier
    from policytekst.themes.classifier import ThemeClassifier, _platt

    book = {"themes": {"x": {"terms": ["køordning"], "min_score": 1.0}}}
    rng = np.random.default_rng(2)
    filler = ["møtet", "holdt", "kantinen", "kaffe", "rapport", "plan", "dag", "uke"]
    texts, labels, groups = [], [], []
    for i in range(120):
        x, y = i % 4 == 0, i % 5 == 0
        texts.append(" ".join(list(rng.choice(filler, 10)) + (["køordning"] if x else []) + (["sykkel"] if y else [])))
        labels.append([t for t, on in (("x", x), ("y", y)) if on])
        groups.append(f"d{i // 3}")
    # a learned model that generalises badly: its out-of-fold probabilities are noise
    monkeypatch.setattr(classifier, "out_of_fold_proba", lambda model, texts, y, *a, **k: rng.random(y.shape))
    model = ThemeClassifier(themes=["x", "y"], codebook=book, calibration=None, char_ngrams=False,
                            codebook_weight=0.0)
    model.fit_tuned(texts, labels, groups, n_splits=4, codebook_weights=(0.0, 0.5, 0.9))
    assert model.codebook_weights_[0] in (0.5, 0.9) and model.codebook_weights_[1] == 0.0
    assert (model.predict(texts)[:, 0] == [i % 4 == 0 for i in range(120)]).all()
    # "y" is not in the codebook: its probability is the learned one alone (then calibrated)
    learned = model.estimators_[1].predict_proba(model.transform(texts))[:, 1]
    assert np.allclose(model.predict_proba(texts)[:, 1], _platt(learned, model.platt_[1]))
    fixed = ThemeClassifier(themes=["x", "y"], codebook=book, calibration=None, char_ngrams=False,
                            codebook_weight=0.2).fit_tuned(texts, labels, groups, n_splits=4, codebook_weights=None)
    assert np.allclose(fixed.codebook_weights_, [0.2, 0.0])  # "y" has no keywords to mix in


def test_sentence_features_separate_a_passing_mention():
    from policytekst.themes.classifier import ThemeClassifier

    model = ThemeClassifier(sentence_features=True)
    texts = ["Brukerne blir kasteballer. De sendes mellom Nav og kommunen. Ingen tar ansvar for dem.",
             "Rapporten handler om budsjett. Den nevner kasteball i en liste. Resten er tall."]
    _, _, sent, _ = model._analyse(texts)
    j = model._book().names.index("kasteball")
    k = len(model._book().names)
    assert sent[0, j] > sent[1, j] or sent[0, k + j] > sent[1, k + j]
    assert sent[0, 2 * k + j] == 1.0 and sent[1, 2 * k + j] == 0.0


def test_bootstrap_brier_and_reliability_tables():
    from policytekst.themes.evaluate import bootstrap_table, brier_scores, reliability_table

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (200, 2))
    pred = y.copy()
    pred[:20, 0] = 1 - pred[:20, 0]
    table = bootstrap_table(y, pred, ["a", "b"], baseline=1 - y, n_boot=200).set_index("theme")
    assert table.loc["b", "f1"] == 1.0 and table.loc["a", "f1_lo"] <= table.loc["a", "f1"] <= table.loc["a", "f1_hi"]
    assert table.loc["a", "f1_hi"] - table.loc["a", "f1_lo"] > 0.01 and table.loc["a", "codebook_f1"] == 0.0
    proba = (y * 0.7 + 0.15).astype(float)
    brier = brier_scores(y, proba, ["a", "b"]).set_index("theme")
    assert np.isclose(brier.loc["a", "brier"], 0.0225) and brier.loc["a", "brier_base_rate"] > 0.2
    rel = reliability_table(y, proba)
    assert rel["n"].sum() == 400 and set(rel["bin"]) == {"0.1-0.2", "0.8-0.9"}
    assert rel.set_index("bin").loc["0.8-0.9", "observed"] == 1.0


def test_refit_and_grouped_cv_follow_the_models_recipe():
    """A tuned model is refitted by fit_tuned (its folds predict with their own thresholds); a plain one by fit;
    extra passages are trained on and never scored."""
    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.evaluate import grouped_cv_proba, recipe_of, refit
    from policytekst.themes.training import LabelledSet

    rng = np.random.default_rng(3)
    on, off = ["brukerne", "sendes", "mellom", "etatene"], ["møtet", "holdt", "kantinen", "kaffe"]
    texts, labels, groups = [], [], []
    for i in range(90):
        pos = i % 3 == 0
        texts.append(" ".join(list(rng.choice(on if pos else off, 8)) + list(rng.choice(on + off, 2))))
        labels.append(["x"] if pos else [])
        groups.append(f"d{i // 3}")
    plain = ThemeClassifier(themes=["x"], codebook_features=False, calibration=None, char_ngrams=False)
    plain.fit(texts, labels)
    tuned = ThemeClassifier(themes=["x"], codebook_features=False, calibration=None, char_ngrams=False)
    tuned.fit_tuned(texts, labels, groups, n_splits=3)
    assert recipe_of(plain) == (False, None) and recipe_of(tuned)[0] is True
    assert not hasattr(refit(plain, texts, labels, groups, tuned=False), "platt_")
    assert hasattr(refit(tuned, texts, labels, groups, tuned=True), "platt_")
    extra = LabelledSet()
    extra.add("etatene sendes mellom brukerne", ["x"], "team", "t1")
    assert refit(plain, texts, labels, groups, tuned=False, extra=extra).n_train_ == len(texts) + 1
    proba, pred = grouped_cv_proba(tuned, texts, labels, groups, n_splits=3, tuned=True, extra=extra)
    assert proba.shape == pred.shape == (90, 1)
    assert (pred[:, 0] == [i % 3 == 0 for i in range(90)]).mean() > 0.9
