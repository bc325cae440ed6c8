"""Honest metrics for theme classifiers: per-theme precision/recall/F1/support beside the codebook baseline,
cross-validation grouped by document (no document on both sides of a split), and refitting a model's own recipe
on other passages (for grouped CV and cross-genre tables)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from policytekst.themes.classifier import ThemeClassifier, to_label_matrix
from policytekst.themes.codebook import Codebook
from policytekst.themes.training import LabelledSet, default_training_passages


def codebook_predictions(texts: Sequence[str], codebook: Codebook, themes: Sequence[str]) -> np.ndarray:
    """The codebook's own yes/no coding (weighted hits >= min_score) as a 0/1 matrix."""
    out = np.zeros((len(texts), len(themes)), dtype=np.int8)
    for i, text in enumerate(texts):
        scores = codebook.score(text)
        for j, theme in enumerate(themes):
            if theme in codebook.themes and scores[theme] >= codebook.themes[theme].min_score:
                out[i, j] = 1
    return out


def metrics_table(y_true: np.ndarray, y_pred: np.ndarray, themes: Sequence[str],
                  baseline: np.ndarray | None = None) -> pd.DataFrame:
    """Per-theme precision, recall, F1 and support (+ the baseline's F1), and a macro-average row."""
    def per_theme(pred: np.ndarray) -> list[tuple[float, float, float]]:
        # One binary problem per column (a single-column matrix would otherwise be read as two classes).
        return [precision_recall_fscore_support(y_true[:, j], pred[:, j], average="binary",
                                                zero_division=0)[:3] for j in range(len(themes))]

    scores = per_theme(np.asarray(y_pred))
    table = pd.DataFrame({"theme": list(themes), "precision": [x[0] for x in scores],
                          "recall": [x[1] for x in scores], "f1": [x[2] for x in scores],
                          "support": np.asarray(y_true).sum(axis=0).astype(int)})
    if baseline is not None:
        table["codebook_f1"] = [x[2] for x in per_theme(np.asarray(baseline))]
    macro = {"theme": "macro", "precision": table["precision"].mean(), "recall": table["recall"].mean(),
             "f1": table["f1"].mean(), "support": int(table["support"].sum())}
    if baseline is not None:
        macro["codebook_f1"] = table["codebook_f1"].mean()
    table = pd.concat([table, pd.DataFrame([macro])], ignore_index=True)
    return table.round({"precision": 3, "recall": 3, "f1": 3, "codebook_f1": 3})


