"""Tokenizing: words, numbers, hyphenated compounds, abbreviations, URLs and e-mail addresses as single tokens.

Punctuation comes out as separate tokens. A suspended compound part keeps its hyphen ("mål-" in "mål- og
resultatstyring") so later steps can see that it belongs to the following compound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from policytekst.nlp.resources import rows_with_user

_LETTER = r"[^\W\d_]"


@lru_cache(maxsize=8)
def abbreviations(extra: tuple[str | Path, ...] = ()) -> dict[str, bool]:
    """Known abbreviations (lower-cased, with their periods) -> True when they often end a sentence.

    The shipped list is ``nlp/data/abbreviations.txt``; add your own with the environment variable
    POLICYTEKST_ABBREVIATIONS or ``extra`` (files of the same format).
    """
    out: dict[str, bool] = {}
    for row in rows_with_user("abbreviations.txt", "POLICYTEKST_ABBREVIATIONS", extra):
        abbrev = row[0].lower()
        if not abbrev.endswith("."):
            continue
        out[abbrev] = len(row) > 1 and row[1] == "final"
    return out


def _build_pattern() -> re.Pattern[str]:
    known = sorted(abbreviations(), key=len, reverse=True)
    known_alt = "|".join(re.escape(a) for a in known)
    parts = [
        # URLs and web addresses (trailing sentence punctuation is left out of the token)
        r"(?:https?://|www\.)[^\s<>\"«»]+?(?=[.,;:!?)\]»\"']*(?:\s|$))",
        # e-mail addresses
        r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
        # bare domain names such as nav.no or regjeringen.no
        rf"{_LETTER}[\w-]*(?:\.[\w-]+)*\.(?:no|com|org|net|se|dk|eu|int|gov|edu)\b(?!\.\w)",
        # listed abbreviations (longest first), not glued to a preceding letter
        rf"(?<!\w)(?:{known_alt})(?!\w)" if known_alt else r"(?!x)x",
        # unlisted dotted abbreviations of short letter groups: m.a.o., ph.d., St.meld.
        rf"(?<!\w)(?:{_LETTER}{{1,6}}\.){{1,3}}{_LETTER}{{1,6}}\.(?!\w)",
        # an initial before a name: "Inge D. Hanssen"
        r"(?<![\w.])[A-ZÆØÅ]\.(?=\s+[A-ZÆØÅ][a-zæøå])",
        # ordinals before a lower-case word: "11. oktober", "5. ledd"
        r"\d{1,4}\.(?=\s+[a-zæøå])",
        # numbers with separators and ranges: 3,5  1.000  10:30  2004-2005  1960-tallet  §-tegn excluded
        r"\d+(?:[.,:]\d+)*(?:[-–]\w+)*",
        # words, hyphenated or apostrophed compounds, and a trailing hyphen of a suspended compound part
        r"\w+(?:[-'’]\w+)*(?:-(?=\s*(?:,|og\b|eller\b|samt\b|enn\b|/|til\b)))?",
        # ellipsis, then any other single non-space character
        r"\.{2,}|…|[^\w\s]",
    ]
    return re.compile("|".join(parts), re.UNICODE)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    return _build_pattern()


_CHUNK_CACHE: dict[object, list[str]] = {}
_CHUNK_CACHE_MAX = 300_000


def _tokenize_chunk(chunk: str, following: str) -> list[str]:
    """Tokens of one whitespace-free chunk; ``following`` (the next chunk) only feeds look-aheads."""
    joined = f"{chunk} {following}" if following else chunk
    limit = len(chunk)
    out = []
    for match in _pattern().finditer(joined):
        if match.start() >= limit:
            break
        out.append(match.group())
    return out


def tokenize(text: str) -> list[str]:
    """Split text into tokens.

    Parameters
    ----------
    text : str
        Any text; non-strings are converted with ``str``.

    Returns
    -------
    list[str]
        Tokens in order. Words, numbers, hyphenated compounds ("Nav-kontoret"), abbreviations ("f.eks.",
        "St.prp."), URLs and e-mail addresses are single tokens; punctuation is separate.

    Examples
    --------
    >>> tokenize("Se f.eks. St.prp. nr. 46 (2004-2005) om Nav-kontoret.")
    ['Se', 'f.eks.', 'St.prp.', 'nr.', '46', '(', '2004-2005', ')', 'om', 'Nav-kontoret', '.']
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    # No token spans whitespace, so the text is cut at whitespace and each chunk tokenized once and cached:
    # plain words take a fast path, and repeated chunks ("kommunen,", "2006.") cost one dictionary lookup.
    cache = _CHUNK_CACHE
    if len(cache) > _CHUNK_CACHE_MAX:
        cache.clear()
    chunks = text.split()
    out: list[str] = []
    append, extend = out.append, out.extend
    for chunk, following in zip(chunks, chunks[1:] + [""], strict=False):
        if chunk.isalpha():
            append(chunk)
            continue
        tokens = cache.get(chunk)
        if tokens is None:
            # only an initial ("D."), an ordinal ("11.") or a suspended part ("helse-") looks at the next word
            last = chunk[-1]
            if last == "-" or (last == "." and (len(chunk) == 2 or chunk[:-1].isdigit())):
                key = (chunk, following[:8])
                tokens = cache.get(key)
                if tokens is None:
                    tokens = cache[key] = _tokenize_chunk(chunk, following[:8])
            else:
                tokens = cache[chunk] = _tokenize_chunk(chunk, "")
        extend(tokens)
    return out


def iter_tokenize(texts: Iterable[str]) -> Iterable[list[str]]:
    """Tokenize a stream of texts lazily."""
    for text in texts:
        yield tokenize(text)
