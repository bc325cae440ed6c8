"""Distributional lemma features: word vectors learned offline from real Norwegian policy text.

The shipped space (``data/lemma_vectors.npz``) holds FastText skip-gram vectors (gensim) of the lemmas of every
Storting question (1996-2015) and of windows of the seed captures in ../shared, and the vectors of hashed
character 3-5-grams that FastText learned beside them. A passage's vector is the IDF-weighted, sublinear-TF
average of its lemmas' vectors, L2-normalised. A lemma the space never met (a new compound, a nynorsk form,
"samhandlingsavtalane") gets the average of its character n-gram vectors, as FastText does, so passages of a new
genre still land near the ones the classifier was trained on. Only lemmas, IDF weights and vectors are stored,
never text; ``scripts/train_default_theme_model.py`` rebuilds it (deterministic: one worker, a fixed hash).

``LemmaSpace.fit`` (an LSA space: TF-IDF + TruncatedSVD) is kept for small custom spaces and tests; its
components play the part of the word vectors.

Examples
--------
>>> space = LemmaSpace.default()                               # doctest: +SKIP
>>> space.transform(["bruker medvirkning tjeneste"]).shape      # doctest: +SKIP
(1, 100)
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp

DEFAULT_FILE = "data/lemma_vectors.npz"
# FNV-1a, as fastText (and gensim) hash character n-grams into buckets
_FNV_OFFSET, _FNV_PRIME, _UINT32 = 2166136261, 16777619, 0xFFFFFFFF


def ngram_buckets(word: str, min_n: int, max_n: int, buckets: int) -> list[int]:
    """Bucket ids of the character n-grams of ``<word>``, exactly as fastText/gensim compute them.

    N-grams run over characters (a UTF-8 continuation byte never starts one); each n-gram's UTF-8 bytes are
    hashed with 32-bit FNV-1a reading every byte as a *signed* char (fastText's quirk, kept so the learned
    bucket vectors line up).
    """
    raw = f"<{word}>".encode()
    starts = [i for i, b in enumerate(raw) if b & 0xC0 != 0x80] + [len(raw)]
    chars = len(starts) - 1
    out = []
    for a in range(chars):
        for n in range(min_n, max_n + 1):
            if a + n > chars:
                break
            if n == 1 and (a == 0 or a + n == chars):
                continue  # the bare "<" and ">" (only when min_n is 1)
            h = _FNV_OFFSET
            for b in raw[starts[a]:starts[a + n]]:
                h = ((h ^ ((b - 256) & _UINT32 if b > 127 else b)) * _FNV_PRIME) & _UINT32
            out.append(h % buckets)
    return out


def _crc32_hash(text: str) -> int:
    """A hash that is the same in every process (Python's own ``hash`` of a str is salted per run)."""
    return zlib.crc32(str(text).encode("utf-8"))


class LemmaSpace:
    """Lemma vocabulary, IDF weights and a vector per lemma (and per n-gram bucket): ``transform`` maps lemma
    strings to dense, L2-normalised passage vectors."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, components: np.ndarray, source: str = "",
                 ngrams: np.ndarray | None = None, min_n: int = 3, max_n: int = 5,
                 oov_idf: float | None = None) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {w: i for i, w in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        # (n_words, dim): idf folded in once, so the known words are one sparse-dense product
        self.components = np.asarray(components, dtype=np.float32)
        self._weighted = self.components * self.idf[:, None]
        self.ngrams = None if ngrams is None else np.asarray(ngrams, dtype=np.float32)
        self.min_n, self.max_n = int(min_n), int(max_n)
        # an unseen lemma is rarer than any known one: the largest IDF
        self.oov_idf = float(oov_idf) if oov_idf is not None else float(self.idf.max(initial=1.0))
        self.source = source
        self._oov_cache: dict[str, np.ndarray | None] = {}

    @property
    def dim(self) -> int:
        return int(self.components.shape[1])

    def fingerprint(self) -> str:
        digest = hashlib.sha1("\n".join(self.vocabulary).encode())
        digest.update(np.round(self.components, 3).tobytes())
        if self.ngrams is not None:
            digest.update(np.round(self.ngrams, 3).tobytes())
        return digest.hexdigest()[:16]

    # pickled models carry the space by value only when it is not the shipped one (see __reduce__)
    def __reduce__(self):
        if self.source == "default":
            return (LemmaSpace.default, ())
        ngrams = None if self.ngrams is None else self.ngrams.astype(np.float16)
        return (LemmaSpace, (self.vocabulary, self.idf, self.components.astype(np.float16), self.source, ngrams,
                             self.min_n, self.max_n, self.oov_idf))

    def counts(self, lemma_strings: Iterable[str]) -> sp.csr_matrix:
        """Counts of the known lemmas per text (a sparse matrix over the vocabulary)."""
        return self._counts(lemma_strings, None)

    def _counts(self, lemma_strings: Iterable[str], unseen: list[list[tuple[str, int]]] | None) -> sp.csr_matrix:
        """Known-lemma counts; with ``unseen`` (a list) also each text's (lemma, count) pairs outside the
        vocabulary, from the same single pass."""
        index = self.index
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for text in lemma_strings:
            others: list[tuple[str, int]] = []
            # Counter counts in C; only the distinct lemmas are looked up
            for w, c in Counter(text.split()).items():
                j = index.get(w)
                if j is not None:
                    indices.append(j)
                    data.append(c)
                elif unseen is not None and not w.isdigit():
                    others.append((w, c))
            if unseen is not None:
                unseen.append(others)
            indptr.append(len(indices))
        return sp.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
                             shape=(len(indptr) - 1, len(self.vocabulary)))

    def oov_vector(self, word: str) -> np.ndarray | None:
        """The vector of a lemma outside the vocabulary: the mean of its n-gram buckets (None without them)."""
        if self.ngrams is None:
            return None
        if word not in self._oov_cache:
            if len(self._oov_cache) > 200_000:  # bounded: a stream of passages must not grow it for ever
                self._oov_cache.clear()
            ids = ngram_buckets(word, self.min_n, self.max_n, len(self.ngrams))
            self._oov_cache[word] = self.ngrams[ids].mean(axis=0) if ids else None
        return self._oov_cache[word]

    def transform(self, lemma_strings: Iterable[str]) -> np.ndarray:
        """Dense (n, dim) passage vectors, L2-normalised (rows with no usable lemma are zero)."""
        unseen: list[list[tuple[str, int]]] | None = [] if self.ngrams is not None else None
        X = self._counts(lemma_strings, unseen)
        X.data = 1.0 + np.log(X.data)  # sublinear term frequency
        V = np.asarray(X @ self._weighted, dtype=np.float64)
        for i, others in enumerate(unseen or ()):
            for w, c in others:
                vector = self.oov_vector(w)
                if vector is not None:
                    V[i] += (1.0 + math.log(c)) * self.oov_idf * vector
        length = np.linalg.norm(V, axis=1)
        return V / np.maximum(length, 1e-12)[:, None]

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        arrays = {"vocabulary": np.array(self.vocabulary), "idf": self.idf.astype(np.float32),
                  "components": self.components.astype(np.float16),
                  "subwords": np.array([self.min_n, self.max_n]), "oov_idf": np.array([self.oov_idf])}
        if self.ngrams is not None:
            arrays["ngrams"] = self.ngrams.astype(np.float16)
        np.savez_compressed(path, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path, source: str | None = None) -> LemmaSpace:
        with np.load(path, allow_pickle=False) as data:
            min_n, max_n = (int(x) for x in data["subwords"]) if "subwords" in data else (3, 5)
            return cls([str(w) for w in data["vocabulary"]], data["idf"], data["components"],
                       source=source or str(path), ngrams=data["ngrams"] if "ngrams" in data else None,
                       min_n=min_n, max_n=max_n,
                       oov_idf=float(data["oov_idf"][0]) if "oov_idf" in data else None)

    @classmethod
    def default(cls) -> LemmaSpace:
        return _default_space()

    @classmethod
    def fit(cls, lemma_strings: Sequence[str], dim: int = 96, max_words: int = 12_000, min_df: int = 5,
            seed: int = 0) -> LemmaSpace:
        """Learn an LSA space from lemma strings (one per passage): TF-IDF then truncated SVD."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=min_df, max_df=0.5,
                                     max_features=max_words)
        X = vectorizer.fit_transform(lemma_strings)
        svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=7, random_state=seed).fit(X)
        return cls(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_, svd.components_.T)

    @classmethod
    def fit_fasttext(cls, lemma_strings: Sequence[str], dim: int = 100, window: int = 8, min_count: int = 3,
                     epochs: int = 15, buckets: int = 20_000, min_n: int = 3, max_n: int = 5,
                     seed: int = 0) -> LemmaSpace:
        """Learn FastText skip-gram vectors (gensim) of the lemmas, with IDF weights from the same texts.

        Deterministic for a seed: one worker thread and a process-independent hash for the initial vectors.
        """
        from gensim.models import FastText

        sentences = [text.split() for text in lemma_strings]
        model = FastText(sentences=sentences, vector_size=dim, window=window, min_count=min_count, epochs=epochs,
                         sg=1, bucket=buckets, min_n=min_n, max_n=max_n, workers=1, seed=seed,
                         hashfxn=_crc32_hash)
        vocabulary = list(model.wv.index_to_key)
        df = Counter(w for words in sentences for w in set(words))
        n = len(sentences)
        # sklearn's smoothed IDF, as the passage TF-IDF features use
        idf = np.array([math.log((n + 1) / (df[w] + 1)) + 1 for w in vocabulary], dtype=np.float32)
        return cls(vocabulary, idf, model.wv.vectors, ngrams=model.wv.vectors_ngrams, min_n=min_n, max_n=max_n,
                   oov_idf=math.log(n + 1) + 1)


@lru_cache(maxsize=1)
def _default_space() -> LemmaSpace:
    ref = resources.files("policytekst.themes").joinpath(DEFAULT_FILE)
    with resources.as_file(ref) as path:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the shipped lemma vectors are missing "
                                    "(rebuild: scripts/train_default_theme_model.py)")
        return LemmaSpace.load(path, source="default")
