"""Keyness between two groups of passages: log-likelihood G2 with p-values and Log Ratio effect size.

G2 (Dunning 1993; Rayson & Garside 2000) says how sure we are that a term's rate differs between the groups;
Log Ratio (Hardie 2014) says how big the difference is: log2 of the ratio of relative frequencies, +1 means
twice as frequent in group A. Both are reported because with large corpora tiny differences get huge G2.

Thousands of terms are tested at once, so ``p_adjusted`` corrects the p-values for multiple testing:
Benjamini-Hochberg (false discovery rate, the default) or Bonferroni (family-wise error), over every term tested
(after ``min_count`` and ``exclude_names``, before ``max_terms``). Names can be left out (``exclude_names``; see
:mod:`policytekst.nlp.names` for the heuristics). Lemmas come from the corpus's lemma cache, so nynorsk and
bokmål forms are merged exactly when the written-standard normalisation is on
(:func:`policytekst.nlp.word_lemmas.standards_kept_apart`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from policytekst.compare.groups import Group, describe_group, group_mask, passage_table
from policytekst.compare.terms import MATCH_COMPOUNDS, MATCH_EXACT, term_matcher
from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.nlp.names import name_lemmas
from policytekst.topics.units import passage_lemma_lists

KEYNESS_COLUMNS = ["term", "count_a", "count_b", "g2", "p_value", "p_adjusted", "log_ratio", "passages"]
ADJUSTMENTS = ("bh", "bonferroni", "none")


def g2_statistic(a: np.ndarray, b: np.ndarray, total_a: float, total_b: float) -> np.ndarray:
    """Log-likelihood G2 of the full 2x2 table per term (term vs all other tokens, group A vs B), as in
    Dunning (1993) and quanteda; the two-cell shortcut of Rayson & Garside drops the "other tokens" cells."""
    observed = [np.asarray(a, dtype=float), np.asarray(b, dtype=float)]
    observed += [total_a - observed[0], total_b - observed[1]]
    n = total_a + total_b
    row_term = observed[0] + observed[1]
    expected = [total_a * row_term / n, total_b * row_term / n, total_a * (n - row_term) / n,
                total_b * (n - row_term) / n]
    g2 = np.zeros_like(observed[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for o, e in zip(observed, expected, strict=True):
            g2 += np.where(o > 0, o * np.log(o / e), 0.0)
    return 2 * g2


def log_ratio(a: np.ndarray, b: np.ndarray, total_a: float, total_b: float) -> np.ndarray:
    """log2 of relative frequency in A over B; zero counts get 0.5 (Hardie's adjustment) to stay finite."""
    a = np.where(np.asarray(a) == 0, 0.5, a)
    b = np.where(np.asarray(b) == 0, 0.5, b)
    return np.log2((a / total_a) / (b / total_b))


def adjust_p_values(p_values: np.ndarray, method: str = "bh") -> np.ndarray:
    """p-values corrected for testing many terms: "bh" (Benjamini-Hochberg step-up: p * m / rank, made monotone
    from the largest rank down, capped at 1), "bonferroni" (p * m, capped at 1) or "none"."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    if method != "bh":
        raise UsageError(f"p-value adjustment {method!r}: choose {', '.join(ADJUSTMENTS)}")
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    scaled = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(scaled, 1.0)
    return adjusted


def _column_names(group: Group) -> list[str]:
    return [] if callable(group) else list(group)


def keyness(corpus, group_a: Group, group_b: Group, kinds: Sequence[str] = ANALYSIS_KINDS, min_count: int = 5,
            n_passages: int = 3, max_terms: int | None = None, terms: Sequence[str] | None = None,
            exact: bool = False, exclude_names: bool = False, adjust: str = "bh") -> pd.DataFrame:
    """Terms whose frequency differs between two groups of passages.

    Parameters
    ----------
    group_a, group_b : filters on document variables, e.g. {"year": (None, 2005)} and {"year": (2006, None)},
        {"genre": "masteroppgave"}; see :func:`policytekst.compare.groups.group_mask`.
    min_count : terms with fewer occurrences in both groups together are left out (G2 is unreliable there).
    n_passages : passage ids listed per term: where the term is most frequent in the group it is key for.
    max_terms : keep only the top terms by G2.
    terms : look these terms up instead of ranking every lemma: one row each (``min_count`` does not apply),
        counting the term's lemma and the compounds in which it is the head or a modifier, as term trends do
        (:func:`policytekst.compare.terms.term_matcher`; globs allowed).
    exact : with ``terms``, count each term's own lemma only.
    exclude_names : leave out proper names (capitalised inside sentences in these passages, or on a name list;
        :func:`policytekst.nlp.names.name_lemmas`). Looked-up ``terms`` are never left out.
    adjust : multiple-testing correction for ``p_adjusted``: "bh" (Benjamini-Hochberg), "bonferroni" or "none".

    Returns
    -------
    DataFrame(term, count_a, count_b, g2, p_value, p_adjusted, log_ratio, passages), by G2 descending. log_ratio > 0:
    key for group A; < 0: key for group B. ``passages`` is a list of passage ids. With ``terms``,
    ``attrs["match"]`` is "compounds" or "exact" and ``attrs["matched"]`` lists the lemmas counted per term.
    """
    if adjust not in ADJUSTMENTS:
        raise UsageError(f"p-value adjustment {adjust!r}: choose {', '.join(ADJUSTMENTS)}")
    frame = passage_table(corpus, sorted(set(_column_names(group_a)) | set(_column_names(group_b))), kinds)
    in_a = dict(zip(frame["passage_id"], group_mask(frame, group_a), strict=True))
    in_b = dict(zip(frame["passage_id"], group_mask(frame, group_b), strict=True))
    for name, group, members in (("A", group_a, in_a), ("B", group_b, in_b)):
        if not any(members.values()):
            raise UsageError(f"group {name} ({describe_group(group)}) matches no passages in {corpus.directory}")
    units = passage_lemma_lists(corpus, kinds)
    count_a: Counter[str] = Counter()
    count_b: Counter[str] = Counter()
    # per term, where it occurs most (for the passages column); kept as (count, passage) per group
    where: dict[str, list[tuple[int, str, str]]] = {}
    for pid, lemmas in zip(units.passage_ids, units.lemmas, strict=True):
        a, b = in_a.get(pid, False), in_b.get(pid, False)
        if not (a or b):
            continue
        local = Counter(lemmas)
        if a:
            count_a.update(local)
        if b:
            count_b.update(local)
        for term, n in local.items():
            where.setdefault(term, []).append((n, pid, "a" if a else "b"))
    total_a, total_b = sum(count_a.values()), sum(count_b.values())
    if total_a == 0 or total_b == 0:
        raise UsageError("one of the groups has no words after lemmatisation")
    matched: dict[str, list[str]] | None = None
    if terms is not None:
        if not terms:
            raise UsageError("no terms given")
        matched = _pool(list(dict.fromkeys(terms)), exact, count_a, count_b, where)
        terms = list(matched)
    else:
        terms = sorted(t for t in set(count_a) | set(count_b) if count_a[t] + count_b[t] >= min_count)
    excluded: list[str] = []
    if exclude_names and matched is None:
        names = name_lemmas(p.text for p in corpus.passages(kinds=kinds)
                            if in_a.get(p.passage_id, False) or in_b.get(p.passage_id, False))
        excluded = [t for t in terms if t in names]
        terms = [t for t in terms if t not in names]
    a = np.array([count_a[t] for t in terms], dtype=float)
    b = np.array([count_b[t] for t in terms], dtype=float)
    g2 = g2_statistic(a, b, total_a, total_b)
    ratio = log_ratio(a, b, total_a, total_b)
    table = pd.DataFrame({"term": terms, "count_a": a.astype(int), "count_b": b.astype(int), "g2": g2,
                          "p_value": chi2.sf(g2, df=1), "log_ratio": ratio})
    table["p_adjusted"] = adjust_p_values(table["p_value"].to_numpy(), adjust)
    table = table.sort_values(["g2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if max_terms is not None:
        table = table.head(max_terms)
    lists = []
    for term, lr in zip(table["term"], table["log_ratio"], strict=True):
        side = "a" if lr > 0 else "b"
        hits = sorted((h for h in where.get(term, []) if h[2] == side), key=lambda h: (-h[0], h[1]))
        lists.append([pid for _, pid, _ in hits[:n_passages]])
    table["passages"] = lists
    table.attrs.update({"group_a": describe_group(group_a), "group_b": describe_group(group_b),
                        "tokens_a": total_a, "tokens_b": total_b, "min_count": min_count,
                        "adjust": adjust, "n_tested": len(terms), "exclude_names": exclude_names,
                        "excluded_names": excluded,
                        "corpus_generation": corpus.generation})
    if matched is not None:
        table.attrs.update({"match": MATCH_EXACT if exact else MATCH_COMPOUNDS, "matched": matched})
    return table[KEYNESS_COLUMNS]


def _pool(terms: list[str], exact: bool, count_a: Counter[str], count_b: Counter[str],
          where: dict[str, list[tuple[int, str, str]]]) -> dict[str, list[str]]:
    """Pool the counts of the lemmas each looked-up term matches under the term's own name (in place).

    Returns the lemmas counted per term. A term's own entry is replaced by its pooled one, so the look-up
    "kasteball" counts "kasteball" and "kasteballproblematikk" once each.
    """
    vocabulary = sorted(set(count_a) | set(count_b))
    pooled: dict[str, tuple[int, int, list[tuple[int, str, str]], list[str]]] = {}
    for term in terms:
        match = term_matcher(term, exact)
        lemmas = [lem for lem in vocabulary if match(lem)]
        places: dict[tuple[str, str], int] = {}
        for lem in lemmas:
            for n, pid, side in where.get(lem, ()):
                places[(pid, side)] = places.get((pid, side), 0) + n
        pooled[term] = (sum(count_a[lem] for lem in lemmas), sum(count_b[lem] for lem in lemmas),
                        [(n, pid, side) for (pid, side), n in places.items()], lemmas)
    for term, (a, b, hits, _) in pooled.items():
        count_a[term], count_b[term], where[term] = a, b, hits
    return {term: entry[3] for term, entry in pooled.items()}
