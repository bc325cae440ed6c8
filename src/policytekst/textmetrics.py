"""Agreement between an extracted text and its truth: bag-of-words F1 over words and over word trigrams.

One home for the measure that cleaning, layout and OCR results are held to (tests, benchmarks and scripts).

Examples
--------
>>> bag_f1("a b c".split(), "a b d".split())
0.6666666666666666
>>> bag_f1(trigrams("a b c d".split()), trigrams("a b c d".split()))
1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def bag_f1(found: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """F1 of two bags (order ignored, repeats counted); 0.0 when either is empty or they share nothing."""
    overlap = sum((Counter(found) & Counter(truth)).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / len(found), overlap / len(truth)
    return 2 * precision * recall / (precision + recall)


def trigrams(tokens: Sequence[str]) -> list[tuple[str, str, str]]:
    """Consecutive word triples: their F1 also sees word order (a column read in the wrong order drops it)."""
    return [(tokens[i], tokens[i + 1], tokens[i + 2]) for i in range(len(tokens) - 2)]
