"""Topic engines behind one small interface: tomotopy LDA, gensim LDA and scikit-learn NMF.

Each engine takes the same prepared input (a unit x term count matrix and the units as term lists, both over one
:class:`~policytekst.topics.vocabulary.Vocabulary`) and returns the same two matrices: topic x term
probabilities (rows sum to 1) and unit x topic shares (rows sum to 1). Units without any vocabulary term get
uniform shares (the model has no evidence about them), so every passage has a row.

All engines run on one worker by default: with one worker tomotopy's Gibbs sampler, gensim's variational
Bayes and NMF's coordinate descent are deterministic for a given seed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from policytekst.errors import UsageError, unknown


@dataclass
class EngineFit:
    """What an engine learned: topic x term probabilities, unit x topic shares and the library's own model."""

    topic_term: np.ndarray  # (k, n_terms)
    doc_topic: np.ndarray  # (n_units, k)
    native: Any


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; all-zero rows become uniform (no evidence means no preference)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    sums = matrix.sum(axis=1, keepdims=True)
    out = np.divide(matrix, sums, out=np.full_like(matrix, 1.0 / max(matrix.shape[1], 1)), where=sums > 0)
    return out


class Engine(ABC):
    """One topic-model library behind fit / transform / save / load."""

    name: str = ""
    #: default hyperparameters (documented per engine, recorded with every saved model)
    defaults: dict[str, Any] = {}

    def __init__(self, k: int, seed: int = 0, workers: int = 1, **params: Any) -> None:
        self.k = k
        self.seed = seed
        self.workers = workers
        extra = set(params) - set(self.defaults)
        if extra:
            raise UsageError(f"engine {self.name!r} has no parameter(s) {sorted(extra)}; "
                             f"known: {sorted(self.defaults)}")
        self.params = {**self.defaults, **{k: v for k, v in params.items() if v is not None}}

    @abstractmethod
    def fit(self, counts: sparse.csr_matrix, docs: list[list[str]], terms: list[str],
            priors: dict[int, list[str]] | None = None) -> EngineFit:
        """Fit on the prepared corpus; ``priors`` maps a topic index to seed terms anchoring it."""

    @abstractmethod
    def transform(self, native: Any, counts: sparse.csr_matrix, docs: list[list[str]],
                  terms: list[str]) -> np.ndarray:
        """Topic shares of new units (rows sum to 1)."""

    @abstractmethod
    def save(self, native: Any, path: Path) -> None: ...

    @abstractmethod
    def load(self, path: Path) -> Any: ...


class TomotopyLDA(Engine):
    """Collapsed Gibbs sampling LDA (tomotopy, C++). Seed terms become tomotopy word priors."""

    name = "tomotopy"
    # seed_strength 10: a word prior is a pseudo-count against real counts in the thousands; at 1.0 the anchor held
    # for some seeds and corpora and not others (0.14 vs 0.99 of the seed words' mass in their topic on the same
    # 4,000 Storting questions), at 10 it held for every seed tried
    defaults = {"iterations": 300, "alpha": 0.1, "eta": 0.01, "seed_strength": 10.0, "optim_interval": 10,
                "burn_in": 0}

    def build(self, docs: list[list[str]], priors: dict[int, list[str]] | None = None):
        """The unfitted tomotopy model with the documents added (kept separate so benchmarks time the same)."""
        import tomotopy as tp

        p = self.params
        model = tp.LDAModel(k=self.k, alpha=p["alpha"], eta=p["eta"], seed=self.seed, min_cf=0, rm_top=0)
        model.optim_interval = p["optim_interval"]
        model.burn_in = p["burn_in"]
        for doc in docs:
            if doc:
                model.add_doc(doc)
        if priors:
            vocab = set(model.vocabs)
            low = p["eta"] * 0.1
            for topic, words in priors.items():
                for word in words:
                    if word in vocab:
                        model.set_word_prior(word, [p["seed_strength"] if t == topic else low
                                                    for t in range(self.k)])
        return model

    def fit(self, counts, docs, terms, priors=None) -> EngineFit:
        model = self.build(docs, priors)
        model.train(self.params["iterations"], workers=self.workers)
        return EngineFit(self._topic_term(model, terms), self._doc_topic(model, docs), model)

    def _topic_term(self, model, terms: list[str]) -> np.ndarray:
        position = {t: i for i, t in enumerate(model.used_vocabs)}
        raw = np.vstack([model.get_topic_word_dist(t) for t in range(self.k)])
        phi = np.zeros((self.k, len(terms)))
        for j, term in enumerate(terms):
            i = position.get(term)
            if i is not None:
                phi[:, j] = raw[:, i]
        return normalize_rows(phi)

    def _doc_topic(self, model, docs: list[list[str]]) -> np.ndarray:
        theta = np.full((len(docs), self.k), 1.0 / self.k)
        fitted = iter(model.docs)
        for i, doc in enumerate(docs):
            if doc:
                theta[i] = next(fitted).get_topic_dist()
        return normalize_rows(theta)

    def transform(self, native, counts, docs, terms) -> np.ndarray:
        theta = np.full((len(docs), self.k), 1.0 / self.k)
        vocab = set(native.used_vocabs)
        rows = [i for i, d in enumerate(docs) if any(t in vocab for t in d)]
        if rows:
            made = [native.make_doc([t for t in docs[i] if t in vocab]) for i in rows]
            dists, _ = native.infer(made, iterations=100, workers=1, together=False)
            for i, dist in zip(rows, dists, strict=True):
                theta[i] = dist
        return normalize_rows(theta)

    def save(self, native, path: Path) -> None:
        native.save(str(path / "tomotopy.bin"), full=True)

    def load(self, path: Path):
        import tomotopy as tp

        return tp.LDAModel.load(str(path / "tomotopy.bin"))


