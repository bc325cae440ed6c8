"""Codebook coding (issue 19, item 4): per distinct word with sparse matrices (Codebook.score_matrix, what
`themes table`, `examples` and the report use) against the word-by-word matcher it replaced (score_words on each
passage), on the texts of the Storting questions. Both start from a fresh codebook (cold per-word caches) in every
run; medians of alternating runs. The numbers are checked equal before the times are taken.

Usage: python benchmarks/bench_coding.py [--rows 8000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys

import numpy as np
from benchlib import SHARED, alternate, context, ratio, summary

TABLE = SHARED / "data/storting_questions/storting_questions_1996_2015.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=8000, help="questions coded per run (0 = all 32,315)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not TABLE.is_file():
        sys.exit(f"Storting questions not found at {TABLE}")
    from policytekst.themes.codebook import Codebook, words_of

    with gzip.open(TABLE, "rt", encoding="utf-8", newline="") as handle:
        texts = [row["question"] or "" for row in csv.DictReader(handle)]
    if args.rows:
        texts = texts[:: max(1, len(texts) // args.rows)][: args.rows]
    word_lists = [words_of(t) for t in texts]
    context()
    data = Codebook.default().to_dict()

    def fast() -> np.ndarray:
        return Codebook.from_dict(data).score_matrix(word_lists)

    def word_by_word() -> np.ndarray:
        book = Codebook.from_dict(data)
        return np.array([list(book.score_words(w).values()) for w in word_lists])

    assert np.allclose(fast(), word_by_word(), rtol=0, atol=1e-9)
    times = alternate({"per distinct word": fast, "word by word": word_by_word}, repeats=args.repeats)
    n_words = sum(map(len, word_lists))
    for name, seconds in times.items():
        print(f"  {name:18s} {seconds:6.2f} s  {len(texts) / seconds:8.0f} passages/s  {n_words / seconds:10.0f} words/s")
    speedup = ratio(times["word by word"], times["per distinct word"])
    print(f"  {len(texts)} passages, {n_words} words; speed-up {speedup:.1f}x (medians of {args.repeats} alternating runs)")
    summary("codebook coding", "speed-up vs word-by-word matcher", speedup, "> 1")
    summary("codebook coding", "passages/s (cold caches)", len(texts) / times["per distinct word"], "")


if __name__ == "__main__":
    main()
