"""A multi-label theme classifier over passages (scikit-learn estimator API).

Features, all computed from one pass over each text:

- TF-IDF of lemma unigrams and bigrams (what the passage talks about, beyond the codebook's words);
- TF-IDF of character 3-5-grams inside words (compounds and inflections: "samlokaliseringen",
  "brukarmedverknad", "arbeidsretta");
- the codebook's weighted hit counts per theme, on a log scale and relative to passage length, so the model
  can learn how much to trust a keyword hit and tell a passing mention from a passage about the theme.

One logistic regression per theme (class-balanced), optionally calibrated with a sigmoid fitted by
cross-validation, and a per-theme decision threshold. ``cross_validate_grouped`` scores it with folds grouped
by document, so no document is ever on both sides of a split.

Examples
--------
>>> model = ThemeClassifier(themes=["kasteball"]).fit(texts, labels)    # doctest: +SKIP
>>> model.predict_proba(["Brukerne ble sendt rundt omkring."])          # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from policytekst.themes.codebook import Codebook, _lemma, words_of

MODEL_FORMAT = 1


def _split_words(text: str) -> list[str]:
    """Analyzer for pre-lemmatised text: lemmas are joined by single spaces (module level so it pickles)."""
    return text.split()


def to_label_matrix(labels: Iterable[Sequence[str]], themes: Sequence[str]) -> np.ndarray:
    """Label lists (["npm", "kasteball"], ...) as a 0/1 matrix with one column per theme."""
    index = {t: i for i, t in enumerate(themes)}
    rows = list(labels)
    matrix = np.zeros((len(rows), len(themes)), dtype=np.int8)
    for r, row in enumerate(rows):
        for label in row:
            if label in index:
                matrix[r, index[label]] = 1
    return matrix


class ThemeClassifier(BaseEstimator, ClassifierMixin):
    """Multi-label theme classifier.

    Parameters
    ----------
    themes:
        Theme names (columns). ``None`` takes the codebook's themes.
    codebook:
        A :class:`Codebook` (or a dict as produced by ``Codebook.to_dict``) whose hits are features;
        ``None`` uses the default codebook. It is stored inside the fitted model, so a saved model needs
        nothing else to predict.
    C:
        Inverse regularisation strength of the logistic regressions.
    char_ngrams:
        Add character 3-5-gram features (robust to compounds and spelling variants).
    codebook_features:
        Add codebook hit features.
    calibration:
        ``"sigmoid"`` fits Platt scaling by internal cross-validation; ``None`` keeps the logistic
        regression's own probabilities.
    threshold:
        Default probability a theme needs to be predicted (per-theme values can be set in ``thresholds_``).
    max_char_features:
        Vocabulary cap for character n-grams (keeps the model small and prediction fast).
    seed:
        Random seed (cross-validation folds inside calibration).
    """

    def __init__(self, themes: Sequence[str] | None = None, codebook: Codebook | dict | None = None,
                 C: float = 4.0, char_ngrams: bool = True, codebook_features: bool = True,
                 calibration: str | None = "sigmoid", threshold: float = 0.5,
                 max_char_features: int = 40_000, seed: int = 0) -> None:
        self.themes = themes
        self.codebook = codebook
        self.C = C
        self.char_ngrams = char_ngrams
        self.codebook_features = codebook_features
        self.calibration = calibration
        self.threshold = threshold
        self.max_char_features = max_char_features
        self.seed = seed

    # -- features ----------------------------------------------------------------------------------------
    def _book(self) -> Codebook:
        if isinstance(self.codebook, Codebook):
            return self.codebook
        if isinstance(self.codebook, dict):
            return Codebook.from_dict(self.codebook, source="model")
        return Codebook.default()

    def _analyse(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Lemma strings and codebook features for each text (one tokenisation per text)."""
        book = self.codebook_ if hasattr(self, "codebook_") else self._book()
        names = book.names
        lemma_strings: list[str] = []
        feats = np.zeros((len(texts), 2 * len(names) + 1), dtype=np.float64)
        for i, text in enumerate(texts):
            words = words_of(text)
            n_words = len(words)
            lemma_strings.append(" ".join(_lemma(w) for w in words if not w.isdigit()))
            if self.codebook_features:
                scores = book.score_words(words)
                # Passages of ~100 words are the unit; longer ones need more hits to mean the same.
                length = max(1.0, n_words / 100.0)
                for j, name in enumerate(names):
                    s = scores[name]
                    feats[i, j] = math.log1p(s)
                    feats[i, len(names) + j] = math.log1p(s / length)
            feats[i, -1] = math.log1p(n_words) / 5.0
        return lemma_strings, feats

    def _transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        lemma_strings, feats = self._analyse(texts)
        blocks = [self.word_vectorizer_.transform(lemma_strings)]
        if self.char_vectorizer_ is not None:
            blocks.append(self.char_vectorizer_.transform(lemma_strings))
        if self.codebook_features:
            blocks.append(sp.csr_matrix(feats))
        return sp.hstack(blocks, format="csr")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The feature matrix the linear models see (for inspection and benchmarks)."""
        return self._transform(list(texts))

    # -- fitting -----------------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: np.ndarray | Sequence[Sequence[str]]) -> ThemeClassifier:
        """Fit on passages and their labels (a 0/1 matrix with one column per theme, or label lists)."""
        texts = list(texts)
        book = self._book()
        self.codebook_ = book
        self.themes_ = list(self.themes) if self.themes is not None else book.names
        y = np.asarray(y) if isinstance(y, np.ndarray) else to_label_matrix(y, self.themes_)
        if y.shape != (len(texts), len(self.themes_)):
            raise ValueError(f"labels have shape {y.shape}, expected ({len(texts)}, {len(self.themes_)})")
        lemma_strings, feats = self._analyse(texts)
        self.word_vectorizer_ = TfidfVectorizer(analyzer=_split_words, ngram_range=(1, 1), sublinear_tf=True,
                                                min_df=1)
        # Bigrams via a second pass would double the cost; lemma unigrams plus char n-grams carry most of it.
        blocks = [self.word_vectorizer_.fit_transform(lemma_strings)]
        self.char_vectorizer_ = None
        if self.char_ngrams:
            self.char_vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                                    min_df=2, max_features=self.max_char_features)
            blocks.append(self.char_vectorizer_.fit_transform(lemma_strings))
        if self.codebook_features:
            blocks.append(sp.csr_matrix(feats))
        X = sp.hstack(blocks, format="csr")
        self.estimators_: list[Any] = []
        for j in range(len(self.themes_)):
            target = y[:, j]
            n_pos = int(target.sum())
            if n_pos == 0 or n_pos == len(target):
                self.estimators_.append(float(n_pos > 0))  # a constant: nothing to learn
                continue
            base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, solver="liblinear")
            folds = min(3, n_pos, len(target) - n_pos)
            if self.calibration == "sigmoid" and folds >= 2:
                model = CalibratedClassifierCV(base, method="sigmoid", cv=folds)
            else:
                model = base
            model.fit(X, target)
            self.estimators_.append(model)
        self.thresholds_ = np.full(len(self.themes_), float(self.threshold))
        self.n_train_ = len(texts)
        return self

    # -- predicting --------------------------------------------------------------------------------------
    def predict_proba_features(self, X: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((X.shape[0], len(self.themes_)))
        for j, model in enumerate(self.estimators_):
            out[:, j] = model if isinstance(model, float) else model.predict_proba(X)[:, 1]
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each theme for each text: an array (n_texts, n_themes), columns as ``themes_``."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.themes_)))
        return self.predict_proba_features(self._transform(texts))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """0/1 matrix of predicted themes (probability at or above the theme's threshold)."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(np.int8)

    def predict_labels(self, texts: Sequence[str]) -> list[list[str]]:
        proba = self.predict_proba(texts)
        return [[t for t, p, th in zip(self.themes_, row, self.thresholds_, strict=True) if p >= th]
                for row in proba]

    def top_features(self, theme: str, n: int = 15) -> list[tuple[str, float]]:
        """The features with the largest positive weights for a theme (what the model learned)."""
        j = self.themes_.index(theme)
        model = self.estimators_[j]
        if isinstance(model, float):
            return []
        if isinstance(model, CalibratedClassifierCV):
            coefs = np.mean([c.estimator.coef_[0] for c in model.calibrated_classifiers_], axis=0)
        else:
            coefs = model.coef_[0]
        names = [f"lemma:{w}" for w in self.word_vectorizer_.get_feature_names_out()]
        if self.char_vectorizer_ is not None:
            names += [f"char:{c}" for c in self.char_vectorizer_.get_feature_names_out()]
        if self.codebook_features:
            book_names = self.codebook_.names
            names += [f"codebook:{t}" for t in book_names] + [f"codebook_rate:{t}" for t in book_names]
            names += ["length"]
        order = np.argsort(coefs)[::-1][:n]
        return [(names[i], float(coefs[i])) for i in order]

    # -- persistence -------------------------------------------------------------------------------------
    def save(self, path: str | Path, **meta: Any) -> Path:
        """Save the fitted model (one joblib file holding everything needed to predict) with metadata."""
        import sklearn

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {"format": MODEL_FORMAT, "model": self, "sklearn": sklearn.__version__,
                 "meta": dict(meta)}
        joblib.dump(state, path, compress=3)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ThemeClassifier:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"theme model {path}: no such file")
        state = joblib.load(path)
        if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
            raise ValueError(f"theme model {path}: not a policytekst theme model (format {MODEL_FORMAT})")
        model = state["model"]
        model.meta_ = state.get("meta", {})
        return model
