"""Topic quality measures for choosing K: coherence (c_v, NPMI via gensim), diversity and exclusivity."""

from __future__ import annotations

import numpy as np


def coherence(topics: list[list[str]], texts: list[list[str]], measure: str = "c_v") -> tuple[float, list[float]]:
    """Mean and per-topic coherence of ``topics`` (lists of top terms) over the reference ``texts``.

    ``measure`` is a gensim CoherenceModel measure ("c_v", "c_npmi", "u_mass", "c_uci"). Runs on one process
    so results are reproducible and the sweep does not fight other jobs for cores.
    """
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    texts = [t for t in texts if t]
    dictionary = Dictionary(texts)
    topics = [[w for w in topic if w in dictionary.token2id] for topic in topics]
    topics = [t for t in topics if len(t) >= 2]
    if not topics:
        return float("nan"), []
    model = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=measure, processes=1,
                           topn=max(len(t) for t in topics))
    per_topic = [float(x) for x in model.get_coherence_per_topic()]
    return float(np.nanmean(per_topic)), per_topic


def diversity(topics: list[list[str]]) -> float:
    """Share of unique words among all topics' top words (Dieng et al. 2020); 1 = no overlap."""
    words = [w for topic in topics for w in topic]
    return len(set(words)) / len(words) if words else float("nan")


def exclusivity(topic_term: np.ndarray, n: int = 10) -> float:
    """Mean over topics and their top-n terms of p(w|k) / sum_k' p(w|k'): 1 = a term belongs to one topic."""
    share = topic_term / np.maximum(topic_term.sum(axis=0, keepdims=True), 1e-12)
    values = []
    for k in range(topic_term.shape[0]):
        top = np.argsort(-topic_term[k], kind="stable")[:n]
        values.extend(share[k, top])
    return float(np.mean(values)) if values else float("nan")
