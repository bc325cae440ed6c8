"""Line-end hyphenation: join true word splits, keep compound and suspended hyphens.

Decided in this order, each rule a fact about Norwegian orthography or about the document itself:
1. a suspended hyphen is followed by a conjunction ("helse- og", "arbeids- eller"): keep "helse- og"
   (unless the two parts form a dictionary word, as "inn-" + "til" = "inntil");
2. digits ("2006-2007", "CO2-avgift"), acronyms ("NAV-kontoret", "OSK-saker") and a capital after the hyphen
   ("Midt-Norge") mean a real hyphen;
3. the document's own usage elsewhere (the joined or hyphenated form written mid-line) decides;
4. the lexicon: the joined form is a known word or compound -> join; the hyphenated form is known -> keep;
   both halves are words but the join is not one -> keep (a hyphenated compound);
5. otherwise the halves are syllables of one word split by the typesetter -> join.
"""

from __future__ import annotations

import re
from collections import Counter

from policytekst.clean import lexicon

SUSPENDED_NEXT = frozenset({"og", "eller", "samt", "til", "enn", "and", "or", "nor", "&", "el.", "og/eller"})
_TOKEN = re.compile(r"\w+(?:-\w+)*")
_WORD_END = re.compile(r"(\w+)$")
_WORD_START = re.compile(r"^(\w+)")

JOIN, KEEP, SUSPENDED = "join", "keep", "suspended"


def usage_counts(text: str) -> Counter:
    """Lower-cased tokens of a document (hyphenated compounds as one token): the document's own usage."""
    flat = text.replace("-\n", " ")
    counts = Counter(t.lower() for t in _TOKEN.findall(flat))
    # hyphenated prefixes written mid-line ("bestiller-" in "bestiller-utfører"), keyed "prefix-"
    for match in re.finditer(r"(?<![\w-])(\w{3,})-(?=\w)", flat):
        counts[match.group(1).lower() + "-"] += 1
    return counts


def decide(left: str, right: str, usage: Counter | None = None) -> str:
    """How to mend ``left`` + "-" + line break + ``right`` (the word parts around a line-end hyphen)."""
    if not left or not right:
        return KEEP
    if right.lower() in SUSPENDED_NEXT:
        # "inn-til" is the word "inntil" split by the typesetter; "helse- og" is never a word
        return JOIN if lexicon.is_word(left + right) and len(left) > 2 else SUSPENDED
    if any(c.isdigit() for c in left) or right[0].isdigit():
        return KEEP
    if left.isupper() and right.isupper() and len(left) + len(right) > 3:
        joined = left + right
        return JOIN if lexicon.is_compound(joined) else KEEP
    if sum(c.isupper() for c in left) >= 2 or (left.isupper() and len(left) <= 4 and len(left) > 1):
        return KEEP
    if right[0].isupper():
        return KEEP
    joined, hyphened = (left + right).lower(), f"{left}-{right}".lower()
    if usage:
        n_joined, n_hyphened = usage.get(joined, 0), usage.get(hyphened, 0)
        if n_hyphened > n_joined:
            return KEEP
        if n_joined > n_hyphened:
            return JOIN
        # the first part used as a hyphenated prefix elsewhere ("bestiller-utfører") marks a hyphen compound
        if len(left) >= 4 and usage.get(left.lower() + "-", 0):
            return KEEP
    if lexicon.is_word(joined):
        return JOIN
    if lexicon.is_word(hyphened):
        return KEEP
    # a short capitalised first part that only makes a compound, not a dictionary word, is a name or an
    # acronym written in title case: "Nav-kontoret", "Oslo-regionen"
    if left[0].isupper() and len(left) <= 4:
        return KEEP
    if lexicon.is_compound(joined):
        return JOIN
    if len(left) >= 3 and lexicon.is_word(left) and lexicon.is_compound(right):
        return KEEP
    return JOIN


def mend(first: str, second: str, usage: Counter | None = None) -> str | None:
    """Join two lines when ``first`` ends with a hyphen; None when ``first`` does not end with a hyphen.

    Handles "word-" and "word -" (a space some PDF producers put before the hyphen).
    """
    stripped = first.rstrip()
    if not stripped.endswith("-") or len(stripped) < 2:
        return None
    spaced = stripped.endswith(" -")
    body = stripped[:-2] if spaced else stripped[:-1]
    # only the tail: ``first`` may be a whole paragraph being re-flowed, and a $-anchored search scans it all
    left_match = _WORD_END.search(body, max(0, len(body) - 80))
    nxt = second.lstrip()
    right_match = _WORD_START.match(nxt)
    if left_match is None or right_match is None:
        if spaced:  # a dash between phrases, not a hyphen
            return stripped + " " + nxt
        if right_match is None and nxt[:1] in "”\"»)":
            return stripped + nxt
        return stripped + nxt if right_match is not None else stripped + " " + nxt
    left, right = left_match.group(1), right_match.group(1)
    tail = body.rsplit(None, 1)[-1] if body.split() else ""
    if re.fullmatch(r"[\d.,]+", tail) and right[0].isupper():
        # "... 18,5 -" then "Arbeidsgiveravgift ...": a table row ending in a figure or a nil dash, and the
        # next row; "2,5-Avgiftskategori" is never a word
        return stripped + " " + nxt
    verdict = decide(left, right, usage)
    if verdict == SUSPENDED:
        return body + "- " + nxt
    if verdict == JOIN:
        return body + nxt
    if spaced and not (left_match and right_match):
        return body + " - " + nxt
    return body + "-" + nxt
