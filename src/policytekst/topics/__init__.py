"""Topic models over passages: engines (tomotopy LDA, gensim LDA, scikit-learn NMF) behind one estimator,
K selection, labels (probability, relevance, FREX), representative passages, seeded and dynamic topics.

Examples
--------
>>> from policytekst.topics import TopicModel, sweep                  # doctest: +SKIP
>>> model = TopicModel(k=10, seed=0).fit(corpus)                       # doctest: +SKIP
>>> sweep(corpus, ks=(5, 10, 15))                                      # doctest: +SKIP
"""

from policytekst.topics.dynamic import DynamicTopicModel
from policytekst.topics.engines import ENGINES
from policytekst.topics.model import DEFAULT_ENGINE, TopicModel
from policytekst.topics.seeded import codebook_seed_words
from policytekst.topics.sweep import SWEEP_COLUMNS, sweep
from policytekst.topics.units import passage_lemma_lists

__all__ = ["DEFAULT_ENGINE", "ENGINES", "SWEEP_COLUMNS", "DynamicTopicModel", "TopicModel",
           "codebook_seed_words", "passage_lemma_lists", "sweep"]
