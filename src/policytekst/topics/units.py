"""The units topic models and term statistics read: passages of the analysis kinds as lists of content lemmas.

The lemmas come from the language layer's cache (``policytekst.nlp.cache.passage_lemmas``: computed once per
passage and stored in the corpus), so topics, term counts, keyness and document similarity all read the same
lemmas. Citations for these units come from :mod:`policytekst.citation`.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policytekst.model import ANALYSIS_KINDS
from policytekst.nlp.cache import passage_lemmas


@dataclass
class Units:
    """Passage ids and their content lemmas, in corpus order (doc_id, seq)."""

    passage_ids: list[str]
    lemmas: list[list[str]]

    def __len__(self) -> int:
        return len(self.passage_ids)


def passage_lemma_lists(corpus, kinds: Sequence[str] = ANALYSIS_KINDS, ids: Sequence[str] | None = None) -> Units:
    """Content lemmas of every passage of ``kinds``, or of the passages ``ids`` (the bag-of-words input for models
    and term counts)."""
    kept: list[str] = []
    lemmas: list[list[str]] = []
    for passage_id, words in passage_lemmas(corpus, kinds=tuple(kinds), ids=ids):
        kept.append(passage_id)
        lemmas.append(list(words))
    return Units(kept, lemmas)


def sample_key(seed: int, item_id: str) -> int:
    """A passage's or document's place in the seeded random order used for samples: a hash of seed and id, so a
    sample depends on neither the order of reading nor the rest of the corpus."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{item_id}".encode(), digest_size=8).digest(), "big")


def sampled_ids(ids: Iterable[str], limit: int | None, seed: int = 0) -> set[str] | None:
    """The ``limit`` ids first in the seeded random order (:func:`sample_key`), or None when there are no more
    than ``limit`` of them (nothing to leave out)."""
    ids = list(ids)
    if limit is None or len(ids) <= limit:
        return None
    return set(heapq.nsmallest(limit, ids, key=lambda item: sample_key(seed, item)))


def sampled_lemma_lists(corpus, kinds: Sequence[str] = ANALYSIS_KINDS, limit: int | None = None,
                        seed: int = 0) -> tuple[Units, int]:
    """(units, passages in the corpus): every passage when the corpus has at most ``limit``, else a uniform random
    sample of ``limit`` passages (the first in the seeded order of :func:`sample_key`), in corpus order.

    Only the sample's lemmas are read (and computed when missing), so memory and time follow ``limit``, not the
    corpus; what grows with the corpus is the list of passage ids the sample is drawn from.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    ids = corpus.passage_ids(tuple(kinds))
    total = len(ids)
    chosen = sampled_ids(ids, limit, seed)
    if chosen is not None:
        ids = [passage_id for passage_id in ids if passage_id in chosen]  # the sample, in corpus order
    return passage_lemma_lists(corpus, kinds, ids), total
