"""Stop words: curated function-word lists per language, plus a domain list of frequent words without a theme.

Files: ``data/stopwords_nb.txt``, ``stopwords_nn.txt``, ``stopwords_en.txt`` (whitespace-separated words,
``#`` comments) and ``stopwords_domain.txt``. Extend them without editing the package: set
POLICYTEKST_STOPWORDS (all languages) or POLICYTEKST_DOMAIN_STOPWORDS to one or more files of the same format
(separated by the path separator), or pass ``extra=`` file paths.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from policytekst.nlp.resources import data_path, user_files

_FILES = {"nb": ("stopwords_nb.txt",), "nn": ("stopwords_nn.txt",), "en": ("stopwords_en.txt",),
          # Danish and Swedish passages are rare here: the Norwegian lists cover much of their function words
          "da": ("stopwords_nb.txt",), "sv": ("stopwords_nb.txt",)}


def _words(path: Path) -> set[str]:
    words: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0]
            words.update(w.lower() for w in line.split())
    return words


@lru_cache(maxsize=32)
def _stopwords(lang: str, domain: bool, extra: tuple[str, ...], env: tuple[str, str]) -> frozenset[str]:
    words: set[str] = set()
    for name in _FILES.get(lang, _FILES["nb"]):
        words |= _words(data_path(name))
    for path in user_files("POLICYTEKST_STOPWORDS", extra):
        words |= _words(path)
    if domain:
        words |= _words(data_path("stopwords_domain.txt"))
        for path in user_files("POLICYTEKST_DOMAIN_STOPWORDS"):
            words |= _words(path)
    return frozenset(words)


def stopwords(lang: str = "nb", domain: bool = False, *, extra: tuple[str | Path, ...] = ()) -> frozenset[str]:
    """Stop words of a language (lower case).

    Parameters
    ----------
    lang : str
        "nb", "nn", "en", "da" or "sv" ("da"/"sv" use the bokmål list).
    domain : bool
        Also include the domain list (frequent policy/report words that carry no theme).
    extra : tuple of paths
        More stop-word files to merge (same format as the shipped ones).

    Examples
    --------
    >>> "og" in stopwords("nb"), "arbeid" in stopwords("nb")
    (True, False)
    """
    env = (os.environ.get("POLICYTEKST_STOPWORDS", ""), os.environ.get("POLICYTEKST_DOMAIN_STOPWORDS", ""))
    return _stopwords((lang or "nb").lower(), bool(domain), tuple(str(p) for p in extra), env)
