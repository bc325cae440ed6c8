"""The units topic models and term statistics read: passages of the analysis kinds as lists of content lemmas.

The lemmas come from the language layer's cache (``policytekst.nlp.cache.passage_lemmas``: computed once per
passage and stored in the corpus), so topics, term counts, keyness and document similarity all read the same
lemmas. Citations for these units come from :mod:`policytekst.citation`.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def passage_lemma_lists(corpus, kinds: Sequence[str] = ANALYSIS_KINDS) -> Units:
    """Content lemmas of every passage of ``kinds`` (the bag-of-words input for models and term counts)."""
    ids: list[str] = []
    lemmas: list[list[str]] = []
    for passage_id, words in passage_lemmas(corpus, kinds=tuple(kinds)):
        ids.append(passage_id)
        lemmas.append(list(words))
    return Units(ids, lemmas)
