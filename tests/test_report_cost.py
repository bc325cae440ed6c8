"""What makes the report cheaper must not change it: blocked similarity gives the same neighbours whatever the
block size, and passages read once per report section are the passages the database gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from policytekst.compare.similarity import document_vectors, nearest_neighbours


def test_nearest_neighbours_do_not_depend_on_the_block_size(demo_corpus):
    doc_ids, matrix = document_vectors(demo_corpus)
    assert len(doc_ids) > 5
    best, score = nearest_neighbours(matrix, chunk=512)
    for chunk in (None, 1, 3, 7):
        other_best, other_score = nearest_neighbours(matrix, chunk=chunk)
        np.testing.assert_array_equal(other_best, best)
        np.testing.assert_array_equal(other_score, score)  # bit for bit: a row's sums do not see its block


def test_passages_are_read_once_inside_reading_and_fresh_outside(demo_corpus, monkeypatch):
    reads = {"n": 0}
    original = type(demo_corpus.store).passages_table

    def counting(self, *args, **kwargs):
        reads["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(demo_corpus.store), "passages_table", counting)
    plain = demo_corpus.passages_frame()
    with demo_corpus.reading():
        first = demo_corpus.passages_frame()
        first["added"] = 1  # a caller's own column must not leak into the next caller's frame
        second = demo_corpus.passages_frame()
        everything = demo_corpus.passages_frame(kinds=None)
        with demo_corpus.reading():  # nested: the outer memo stays
            third = demo_corpus.passages_frame()
    after = demo_corpus.passages_frame()
    assert reads["n"] == 1 + 2 + 1  # outside, once per argument set inside, outside again
    pd.testing.assert_frame_equal(second, plain)
    pd.testing.assert_frame_equal(third, plain)
    pd.testing.assert_frame_equal(after, plain)
    assert "added" not in second and len(everything) >= len(plain)


def test_bootstrap_weights_drawn_in_blocks_are_the_draws_made_at_once(monkeypatch):
    from policytekst.compare import trends

    for n_docs, n_boot in ((16_000, 300), (1_600, 1_000), (7, 1_000), (2, 3)):
        at_once = np.random.default_rng([0, 3]).multinomial(n_docs, np.full(n_docs, 1.0 / n_docs),
                                                            size=n_boot).astype(float)
        for cells in (trends.BOOT_BLOCK_CELLS, 5 * n_docs, 1):
            monkeypatch.setattr(trends, "BOOT_BLOCK_CELLS", cells)
            blocked = trends._resample_weights(np.random.default_rng([0, 3]), n_docs, n_boot)
            np.testing.assert_array_equal(blocked, at_once)