class GensimLDA(Engine):
    """Online variational Bayes LDA (gensim LdaModel; LdaMulticore when workers > 1). Seeds go into eta."""

    name = "gensim"
    defaults = {"passes": 10, "iterations": 100, "chunksize": 2000, "alpha": "symmetric", "eta": 0.01,
                "seed_strength": 1.0}

    def corpus(self, counts: sparse.csr_matrix) -> list[list[tuple[int, float]]]:
        """gensim's bag-of-words lists from the count matrix."""
        indptr, indices, data = counts.indptr, counts.indices.tolist(), counts.data.tolist()
        return [list(zip(indices[indptr[i]:indptr[i + 1]], data[indptr[i]:indptr[i + 1]], strict=True))
                for i in range(counts.shape[0])]

    def eta(self, terms: list[str], priors: dict[int, list[str]] | None):
        base = self.params["eta"]
        if not priors:
            return base
        index = {t: i for i, t in enumerate(terms)}
        eta = np.full((self.k, len(terms)), base)
        for topic, words in priors.items():
            for word in words:
                j = index.get(word)
                if j is not None:
                    eta[:, j] = base * 0.1
                    eta[topic, j] = self.params["seed_strength"]
        return eta

    def fit(self, counts, docs, terms, priors=None) -> EngineFit:
        from gensim.models import LdaModel, LdaMulticore

        p = self.params
        bow = self.corpus(counts)
        id2word = dict(enumerate(terms))
        common = dict(num_topics=self.k, id2word=id2word, passes=p["passes"], iterations=p["iterations"],
                      chunksize=p["chunksize"], eta=self.eta(terms, priors), random_state=self.seed,
                      eval_every=None, minimum_probability=0.0)
        if self.workers > 1:
            cls, extra = LdaMulticore, {"workers": self.workers,
                                        "alpha": p["alpha"] if p["alpha"] != "auto" else "symmetric"}
        else:
            cls, extra = LdaModel, {"alpha": p["alpha"]}
        if priors:
            # eta alone barely moves variational LDA (the random initial topics dominate), so seeded topics
            # also start with the seed words' corpus counts in their sufficient statistics.
            model = cls(None, **extra, **common)
            index = {t: i for i, t in enumerate(terms)}
            totals = np.asarray(counts.sum(axis=0)).ravel()
            for topic, words in priors.items():
                cols = [index[w] for w in words if w in index]
                model.state.sstats[:, cols] *= 0.01
                model.state.sstats[topic, cols] += totals[cols] * p["seed_strength"]
            model.sync_state()
            model.update(bow, passes=p["passes"], iterations=p["iterations"], chunksize=p["chunksize"])
        else:
            model = cls(bow, **extra, **common)
        return EngineFit(normalize_rows(model.get_topics()), self._infer(model, bow), model)

    def _infer(self, model, bow) -> np.ndarray:
        theta = np.zeros((len(bow), self.k))
        for start in range(0, len(bow), 5000):
            chunk = bow[start:start + 5000]
            gamma, _ = model.inference(chunk)
            theta[start:start + len(chunk)] = gamma
        return normalize_rows(theta)

    def transform(self, native, counts, docs, terms) -> np.ndarray:
        return self._infer(native, self.corpus(counts))

    def save(self, native, path: Path) -> None:
        native.save(str(path / "gensim.model"))

    def load(self, path: Path):
        from gensim.models import LdaModel

        return LdaModel.load(str(path / "gensim.model"))


