"""The model vocabulary: content lemmas with frequency cut-offs, as a term index and a sparse count matrix.

Cut-offs follow common practice for LDA on short policy passages: terms in fewer than ``min_df`` passages carry
no co-occurrence signal, and terms in more than ``max_df`` of them (after the language layer's stop words) are
corpus boilerplate ("spørsmål", "regjeringen" in parliamentary questions) that would sit on top of every topic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse


def _stop_words() -> frozenset[str]:
    """Stop words of the languages the corpora mix (bokmål, nynorsk, English), general and domain."""
    from policytekst.nlp import stopwords

    words: set[str] = set()
    for lang in ("nb", "nn", "en"):
        for domain in (False, True):
            try:
                words |= {w.lower() for w in stopwords(lang, domain=domain)}
            except (KeyError, ValueError, LookupError):  # a language the layer does not cover
                continue
    return frozenset(words)


class Vocabulary:
    """Term index built from lemma lists.

    Parameters
    ----------
    min_df : int
        Keep terms that occur in at least this many units.
    max_df : float
        Drop terms that occur in more than this share of units.
    max_terms : int or None
        Keep at most this many terms (the most frequent by document frequency; ties broken alphabetically).
    min_length : int
        Drop shorter lemmas (stray letters, abbreviations of one character).
    """

    def __init__(self, min_df: int = 3, max_df: float = 0.4, max_terms: int | None = 20000,
                 min_length: int = 2) -> None:
        self.min_df = min_df
        self.max_df = max_df
        self.max_terms = max_terms
        self.min_length = min_length

    def fit(self, docs: Sequence[Sequence[str]]) -> Vocabulary:
        stop = _stop_words()
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        n = max(len(docs), 1)
        # With tiny corpora (a handful of passages) the ratio cut-off would remove everything; keep it >= 2 units.
        max_count = max(self.max_df * n, 2)
        kept = [(t, c) for t, c in df.items()
                if c >= self.min_df and c <= max_count and len(t) >= self.min_length and t not in stop]
        kept.sort(key=lambda tc: (-tc[1], tc[0]))
        if self.max_terms is not None:
            kept = kept[: self.max_terms]
        self.terms_ = sorted(t for t, _ in kept)
        self.index_ = {t: i for i, t in enumerate(self.terms_)}
        self.n_units_ = len(docs)
        return self

    def __len__(self) -> int:
        return len(self.terms_)

    def encode(self, docs: Sequence[Sequence[str]]) -> list[list[str]]:
        """The units reduced to vocabulary terms (order kept), the input of tomotopy and coherence."""
        index = self.index_
        return [[t for t in doc if t in index] for doc in docs]

    def counts(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Unit x term count matrix (CSR, float64)."""
        index = self.index_
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for doc in docs:
            counter = Counter(index[t] for t in doc if t in index)
            for j in sorted(counter):
                indices.append(j)
                data.append(counter[j])
            indptr.append(len(indices))
        return sparse.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                                  np.asarray(indptr, dtype=np.int64)), shape=(len(docs), len(self.terms_)))

    def get_params(self) -> dict:
        return {"min_df": self.min_df, "max_df": self.max_df, "max_terms": self.max_terms,
                "min_length": self.min_length}
