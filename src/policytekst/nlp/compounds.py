"""Norwegian compounds: split a word into known parts, and find a lemma inside a compound.

Parts come from simplemma's bokmål dictionary (about 640,000 forms) plus the linking letters s and e that
Norwegian puts between parts ("brukermedvirkning-s-prosessen"). Used for dictionary matching and search:
``contains_lemma("kasteballproblematikken", "kasteball")`` is True.
"""

from __future__ import annotations

from policytekst.nlp.lemmas import _dictionary, _lang, _split
from policytekst.nlp.word_lemmas import lemma_of

MAX_WORD = 60
MIN_PART = 3
LINKS = ("", "s", "e")


def _known(piece: str, lang: str) -> bool:
    return len(piece) >= MIN_PART and _dictionary(lang).get(piece) is not None


def compound_parts(word: str, lang: str = "nb") -> list[str]:
    """The parts of a compound (fewest known parts), the last one lemmatised; a simple word gives itself.

    Examples
    --------
    >>> compound_parts("kasteballproblematikken")
    ['kasteball', 'problematikk']
    >>> compound_parts("bestiller-utførermodellen")
    ['bestiller', 'utfører', 'modell']
    """
    if not isinstance(word, str) or not word.strip():
        return []
    low = word.strip().lower()
    code = _lang(lang)
    pieces: list[str] = []
    for chunk in [c for c in low.split("-") if c]:
        if len(chunk) > MAX_WORD or _known(chunk, code) and chunk == lemma_of(chunk, lang):
            pieces.append(chunk)
            continue
        split = _split(chunk, code) if len(chunk) <= MAX_WORD else None
        if split is None or len(split) == 1:
            pieces.append(chunk)
        else:
            pieces.extend(split)
    if not pieces:
        return []
    pieces[-1] = lemma_of(pieces[-1], lang)
    return pieces


MIN_LEFT = 4  # a three-letter word in front ("pro" in "prosessen") is more often a syllable than a part


def _is_parts(piece: str, lang: str, min_len: int = MIN_PART) -> bool:
    piece = piece.strip("-")
    if not piece:
        return True
    return len(piece) >= min_len and (_known(piece, lang) or _split(piece, lang) is not None)


def contains_lemma(word: str, target: str, lang: str = "nb") -> bool:
    """True when ``target`` (a lemma) is the word's lemma or one of its compound parts or part sequences.

    Examples
    --------
    >>> contains_lemma("brukermedvirkningsprosessen", "medvirkning")
    True
    >>> contains_lemma("brukermedvirkningsprosessen", "brukermedvirkning")
    True
    >>> contains_lemma("kasteballproblematikken", "kasteball")
    True
    >>> contains_lemma("handel", "and"), contains_lemma("sorgen", "org")
    (False, False)
    """
    if not isinstance(word, str) or not isinstance(target, str) or not target.strip():
        return False
    code = _lang(lang)
    low = word.strip().lower()
    goal = target.strip().lower()
    word_lemma = lemma_of(low, lang).lower()
    goal_lemma = lemma_of(goal, lang).lower()
    if goal in (low, word_lemma) or goal_lemma in (low, word_lemma):
        return True
    for candidate in {low, word_lemma}:
        for needle in {goal, goal_lemma}:
            start = candidate.find(needle)
            while start >= 0:
                left, right = candidate[:start], candidate[start + len(needle):]
                left_ok = not left or _is_parts(left, code, MIN_LEFT) or (
                    len(left) > MIN_LEFT and left[-1:] in ("s", "e") and _is_parts(left[:-1], code, MIN_LEFT))
                right_ok = (not right or right.startswith("-")
                            or lemma_of(needle + right, lang).lower() == goal_lemma
                            or any(right.startswith(link) and _is_parts(right[len(link):], code)
                                   for link in LINKS))
                if left_ok and right_ok:
                    return True
                start = candidate.find(needle, start + 1)
    return False