class SklearnNMF(Engine):
    """Non-negative matrix factorisation of sublinear TF-IDF (scikit-learn). Seeds shape the initial H."""

    name = "nmf"
    defaults = {"max_iter": 400, "init": "nndsvda", "alpha_W": 0.0, "alpha_H": 0.0, "l1_ratio": 0.0,
                "seed_strength": 1.0}

    def tfidf(self, counts: sparse.csr_matrix):
        from sklearn.feature_extraction.text import TfidfTransformer

        return TfidfTransformer(sublinear_tf=True).fit(counts)

    def estimator(self, init: str):
        from sklearn.decomposition import NMF

        p = self.params
        return NMF(n_components=self.k, init=init, random_state=self.seed, max_iter=p["max_iter"],
                   alpha_W=p["alpha_W"], alpha_H=p["alpha_H"], l1_ratio=p["l1_ratio"], solver="cd")

    def fit(self, counts, docs, terms, priors=None) -> EngineFit:
        tfidf = self.tfidf(counts)
        weights = tfidf.transform(counts)
        column_scale = np.ones(len(terms))
        if priors:
            # Rare seed words carry too little squared error for NMF to care where they go; up-weighting
            # their columns makes explaining them worth a topic (kept for transform, so shares stay comparable).
            index = {t: i for i, t in enumerate(terms)}
            for words in priors.values():
                column_scale[[index[w] for w in words if w in index]] = 1 + 4 * self.params["seed_strength"]
            weights = sparse.csr_matrix(weights.multiply(column_scale[None, :]))
            # Guided NMF: start from the usual nndsvda factors, then put each seed topic's mass on its seed
            # terms; coordinate descent keeps the anchor unless the data pull it elsewhere.
            from sklearn.decomposition._nmf import _initialize_nmf

            w0, h0 = _initialize_nmf(weights, self.k, init=self.params["init"], random_state=self.seed)
            index = {t: i for i, t in enumerate(terms)}
            scale = float(h0.max()) if h0.size else 1.0
            w_scale = float(w0.max()) if w0.size else 1.0
            for topic, words in priors.items():
                cols = [index[w] for w in words if w in index]
                if cols:
                    h0[topic, :] *= 0.1
                    h0[topic, cols] = scale * self.params["seed_strength"]
                    others = [t for t in range(self.k) if t != topic]
                    h0[np.ix_(others, cols)] *= 0.01
                    # passages using the seed words start in the seeded topic (coordinate descent follows
                    # the initial W closely, so anchoring H alone would be undone in the first sweep)
                    mass = np.asarray(weights[:, cols].sum(axis=1)).ravel()
                    w0[:, topic] = 0.1 * w0[:, topic] + w_scale * self.params["seed_strength"] * mass
            nmf = self.estimator("custom")
            w = nmf.fit_transform(weights, W=np.ascontiguousarray(w0), H=np.ascontiguousarray(h0))
        else:
            nmf = self.estimator(self.params["init"])
            w = nmf.fit_transform(weights)
        return EngineFit(normalize_rows(nmf.components_ / column_scale[None, :]), normalize_rows(w),
                         (tfidf, nmf, column_scale))

    def transform(self, native, counts, docs, terms) -> np.ndarray:
        tfidf, nmf, column_scale = native
        weights = sparse.csr_matrix(tfidf.transform(counts).multiply(column_scale[None, :]))
        return normalize_rows(nmf.transform(weights))

    def save(self, native, path: Path) -> None:
        import joblib

        joblib.dump(native, path / "nmf.joblib")

    def load(self, path: Path):
        import joblib

        return joblib.load(path / "nmf.joblib")


ENGINES: dict[str, type[Engine]] = {e.name: e for e in (TomotopyLDA, GensimLDA, SklearnNMF)}


def make_engine(name: str, k: int, seed: int = 0, workers: int = 1, **params: Any) -> Engine:
    try:
        cls = ENGINES[name]
    except KeyError:
        raise unknown("topic engine", name, sorted(ENGINES)) from None
    return cls(k=k, seed=seed, workers=workers, **params)
