"""Term counts per passage, the score table for term trends ("how often is NAV mentioned per passage")."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.nlp import content_lemmas, standards
from policytekst.nlp.cache import passage_lemmas
from policytekst.nlp.compounds import compound_terms

MATCH_COMPOUNDS = "compounds"
MATCH_EXACT = "exact"


def term_matcher(pattern: str, exact: bool = False) -> Callable[[str], bool]:
    """A predicate on content lemmas for one term, shared by term trends and keyness look-ups.

    Globs ("trygdeetat*") match whole lemmas. A plain word matches its own lemma (in either written standard:
    "brukarmedverknad" is read as "brukermedvirkning" unless ``POLICYTEKST_STANDARDS=keep``) and, unless
    ``exact``, compounds in which it is the head or a modifier, as search does: "kasteball" matches
    "kasteballproblematikk", "medvirkning" matches "brukermedvirkning", "nav" matches "nav-kontor".
    """
    pattern = pattern.lower().strip()
    if any(ch in pattern for ch in "*?["):
        return lambda lemma: fnmatch.fnmatchcase(lemma, pattern)
    forms = frozenset({pattern, *content_lemmas(pattern), standards.read_as_bokmal(pattern)})
    if exact:
        return forms.__contains__

    def match(lemma: str) -> bool:
        if lemma in forms:
            return True
        # stored lemmas are bokmål (content_lemmas maps nynorsk), so the bokmål splitter reads them
        for part in lemma.split("-"):
            if part in forms or not forms.isdisjoint(compound_terms(part, "nb")):
                return True
        return False

    return match


def term_scores(corpus, terms: Sequence[str] | Mapping[str, Sequence[str]], kinds: Sequence[str] = ANALYSIS_KINDS,
                binary: bool = False, exact: bool = False) -> pd.DataFrame:
    """DataFrame indexed by passage_id, one column per term (or named group of terms): occurrences per passage.

    ``terms`` is a list of words/globs (each its own column) or {name: [words/globs]} to pool spellings and
    inflections ("old agencies": ["aetat", "trygdeetat*"]). With ``binary`` a passage counts 0/1, so the trend
    mean reads as "share of passages mentioning the term". A word counts its lemma and the compounds in which it
    is the head or a modifier ("kasteball" counts "kasteballproblematikk"); ``exact`` counts its lemma only
    (:func:`term_matcher`). ``attrs["match"]`` says which ("compounds" or "exact") and ``attrs["matched"]``
    lists, per column, the lemmas that were counted, so a reader can check what a trend is made of.
    """
    groups = {t: [t] for t in terms} if not isinstance(terms, Mapping) else {k: list(v) for k, v in terms.items()}
    if not groups:
        raise UsageError("no terms given")
    matchers = {name: [term_matcher(p, exact) for p in patterns] for name, patterns in groups.items()}
    # match each distinct lemma once: corpora repeat a small vocabulary many times
    cache: dict[str, list[bool]] = {}
    names = list(groups)
    passage_ids: list[str] = []
    rows: list[np.ndarray] = []
    # streamed from the lemma cache: memory holds the counts (the result), not every passage's lemmas
    for passage_id, lemmas in passage_lemmas(corpus, kinds=tuple(kinds)):
        row = np.zeros(len(names), dtype=np.float64)
        for lemma in lemmas:
            hits = cache.get(lemma)
            if hits is None:
                hits = cache[lemma] = [any(m(lemma) for m in matchers[n]) for n in names]
            for j, hit in enumerate(hits):
                if hit:
                    row[j] += 1
        passage_ids.append(passage_id)
        rows.append(row)
    values = np.vstack(rows) if rows else np.zeros((0, len(names)), dtype=np.float64)
    if binary:
        values = (values > 0).astype(np.float64)
    frame = pd.DataFrame(values, index=pd.Index(passage_ids, name="passage_id"), columns=names)
    frame.attrs["match"] = MATCH_EXACT if exact else MATCH_COMPOUNDS
    frame.attrs["matched"] = {n: sorted(lem for lem, hits in cache.items() if hits[j]) for j, n in enumerate(names)}
    return frame
