"""Honest metrics for theme classifiers: per-theme precision/recall/F1/support beside the codebook baseline,
and cross-validation grouped by document (no document on both sides of a split)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from policytekst.themes.classifier import ThemeClassifier, to_label_matrix
from policytekst.themes.codebook import Codebook


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
