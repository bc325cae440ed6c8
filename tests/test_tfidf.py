"""The one TF-IDF weighting (policytekst.tfidf): the scikit-learn vectoriser used for documents and the per-term
weight used for passages ("more like this") give the same numbers, and the document-frequency cut is the same."""

from __future__ import annotations

import math

import numpy as np
import pytest

from policytekst.tfidf import MAX_DF_SHARE, MIN_UNITS_FOR_CUTS, keeps, term_weight, vectorizer


def _collection(n_units: int) -> list[list[str]]:
    # "felles" in every unit (cut from MIN_UNITS_FOR_CUTS units on), "par" in two units, "egen{i}" in one
    return [["felles", "felles", f"egen{i}", *(["par"] * 3 if i < 2 else []), "kvart" if i % 4 == 0 else "halv"]
            for i in range(n_units)]


@pytest.mark.parametrize("n_units", [4, MIN_UNITS_FOR_CUTS, 24])
def test_vectoriser_and_term_weight_agree(n_units):
    units = _collection(n_units)
    model = vectorizer(n_units)
    matrix = model.fit_transform(units).toarray()
    vocabulary = model.vocabulary_
    dfs = {term: sum(term in unit for unit in units) for unit in units for term in unit}
    for row, unit in zip(matrix, units, strict=True):
        weights = {term: term_weight(unit.count(term), dfs[term], n_units) for term in set(unit)}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        for term, weight in weights.items():
            got = row[vocabulary[term]] if term in vocabulary else 0.0
            assert got == pytest.approx(weight / norm), term
        assert np.linalg.norm(row) == pytest.approx(1.0)
    # the term in every unit: kept in a handful of units, dropped once the collection is big enough
    assert ("felles" in vocabulary) == (n_units < MIN_UNITS_FOR_CUTS)
    assert "egen0" in vocabulary  # a term of one unit stays: it is part of what that unit says


def test_weight_rules():
    assert term_weight(0, 3, 100) == 0.0 and term_weight(2, 0, 100) == 0.0
    assert term_weight(1, 1, 100) > term_weight(1, 10, 100) > 0          # rarer is heavier
    assert term_weight(10, 10, 100) < 10 * term_weight(1, 10, 100)       # sublinear in tf
    assert not keeps(int(MAX_DF_SHARE * 100) + 1, 100) and keeps(int(MAX_DF_SHARE * 100), 100)
    assert keeps(5, 5)                                                    # small collections keep everything