def evaluate(model: ThemeClassifier, texts: Sequence[str], labels: Sequence[Sequence[str]],
             themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Score a fitted model on labelled texts, with the model's own codebook as the baseline."""
    themes = list(themes) if themes is not None else list(model.themes_)
    y = to_label_matrix(labels, themes)
    proba = model.predict_proba(list(texts))
    cols = [model.themes_.index(t) for t in themes]
    pred = (proba[:, cols] >= model.thresholds_[cols]).astype(np.int8)
    base = codebook_predictions(texts, model.codebook_, themes)
    return metrics_table(y, pred, themes, base)


def cross_validate_grouped(model: ThemeClassifier, texts: Sequence[str], labels: Sequence[Sequence[str]],
                           groups: Sequence[str], themes: Sequence[str], n_splits: int = 5
                           ) -> pd.DataFrame:
    """Out-of-fold metrics with folds grouped by document, so passages of one document never leak."""
    texts = list(texts)
    y = to_label_matrix(labels, themes)
    groups = np.asarray(groups)
    n_splits = max(2, min(n_splits, len(set(groups))))
    pred = np.zeros_like(y)
    for train, test in GroupKFold(n_splits=n_splits).split(texts, y, groups):
        fold = clone(model).set_params(themes=list(themes))
        fold.fit([texts[i] for i in train], y[train])
        pred[test] = fold.predict([texts[i] for i in test])
    base = codebook_predictions(texts, model._book(), themes)
    return metrics_table(y, pred, themes, base)


def recipe_of(model: ThemeClassifier) -> tuple[bool, LabelledSet | None]:
    """How ``model`` was fitted, so it can be fitted again on other passages: whether by ``fit_tuned`` (it has a
    calibration), and the extra passages it was trained with (the shipped model's hand-written ones)."""
    tuned = getattr(model, "platt_", None) is not None
    extra = default_training_passages() if getattr(model, "meta_", {}).get("n_team") else None
    return tuned, extra


def refit(model: ThemeClassifier, texts: Sequence[str], labels: Sequence[Sequence[str]], groups: Sequence[str],
          tuned: bool, extra: LabelledSet | None = None) -> ThemeClassifier:
    """A fresh copy of ``model``'s recipe fitted on these passages: by ``fit_tuned`` when ``tuned`` (calibration,
    thresholds and codebook weights chosen by grouped CV inside these passages alone), else by ``fit``. ``extra``
    passages join the training data and are never scored."""
    themes = list(getattr(model, "themes_", None) or model.themes or model._book().names)
    fresh = clone(model).set_params(themes=themes)
    extra = extra or LabelledSet()
    if tuned and len(set(groups)) >= 2:
        return fresh.fit_tuned(list(texts), list(labels), list(groups), extra_texts=extra.texts,
                               extra_y=to_label_matrix(extra.labels, themes))
    return fresh.fit(list(texts) + extra.texts, [*labels, *extra.labels])


def grouped_cv_proba(model: ThemeClassifier, texts: Sequence[str], labels: Sequence[Sequence[str]],
                     groups: Sequence[str], n_splits: int = 5, tuned: bool = True,
                     extra: LabelledSet | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and predictions of ``model``'s recipe, refitted (see :func:`refit`) in folds
    grouped by document; each fold predicts with its own thresholds. Columns follow the refitted models'
    ``themes_``."""
    texts, labels, groups = list(texts), list(labels), np.asarray(groups)
    n_splits = max(2, min(n_splits, len(set(groups.tolist()))))
    proba = pred = None
    for train, test in GroupKFold(n_splits=n_splits).split(texts, groups=groups):
        fold = refit(model, [texts[i] for i in train], [labels[i] for i in train], groups[train].tolist(),
                     tuned, extra)
        p = fold.predict_proba([texts[i] for i in test])
        if proba is None:
            proba, pred = np.zeros((len(texts), p.shape[1])), np.zeros((len(texts), p.shape[1]), dtype=np.int8)
        proba[test] = p
        pred[test] = p >= fold.thresholds_
    return proba, pred


def _prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float((y & pred).sum())
    fp = float(((1 - y) & pred).sum())
    fn = float((y & (1 - pred)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bootstrap_table(y_true: np.ndarray, y_pred: np.ndarray, themes: Sequence[str],
                    baseline: np.ndarray | None = None, n_boot: int = 1000, seed: int = 0,
                    groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Per-theme precision, recall, F1 with bootstrap 95% intervals (and the baseline's F1 with its interval).

    Resampling is by passage, or by ``groups`` (documents) when given: whole documents in or out, which is the
    honest interval when passages of one document are alike. The macro row's interval resamples the same draws.
    """
    y = np.asarray(y_true).astype(np.int8)
    pred = np.asarray(y_pred).astype(np.int8)
    base = None if baseline is None else np.asarray(baseline).astype(np.int8)
    rng = np.random.default_rng(seed)
    if groups is not None:
        codes, inverse = np.unique(np.asarray(groups), return_inverse=True)
        members = [np.flatnonzero(inverse == g) for g in range(len(codes))]
    n = len(y)
    k = len(themes)
    boot = np.zeros((n_boot, k))
    boot_base = np.zeros((n_boot, k))
    for b in range(n_boot):
        if groups is not None:
            picked = rng.integers(0, len(members), len(members))
            idx = np.concatenate([members[g] for g in picked])
        else:
            idx = rng.integers(0, n, n)
        for j in range(k):
            boot[b, j] = _prf(y[idx, j], pred[idx, j])[2]
            if base is not None:
                boot_base[b, j] = _prf(y[idx, j], base[idx, j])[2]
    rows = []
    for j, theme in enumerate(themes):
        p, r, f = _prf(y[:, j], pred[:, j])
        row = {"theme": theme, "precision": p, "recall": r, "f1": f,
               "f1_lo": np.percentile(boot[:, j], 2.5), "f1_hi": np.percentile(boot[:, j], 97.5),
               "support": int(y[:, j].sum())}
        if base is not None:
            row["codebook_f1"] = _prf(y[:, j], base[:, j])[2]
            row["codebook_lo"] = np.percentile(boot_base[:, j], 2.5)
            row["codebook_hi"] = np.percentile(boot_base[:, j], 97.5)
        rows.append(row)
    table = pd.DataFrame(rows)
    macro = {"theme": "macro", "precision": table["precision"].mean(), "recall": table["recall"].mean(),
             "f1": table["f1"].mean(), "f1_lo": np.percentile(boot.mean(axis=1), 2.5),
             "f1_hi": np.percentile(boot.mean(axis=1), 97.5), "support": int(table["support"].sum())}
    if base is not None:
        macro["codebook_f1"] = table["codebook_f1"].mean()
        macro["codebook_lo"] = np.percentile(boot_base.mean(axis=1), 2.5)
        macro["codebook_hi"] = np.percentile(boot_base.mean(axis=1), 97.5)
    table = pd.concat([table, pd.DataFrame([macro])], ignore_index=True)
    return table.round(3)


def brier_scores(y_true: np.ndarray, proba: np.ndarray, themes: Sequence[str]) -> pd.DataFrame:
    """Brier score per theme (mean squared error of the probability; 0 is perfect) beside the base rate's."""
    y = np.asarray(y_true, dtype=float)
    rows = [{"theme": t, "brier": float(np.mean((proba[:, j] - y[:, j]) ** 2)),
             "brier_base_rate": float(np.mean((y[:, j].mean() - y[:, j]) ** 2)),
             "mean_probability": float(proba[:, j].mean()), "observed_rate": float(y[:, j].mean())}
            for j, t in enumerate(themes)]
    return pd.DataFrame(rows).round(4)


def reliability_table(y_true: np.ndarray, proba: np.ndarray, bins: Sequence[float] = (0, .1, .2, .3, .4, .5, .6,
                                                                                   .7, .8, .9, 1.0001)
                      ) -> pd.DataFrame:
    """Reliability (calibration) table over all themes' probabilities pooled: per probability bin, how many
    passage-theme pairs, their mean predicted probability and the observed share of positives."""
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    edges = np.asarray(bins)
    which = np.clip(np.digitize(p, edges) - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        m = which == b
        if m.any():
            rows.append({"bin": f"{edges[b]:.1f}-{min(edges[b + 1], 1):.1f}", "n": int(m.sum()),
                         "mean_predicted": float(p[m].mean()), "observed": float(y[m].mean())})
    return pd.DataFrame(rows).round(3)

