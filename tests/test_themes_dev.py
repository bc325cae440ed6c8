"""Theme quality on located real labels (issue 13): labels/themes, text read from ../shared.

labels/themes/pool.jsonl holds ids, locations and hashes only (Storting question ids, seed file character offsets);
the readings (first_*.jsonl, adjudicated.jsonl) hold labels made by reading, to ../shared/THEMES_GUIDE.md. The text
is read from ../shared at test time and checked against the hashes. The held-out part (fixed by a hash of the
document, before any tuning) is never used for a choice; the shipped model was trained on the other part.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED, requires_shared

LABELS = Path(__file__).resolve().parents[1] / "labels" / "themes"
MAIN = ["npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja"]
requires_labels = pytest.mark.skipif(not any(LABELS.glob("first_*.jsonl")),
                                     reason=f"no theme readings in {LABELS} (first_*.jsonl)")


@pytest.fixture(scope="module")
def gold():
    from policytekst.themes.gold import load_gold

    return load_gold(LABELS, SHARED)


@requires_shared
@requires_labels
def test_gold_labels_resolve_and_split_by_document(gold):
    train, heldout = gold.split()
    assert len(gold) >= 1200 and len(heldout) >= 250
    assert not set(train.groups) & set(heldout.groups)  # no document on both sides
    share = heldout.genres.count("storting") / gold.genres.count("storting")
    assert 0.2 < share < 0.3
    assert set(heldout.genre("seed").groups) == {f"seed:{f}" for f in
                                                  ("000_12aee47c7c09aa9e.txt", "002_1abfec940562e652.txt")}
    for theme in MAIN:
        assert sum(theme in row for row in heldout.labels) >= 3, theme
    assert all(t.strip() and "  " not in t for t in gold.texts)


def _table(gold, part: str = "all"):
    from policytekst.themes import default_model
    from policytekst.themes.evaluate import evaluate

    heldout = gold.split()[1]
    if part != "all":
        heldout = heldout.genre(part)
    return evaluate(default_model(), heldout.texts, heldout.labels, MAIN).set_index("theme")


@requires_shared
@requires_labels
def test_default_model_beats_codebook_on_heldout_real_passages(gold):
    table = _table(gold)
    print("\n" + table.to_string())
    assert table.loc["macro", "f1"] > table.loc["macro", "codebook_f1"], table
    assert table.loc["macro", "f1"] >= 0.5, table


@requires_shared
@requires_labels
@pytest.mark.xfail(strict=True, reason="issue 13 quality bars (macro-F1 >= 0.80, every theme >= 0.70) not met yet "
                                       "on the held-out real passages: see labels/themes/evaluation.md")
def test_default_model_meets_issue_13_bars_on_heldout(gold):
    table = _table(gold)
    assert table.loc["macro", "f1"] >= 0.80 and (table.loc[MAIN, "f1"] >= 0.70).all(), table



@requires_shared
@requires_labels
def test_default_model_keeps_themes_in_longer_passages(gold):
    """Held-out Storting questions joined two by two (about 130 words, labels united): a model fitted on short
    units alone loses themes there (its probabilities fall with length: recall 0.32, expected passages 0.60 of
    the single questions' ratio); trained with joined pairs too (``join_short``) it keeps them, so expected counts
    stay comparable between corpora of short and long passages."""
    from policytekst.themes import default_model
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.training import joined_pairs

    model = default_model()
    questions = gold.split()[1].genre("storting")
    cols = [model.themes_.index(t) for t in MAIN]
    y = to_label_matrix(questions.labels, MAIN)
    texts, y_pairs = joined_pairs(questions.texts, y, max_words=10**9, seed=0)
    single = model.predict_proba(questions.texts)[:, cols]
    pairs = model.predict_proba(texts)[:, cols]
    recall = ((pairs >= model.thresholds_[cols]) & (y_pairs == 1)).sum() / y_pairs.sum()
    kept = (pairs.sum() / y_pairs.sum()) / (single.sum() / y.sum())
    assert recall >= 0.45 and kept >= 0.7, (recall, kept)

@requires_shared
@requires_labels
def test_codebook_baseline_is_a_real_baseline(gold):
    """The codebook alone already finds nearly half of the positives, and half of what it finds is right, so
    beating it means something (the later label rounds added keyword-free positives, found by the model's
    ranking and at random, which a keyword list misses by design)."""
    from policytekst.themes import Codebook
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.evaluate import codebook_predictions, metrics_table

    heldout = gold.split()[1]
    y = to_label_matrix(heldout.labels, MAIN)
    table = metrics_table(y, codebook_predictions(heldout.texts, Codebook.default(), MAIN), MAIN).set_index("theme")
    assert table.loc["macro", "recall"] >= 0.4 and table.loc["macro", "precision"] >= 0.4, table
    assert np.isfinite(table.loc["macro", "f1"])


@requires_shared
@requires_labels
def test_evaluate_cli_cross_genre_and_grouped_cv_refit_the_models_recipe(gold, tmp_path):
    """`themes evaluate --train-genre` and `--cv` refit the model's recipe (fit_tuned, team passages) rather than
    scoring the model, and say so; the cross-genre table is the one the package's refit gives. (The shipped
    recipe with one tuning cross-validation instead of three, to keep the test short.)"""
    import json

    from typer.testing import CliRunner

    from policytekst.cli import app
    from policytekst.themes import default_model
    from policytekst.themes.evaluate import evaluate, recipe_of, refit

    model = default_model().set_params(tuning_repeats=1)
    model.save(tmp_path / "model.joblib", **model.meta_)
    runner = CliRunner()
    base = ["themes", "evaluate", "--gold", str(LABELS), "--shared", str(SHARED), "--bootstrap", "0", "--json",
            "--model", str(tmp_path / "model.joblib")]
    result = runner.invoke(app, [*base, "--train-genre", "seed"])
    assert result.exit_code == 0, result.output
    assert "refitted on 806 seed passages" in result.stderr and "team passages" in result.stderr
    rows = {r["theme"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(rows) == {*MAIN, "macro"} and rows["macro"]["support"] == sum(rows[t]["support"] for t in MAIN)
    seeds, others = gold.genre("seed"), gold.genre("storting")
    direct = evaluate(refit(model, seeds.texts, seeds.labels, seeds.groups, *recipe_of(model)), others.texts,
                      others.labels, MAIN).set_index("theme")
    assert abs(rows["macro"]["f1"] - direct.loc["macro", "f1"]) < 1e-3

    result = runner.invoke(app, [*base, "--part", "heldout", "--cv", "3"])
    assert result.exit_code == 0, result.output
    assert "refitted in each fold (fit_tuned" in result.stderr
    cv = {r["theme"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert 0.2 < cv["macro"]["f1"] < 0.9  # a real score of refitted models, not the shipped model's
    for wrong in (["--train-genre", "nope"], ["--train-genre", "seed", "--cv", "3"],
                  ["--train-genre", "seed", "--genre", "storting"]):
        result = runner.invoke(app, [*base, *wrong])
        assert result.exit_code == 2 and "error" in result.output.lower(), (wrong, result.output)
