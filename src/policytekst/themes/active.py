"""Active learning: which unlabelled passages would teach the model most if a person labelled them.

Uncertainty sampling (probabilities closest to the decision threshold) with a diversity step: candidates
are picked greedily so that each new one is far (cosine distance over the model's features) from those
already chosen, which avoids proposing ten near-copies of the same paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.preprocessing import normalize

from policytekst.themes.classifier import ThemeClassifier


def suggest(model: ThemeClassifier, texts: Sequence[str], ids: Sequence[str], n: int = 10,
            themes: Sequence[str] | None = None, pool: int = 200, diversity: float = 0.3) -> pd.DataFrame:
    """Propose ``n`` passages to label next.

    Parameters
    ----------
    model: a fitted ThemeClassifier.
    texts, ids: the unlabelled passages and their ids.
    themes: restrict uncertainty to these themes (default: all the model's themes).
    pool: how many of the most uncertain passages the diversity step chooses from.
    diversity: 0 = pure uncertainty order, 1 = pure spread.

    Returns
    -------
    DataFrame(id, theme, probability, uncertainty, text), most useful first.
    """
    texts = list(texts)
    if not texts:
        return pd.DataFrame(columns=["id", "theme", "probability", "uncertainty", "text"])
    themes = list(themes) if themes else list(model.themes_)
    cols = [model.themes_.index(t) for t in themes]
    X, proba = model.features_and_proba(texts)
    proba = proba[:, cols]
    thresholds = model.thresholds_[cols]
    # 1 at the threshold, 0 when certain either way.
    margin = np.abs(proba - thresholds) / np.maximum(np.maximum(thresholds, 1 - thresholds), 1e-9)
    uncertainty = 1.0 - margin
    best_theme = uncertainty.argmax(axis=1)
    score = uncertainty.max(axis=1)
    order = np.argsort(-score, kind="stable")[: max(n, pool)]
    feats = normalize(X[order])
    chosen: list[int] = []
    min_dist = np.ones(len(order))
    for _ in range(min(n, len(order))):
        value = (1 - diversity) * score[order] + diversity * min_dist
        value[chosen] = -np.inf
        k = int(np.argmax(value))
        chosen.append(k)
        sims = (feats @ feats[k].T).toarray().ravel()
        min_dist = np.minimum(min_dist, 1.0 - sims)
    rows = []
    for k in chosen:
        i = order[k]
        j = best_theme[i]
        rows.append({"id": ids[i], "theme": themes[j], "probability": round(float(proba[i, j]), 3),
                     "uncertainty": round(float(score[i]), 3), "text": texts[i]})
    return pd.DataFrame(rows)
