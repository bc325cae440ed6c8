"""Distributional lemma features: an LSA space learned offline from real Norwegian policy text.

A passage's vector is its sublinear TF-IDF lemma vector projected onto the space (``TruncatedSVD`` components), then
L2-normalised. Words that never occur in the labelled passages but share contexts with ones that do ("tildeling",
"tilbyder", "sykehusreformen") land near them, which is what lets a classifier trained on a few hundred labels carry
over to a genre it was not trained on.

The shipped space (``data/lsa_lemmas.npz``, float16, a few MB) is built by ``scripts/train_default_theme_model.py``
from the Storting questions (1996-2015) and the seed captures in ../shared; only lemma ids, IDF weights and the
components are stored, never text.

Examples
--------
>>> space = LemmaSpace.default()                               # doctest: +SKIP
>>> space.transform(["bruker medvirkning tjeneste"]).shape      # doctest: +SKIP
(1, 96)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp

DEFAULT_FILE = "data/lsa_lemmas.npz"


class LemmaSpace:
    """Lemma vocabulary, IDF weights and LSA components: ``transform`` maps lemma strings to dense vectors."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, components: np.ndarray, source: str = "") -> None:
        self.vocabulary = list(vocabulary)
        self.index = {w: i for i, w in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        # (n_words, dim): idf folded in once, so transform is one sparse-dense product
        self.components = np.asarray(components, dtype=np.float32)
        self._weighted = self.components * self.idf[:, None]
        self._idf2 = self.idf.astype(np.float64) ** 2
        self.source = source

    @property
    def dim(self) -> int:
        return int(self.components.shape[1])

    def fingerprint(self) -> str:
        digest = hashlib.sha1("\n".join(self.vocabulary).encode())
        digest.update(np.round(self.components, 3).tobytes())
        return digest.hexdigest()[:16]

    # pickled models carry the space by value only when it is not the shipped one (see __reduce__)
    def __reduce__(self):
        if self.source == "default":
            return (LemmaSpace.default, ())
        return (LemmaSpace, (self.vocabulary, self.idf, self.components.astype(np.float16), self.source))

    def counts(self, lemma_strings: Iterable[str]) -> sp.csr_matrix:
        index = self.index
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for text in lemma_strings:
            # Counter counts in C; only the distinct lemmas are looked up
            for w, c in Counter(text.split()).items():
                j = index.get(w)
                if j is not None:
                    indices.append(j)
                    data.append(c)
            indptr.append(len(indices))
        return sp.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
                             shape=(len(indptr) - 1, len(self.vocabulary)))

    def transform(self, lemma_strings: Iterable[str]) -> np.ndarray:
        """Dense (n, dim) passage vectors, L2-normalised (rows with no known lemma are zero)."""
        X = self.counts(lemma_strings)
        X.data = 1.0 + np.log(X.data)  # sublinear term frequency, as in training
        # tf-idf rows normalised before projection, as TfidfVectorizer(norm="l2") did in training
        norms = np.sqrt(X.power(2) @ self._idf2)
        V = np.asarray(X @ self._weighted)
        V /= np.maximum(norms, 1e-12)[:, None]
        length = np.linalg.norm(V, axis=1)
        return V / np.maximum(length, 1e-12)[:, None]

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        np.savez_compressed(path, vocabulary=np.array(self.vocabulary), idf=self.idf.astype(np.float32),
                            components=self.components.astype(np.float16))
        return path

    @classmethod
    def load(cls, path: str | Path, source: str | None = None) -> LemmaSpace:
        with np.load(path, allow_pickle=False) as data:
            return cls([str(w) for w in data["vocabulary"]], data["idf"], data["components"],
                       source=source or str(path))

    @classmethod
    def default(cls) -> LemmaSpace:
        return _default_space()

    @classmethod
    def fit(cls, lemma_strings: Sequence[str], dim: int = 96, max_words: int = 12_000, min_df: int = 5,
            seed: int = 0) -> LemmaSpace:
        """Learn the space from lemma strings (one per passage): TF-IDF then truncated SVD (LSA)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=min_df, max_df=0.5,
                                     max_features=max_words)
        X = vectorizer.fit_transform(lemma_strings)
        svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=7, random_state=seed).fit(X)
        return cls(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_, svd.components_.T)


@lru_cache(maxsize=1)
def _default_space() -> LemmaSpace:
    ref = resources.files("policytekst.themes").joinpath(DEFAULT_FILE)
    with resources.as_file(ref) as path:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the shipped lemma space is missing "
                                    "(rebuild: scripts/train_default_theme_model.py)")
        return LemmaSpace.load(path, source="default")
