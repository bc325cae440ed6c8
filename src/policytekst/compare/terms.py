"""Term counts per passage, the score table for term trends ("how often is NAV mentioned per passage")."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.topics.units import passage_lemma_lists


def _matcher(pattern: str):
    """A predicate on lemmas: globs ("trygdeetat*") match whole lemmas; a plain word matches its own lemma
    and hyphenated compounds that start or end with it ("nav" matches "nav-kontor", "ny-nav")."""
    pattern = pattern.lower().strip()
    if any(ch in pattern for ch in "*?["):
        return lambda lemma: fnmatch.fnmatchcase(lemma, pattern)
    from policytekst.nlp import content_lemmas

    forms = {pattern, *content_lemmas(pattern)}

    def match(lemma: str) -> bool:
        if lemma in forms:
            return True
        if "-" in lemma:
            parts = lemma.split("-")
            return parts[0] in forms or parts[-1] in forms
        return False

    return match


def term_scores(corpus, terms: Sequence[str] | Mapping[str, Sequence[str]], kinds: Sequence[str] = ANALYSIS_KINDS,
                binary: bool = False) -> pd.DataFrame:
    """DataFrame indexed by passage_id, one column per term (or named group of terms): occurrences per passage.

    ``terms`` is a list of words/globs (each its own column) or {name: [words/globs]} to pool spellings and
    inflections ("old agencies": ["aetat", "trygdeetat*"]). With ``binary`` a passage counts 0/1, so the trend
    mean reads as "share of passages mentioning the term".
    """
    groups = {t: [t] for t in terms} if not isinstance(terms, Mapping) else {k: list(v) for k, v in terms.items()}
    if not groups:
        raise UsageError("no terms given")
    units = passage_lemma_lists(corpus, kinds)
    matchers = {name: [_matcher(p) for p in patterns] for name, patterns in groups.items()}
    # match each distinct lemma once: corpora repeat a small vocabulary many times
    cache: dict[str, list[bool]] = {}
    names = list(groups)
    values = np.zeros((len(units), len(names)), dtype=np.float64)
    for i, lemmas in enumerate(units.lemmas):
        for lemma in lemmas:
            hits = cache.get(lemma)
            if hits is None:
                hits = cache[lemma] = [any(m(lemma) for m in matchers[n]) for n in names]
            for j, hit in enumerate(hits):
                if hit:
                    values[i, j] += 1
    if binary:
        values = (values > 0).astype(np.float64)
    return pd.DataFrame(values, index=pd.Index(units.passage_ids, name="passage_id"), columns=names)
