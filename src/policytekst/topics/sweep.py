"""Choosing K: fit a model per K and report coherence, diversity, exclusivity and fit time side by side."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from policytekst.model import ANALYSIS_KINDS
from policytekst.topics.model import DEFAULT_ENGINE, TopicModel
from policytekst.topics.quality import coherence, diversity, exclusivity
from policytekst.topics.units import passage_lemma_lists

SWEEP_COLUMNS = ["k", "c_v", "npmi", "diversity", "exclusivity", "fit_seconds"]


def evaluate(model: TopicModel, texts: list[list[str]], n_terms: int = 10) -> dict[str, float]:
    """Quality figures of a fitted model over reference texts (the model's own units, vocabulary terms only)."""
    topics = [list(g["term"]) for _, g in model.top_terms(n_terms).groupby("topic", sort=True)]
    return {"c_v": coherence(topics, texts, "c_v")[0], "npmi": coherence(topics, texts, "c_npmi")[0],
            "diversity": diversity([list(g["term"]) for _, g in model.top_terms(25).groupby("topic", sort=True)]),
            "exclusivity": exclusivity(model.topic_term_, n_terms)}


def sweep(corpus, ks: Sequence[int] = (5, 10, 15), engine: str = DEFAULT_ENGINE, seed: int = 0,
          n_terms: int = 10, kinds: Sequence[str] = ANALYSIS_KINDS, progress: bool = False,
          **model_params: Any) -> pd.DataFrame:
    """DataFrame(k, c_v, npmi, diversity, exclusivity, fit_seconds), one row per K.

    Lemmas are read once and shared by all fits. Coherence is computed over the passages the models were fit
    on, restricted to the model vocabulary; higher c_v/NPMI, diversity and exclusivity are better, and a
    good K is usually where coherence levels off before diversity drops.
    """
    units = passage_lemma_lists(corpus, kinds)
    if not len(units):
        raise ValueError(f"{corpus.directory}: no passages of kinds {', '.join(kinds)} to model")
    rows = []
    texts: list[list[str]] | None = None
    for k in ks:
        if progress:
            import sys

            print(f"sweep: fitting k={k} ({engine})", file=sys.stderr)
        started = time.perf_counter()
        model = TopicModel(k=k, engine=engine, seed=seed, kinds=kinds, **model_params)
        model.fit_units(units.passage_ids, units.lemmas)
        fit_seconds = time.perf_counter() - started
        if texts is None:
            texts = model.vocabulary_.encode(units.lemmas)
        rows.append({"k": k, **evaluate(model, texts, n_terms), "fit_seconds": round(fit_seconds, 3)})
    frame = pd.DataFrame(rows, columns=SWEEP_COLUMNS)
    frame.attrs.update({"engine": engine, "seed": seed, "corpus_generation": corpus.generation,
                        "n_units": len(units)})
    return frame
