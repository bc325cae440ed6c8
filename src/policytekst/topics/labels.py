"""Reading topics: top terms by probability, relevance (Sievert & Shirley 2014) and FREX (Roberts et al., STM),
and a short automatic label.

Probability alone puts frequent words on top of several topics; relevance with lambda=0.6 (the LDAvis user-study
optimum) and FREX (harmonic mean of within-topic frequency and exclusivity ranks) favour words that set a topic
apart, which is what a reader wants in a label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RANKINGS = ("prob", "relevance", "frex")


def relevance(topic_term: np.ndarray, term_share: np.ndarray, lam: float = 0.6) -> np.ndarray:
    """lambda*log p(w|k) + (1-lambda)*log(p(w|k)/p(w)); ``term_share`` is p(w) in the corpus."""
    eps = 1e-12
    log_phi = np.log(topic_term + eps)
    return lam * log_phi + (1 - lam) * (log_phi - np.log(term_share + eps)[None, :])


def _ecdf_rows(values: np.ndarray) -> np.ndarray:
    """Per row, the empirical CDF of each value (rank / n), ties sharing the higher rank."""
    out = np.empty_like(values, dtype=np.float64)
    n = values.shape[1]
    for i, row in enumerate(values):
        order = np.sort(row)
        out[i] = np.searchsorted(order, row, side="right") / n
    return out


def frex(topic_term: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX scores (k x terms): 1 / (w/ECDF(exclusivity) + (1-w)/ECDF(frequency)), STM's definition."""
    exclusivity = topic_term / np.maximum(topic_term.sum(axis=0, keepdims=True), 1e-12)
    ex = _ecdf_rows(exclusivity)
    fr = _ecdf_rows(topic_term)
    return 1.0 / (weight / ex + (1 - weight) / fr)


def score_matrix(topic_term: np.ndarray, term_share: np.ndarray, by: str = "prob", lam: float = 0.6) -> np.ndarray:
    if by == "prob":
        return topic_term
    if by == "relevance":
        return relevance(topic_term, term_share, lam)
    if by == "frex":
        return frex(topic_term)
    raise ValueError(f"unknown ranking {by!r}; choose one of {', '.join(RANKINGS)}")


def top_terms_frame(topic_term: np.ndarray, terms: list[str], term_share: np.ndarray, n: int = 10,
                    by: str = "prob", lam: float = 0.6) -> pd.DataFrame:
    """DataFrame(topic, rank, term, weight): weight is p(term|topic) whatever the ranking, so rows compare."""
    scores = score_matrix(topic_term, term_share, by, lam)
    rows = []
    n = min(n, len(terms))
    for topic in range(topic_term.shape[0]):
        # stable sort with the term index as tie-breaker keeps results identical across runs
        order = np.lexsort((np.arange(len(terms)), -scores[topic]))[:n]
        for rank, j in enumerate(order, start=1):
            rows.append((topic, rank, terms[j], float(topic_term[topic, j])))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


def auto_labels(topic_term: np.ndarray, terms: list[str], term_share: np.ndarray, n_words: int = 3) -> list[str]:
    """A short label per topic from its top FREX terms, e.g. "nav / arbeidsledig / tiltak"."""
    table = top_terms_frame(topic_term, terms, term_share, n=n_words, by="frex")
    return [" / ".join(group["term"]) for _, group in table.groupby("topic", sort=True)]
