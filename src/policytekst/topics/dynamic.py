"""Dynamic topics (tomotopy DTModel): one set of topics whose wording drifts across time slices.

Cost: a DTM fits k topics x t time slices of word distributions and converges slowly; expect several times the
run time of plain LDA with the same k, which is why it is opt-in and warns when used on large corpora.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import pandas as pd

from policytekst.model import ANALYSIS_KINDS
from policytekst.topics.units import passage_lemma_lists
from policytekst.topics.vocabulary import Vocabulary

#: units above which a fit warns about its cost
COSTLY_UNITS = 20000


def period_of(year: int, breaks: Sequence[int]) -> int:
    """Index of the period a year falls in, periods starting at each break (sorted)."""
    index = 0
    for i, start in enumerate(breaks):
        if year >= start:
            index = i
    return index


class DynamicTopicModel:
    """Dynamic topic model over passages grouped into time slices by document year.

    Parameters
    ----------
    k : int
        Number of topics.
    breaks : sequence of int, optional
        First year of each time slice (e.g. (1996, 2001, 2006, 2011)); default: one slice per year present.
    seed, iterations, min_df, max_df : as for :class:`TopicModel`.
    max_units : int, optional
        Fit on a seeded random sample of at most this many passages (DTMs are slow; a sample shows the drift).

    Attributes
    ----------
    slices_ : list of slice labels ("2006-2010"); doc_topics_ : DataFrame indexed by passage_id.
    """

    def __init__(self, k: int = 10, breaks: Sequence[int] | None = None, seed: int = 0, iterations: int = 200,
                 min_df: int = 3, max_df: float = 0.4, kinds: Sequence[str] = ANALYSIS_KINDS,
                 max_units: int | None = None) -> None:
        self.k = k
        self.breaks = breaks
        self.seed = seed
        self.iterations = iterations
        self.min_df = min_df
        self.max_df = max_df
        self.kinds = tuple(kinds)
        self.max_units = max_units

    def fit(self, corpus) -> DynamicTopicModel:
        import tomotopy as tp

        frame = corpus.passages_frame(self.kinds)[["passage_id", "year"]].dropna()
        years = dict(zip(frame["passage_id"], frame["year"].astype(int), strict=True))
        units = passage_lemma_lists(corpus, self.kinds)
        keep = [i for i, pid in enumerate(units.passage_ids) if pid in years]
        if not keep:
            raise ValueError(f"{corpus.directory}: no dated passages; dynamic topics need document years")
        if self.max_units is not None and len(keep) > self.max_units:
            import numpy as np

            keep = sorted(np.random.default_rng(self.seed).choice(keep, self.max_units, replace=False).tolist())
        if len(keep) > COSTLY_UNITS:
            warnings.warn(f"dynamic topic model on {len(keep):,} passages: expect several times the run time "
                          "of plain LDA (k topics x time slices)", stacklevel=2)
        breaks = sorted(self.breaks) if self.breaks else sorted({years[units.passage_ids[i]] for i in keep})
        last = max(years[units.passage_ids[i]] for i in keep)
        self.slices_ = [f"{start}-{(breaks[j + 1] - 1) if j + 1 < len(breaks) else last}"
                        for j, start in enumerate(breaks)]
        lemmas = [units.lemmas[i] for i in keep]
        ids = [units.passage_ids[i] for i in keep]
        vocabulary = Vocabulary(self.min_df, self.max_df).fit(lemmas)
        docs = vocabulary.encode(lemmas)
        started = time.perf_counter()
        model = tp.DTModel(k=self.k, t=len(breaks), seed=self.seed, min_cf=0, rm_top=0)
        fitted_ids = []
        for pid, doc in zip(ids, docs, strict=True):
            if doc:
                model.add_doc(doc, timepoint=period_of(years[pid], breaks))
                fitted_ids.append(pid)
        model.train(self.iterations, workers=1)
        self.fit_seconds_ = time.perf_counter() - started
        self.native_ = model
        self.doc_topics_ = pd.DataFrame([d.get_topic_dist() for d in model.docs],
                                        index=pd.Index(fitted_ids, name="passage_id"), columns=list(range(self.k)))
        self.doc_topics_ = self.doc_topics_.div(self.doc_topics_.sum(axis=1), axis=0)
        return self

    def top_terms(self, n: int = 10) -> pd.DataFrame:
        """DataFrame(slice, topic, rank, term, weight): each topic's top words in each time slice."""
        rows = []
        for t, label in enumerate(self.slices_):
            for topic in range(self.k):
                for rank, (term, weight) in enumerate(self.native_.get_topic_words(topic, timepoint=t, top_n=n),
                                                      start=1):
                    rows.append((label, topic, rank, term, float(weight)))
        return pd.DataFrame(rows, columns=["slice", "topic", "rank", "term", "weight"])
