"""Which lemmas are proper names: capitalisation inside sentences, and name lists.

Keyness on real text is easily dominated by names (the minister of the day, a municipality, a party): true
differences, but rarely the ones a discourse study looks for. Two heuristics, both documented where they are used
(``keyness --exclude-names``):

1. Capitalisation: a word that is written with a capital letter (and is not all capitals) in at least ``share`` of
   its occurrences *inside* a sentence -- not first in a sentence, a list item or after a colon -- is a name
   ("Stoltenberg", "Bergen", "KrF"). All-capital acronyms ("NAV", "NOU") are not counted either way: in policy
   texts they name institutions and reforms that a reader usually wants to keep.
2. Name lists: the shipped ``data/names_with_s.txt`` (first names) plus any files named in the environment
   variable ``POLICYTEKST_NAMES`` (one name a line, ``#`` comments; several files separated by the path separator).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from policytekst.nlp.word_lemmas import lemma_of

NAMES_ENV = "POLICYTEKST_NAMES"
_DATA = Path(__file__).with_name("data")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# what may come right before a sentence-initial word (after whitespace, quotes and brackets are skipped)
_OPENERS = frozenset(".!?:;•–—-*")
_SKIP = " \t\r\n\"'«»“”‘’()[]"


def _read_list(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line.lower())
    return names


@lru_cache(maxsize=4)
def _listed(env_value: str) -> frozenset[str]:
    names = _read_list(_DATA / "names_with_s.txt")
    for part in filter(None, env_value.split(os.pathsep)):
        path = Path(part)
        if path.is_file():
            names |= _read_list(path)
    return frozenset(names | {lemma_of(n) for n in names})


def listed_names() -> frozenset[str]:
    """Lower-case names (and their lemmas) from the shipped list and the ``POLICYTEKST_NAMES`` files."""
    return _listed(os.environ.get(NAMES_ENV, ""))


def capitalisation_counts(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """(capitalised, all) occurrences per lower-case word form, counting only words inside a sentence."""
    capital: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group(0)
            if len(word) < 2 or word.isupper():
                continue
            before = text[:match.start()].rstrip(_SKIP)
            if not before or before[-1] in _OPENERS:
                continue  # first word of a sentence, item or clause after a colon: capital tells nothing
            low = word.lower()
            total[low] += 1
            if word[0].isupper():
                capital[low] += 1
    return capital, total


def name_lemmas(texts: Iterable[str], share: float = 0.9, min_count: int = 2, lang: str = "nb") -> set[str]:
    """Lemmas (and lower-case forms) judged to be names in ``texts``, plus the listed names.

    Parameters
    ----------
    texts : the passages to learn capitalisation from (the groups being compared).
    share : a form is a name when at least this share of its in-sentence occurrences is capitalised.
    min_count : ... and it occurs at least this often inside sentences (one capitalised word proves nothing).
    """
    capital, total = capitalisation_counts(texts)
    names = set(listed_names())
    for form, n in total.items():
        if n >= min_count and capital[form] >= share * n:
            names.add(form)
            names.add(lemma_of(form, lang))
    # a lemma shared with a common word ("Berg" and "berg") is kept when the lower-case form is frequent
    for form in list(names):
        if total.get(form, 0) >= min_count and capital.get(form, 0) < share * total[form] and form not in \
                listed_names():
            names.discard(form)
    return names
