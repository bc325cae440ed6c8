"""Norwegian compounds: split a word into known parts, and find a lemma inside a compound.

Parts come from simplemma's bokmål dictionary (about 640,000 forms) plus the linking letters s and e that
Norwegian puts between parts ("brukermedvirkning-s-prosessen"). Used for dictionary matching and search:
``contains_lemma("kasteballproblematikken", "kasteball")`` is True.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from policytekst.nlp.lemmas import _dictionary, _lang, _split
from policytekst.nlp.word_lemmas import lemma_of

# Bump when the splitter's rules change what compound_terms gives: the search index's parts column records it.
SPLITTER_VERSION = "2"  # 2: modifiers must be base forms; three-letter heads after a long linked modifier
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


MAX_PARTS_WORD = 40  # longer "words" are glued PDF text, not compounds worth indexing


@functools.lru_cache(maxsize=200_000)
def compound_terms(word: str, lang: str = "nb") -> tuple[str, ...]:
    """The terms a compound is findable by: its parts (split down to dictionary words) and every run of
    neighbouring parts, a run that ends the word lemmatised; () for a word that is not a compound.

    The search index puts these in their own column and KWIC matches through them, so a query word matches a
    compound in which it is the head or a modifier, and both use this one function. The whole word is left out
    (it is already the word's own lemma).

    Examples
    --------
    >>> compound_terms("brukermedvirkningsprosessen")
    ('bruker', 'brukermedvirkning', 'medvirkning', 'medvirkningsprosess', 'prosess')
    >>> compound_terms("kasteballsproblematikken")
    ('kasteball', 'problematikk')
    >>> compound_terms("prosessen")
    ()
    """
    low = word.lower()
    if len(low) > MAX_PARTS_WORD or len(low) < 2 * MIN_PART or not low.isalpha():
        return ()
    leaves = _leaves(low, lang)
    if len(leaves) < 2:
        return ()
    # where each part starts in the word, so a run keeps its linking letters ("medvirkning-s-prosess")
    starts, pos = [], 0
    for leaf in leaves[:-1]:
        at = low.find(leaf, pos)
        if at < 0:  # a part that is not spelt as in the word: give the parts alone
            return tuple(sorted(set(leaves)))
        starts.append(at)
        pos = at + len(leaf)
    starts.append(pos)
    terms = set(leaves)
    n = len(leaves)
    for i in range(n):
        for j in range(i + 1, n):
            if i == 0 and j == n - 1:
                continue  # the whole word
            if j == n - 1:
                terms.add(lemma_of(low[starts[i]:], lang))
            else:
                terms.add(low[starts[i]:starts[j] + len(leaves[j])])
    terms.discard(low)
    terms.discard(lemma_of(low, lang))
    return tuple(sorted(t for t in terms if len(t) >= MIN_PART))


def _leaves(low: str, lang: str) -> list[str]:
    """The word split down to parts that do not split further (the last one lemmatised).

    The dictionary lists many compounds whole ("medvirkningsprosess", "velferdsstat"); those are split again
    when :func:`_split_whole` is sure enough, so "prosess" and "velferd" are found inside them.
    """
    if low.endswith("s") and len(low) > 2 * MIN_LEFT:
        # a genitive s: "sosialtjenestens" is "sosialtjenesten"+s, not sosial+tjen+est+ens
        leaves = _leaves_of(low, lang)
        if len(leaves) < 2 or len(leaves[-1]) < MIN_LEFT:
            without = _leaves_of(low[:-1], lang)
            if len(without) >= 2:
                return without
        return leaves
    return _leaves_of(low, lang)


def _leaves_of(low: str, lang: str) -> list[str]:
    code = _lang(lang)
    parts = compound_parts(low, lang)
    if len(parts) < 2:
        parts = list(_split_whole(lemma_of(low, lang), code) or [low])
        if len(parts) < 2:
            return parts
    if (sum(len(part) < MIN_LEFT for part in parts) > 1 or len(parts[-1]) < MIN_PART
            or parts[-1] in _ENDINGS or any(low.endswith(e) and low[:-len(e)].endswith(parts[-2]) for e in _ENDINGS)):
        return [low]  # several syllable-sized parts ("kri-sti-ans-and"): not a compound the lexicon knows
    if any(not _modifier(part, code) for part in parts[:-1]):
        return [low]  # a modifier that is an inflected form ("lov-isen-berg"): a name or a syllable run
    leaves: list[str] = []
    for k, part in enumerate(parts):
        sub = _split_whole(part, code)
        if sub is None:
            leaves.append(part)
        else:
            leaves.extend(sub[:-1])
            leaves.append(lemma_of(sub[-1], lang) if k == len(parts) - 1 else sub[-1])
    return leaves


def _modifier(part: str, code: str) -> bool:
    """A part can stand in front of another when the dictionary has it as a lemma (its own base form): "lov",
    "barnehage", "kasteball"; not an inflected form such as "isen" (is) in "lovisenberg" or "tilles"."""
    lemma = lemma_of(part, code)
    # an agent noun the dictionary only knows as a verb form ("utfører", "bestiller": utføre, bestille) is a base form
    return (part in _lemma_set(code) or lemma == part or part in _LINKED_FORMS
            or (part.endswith("er") and lemma == part[:-1]))


@functools.lru_cache(maxsize=4)
def _lemma_set(code: str) -> frozenset[str]:
    """Every base form the dictionary maps a word to ("bruker" is one, though the form "bruker" is also a verb)."""
    return frozenset(_dictionary(code).values())


# Modifier forms that are not base forms but are how Norwegian compounds spell the part (kept small: added when
# the gold list shows one).
_LINKED_FORMS = frozenset({"barne", "kvinne", "gate", "små", "store"})
_VOWELS = frozenset("aeiouyæøå")


# Inflection endings the dictionary also lists as words ("ens", "enes"): a "part" like that is an ending
# ("prosjekt-ets", "myndighet-enes"), not the head of a compound.
_ENDINGS = frozenset({"ene", "ens", "ets", "enes", "ers", "erne", "ernes", "nes", "ane", "ars"})
LONG_MODIFIER = 8  # letters (with a linking s) from which a modifier may carry a three-letter head
WHOLE_MIN = 5  # parts of a word the dictionary lists whole: shorter ones are mostly syllables ("tjen|este")


@functools.lru_cache(maxsize=200_000)
def _split_whole(word: str, code: str) -> tuple[str, str] | None:
    """A word the dictionary lists whole, read as modifier + head when that is near certain, else None.

    The modifier must be a dictionary lemma and the head a dictionary word; both have at least
    :data:`WHOLE_MIN` letters, or :data:`MIN_LEFT` with the linking s between them ("velferd-s-stat"). So
    "medvirkningsprosess" and "kommunehelsetjeneste" split, "kasteball", "problematikk" and "tjeneste" do not.
    """
    if len(word) < 2 * MIN_LEFT + 1:
        return None
    dictionary = _dictionary(code)
    best: tuple[str, str] | None = None
    for cut in range(MIN_LEFT, len(word) - MIN_PART + 1):
        head = word[:cut]
        for link in ("s", ""):
            if not word.startswith(link, cut):
                continue
            rest = word[cut + len(link):]
            shortest = MIN_LEFT if link else WHOLE_MIN
            # a short head after a long modifier that ends in a linking s or a vowel is a real head
            # ("barnehage|lov", "ekteskaps|lov", "arbeidsmiljø|lov"); after a consonant it is as often a suffix
            # ("nødvendig|vis", "fragment|ert")
            short_head = ((link or head[-1] in _VOWELS) and len(head) + len(link) >= LONG_MODIFIER
                          and len(rest) >= MIN_PART and lemma_of(rest, code) == rest and rest not in _ENDINGS)
            if len(head) < shortest or (len(rest) < shortest and not short_head) or dictionary.get(rest) is None:
                continue
            if dictionary.get(head) is None or lemma_of(head, code) != head:
                continue
            if best is None or len(rest) > len(best[1]):
                best = (head, rest)
    return best


def split_points(word: str, lang: str = "nb") -> list[int]:
    """Where a compound splits: offsets into the lower-cased word, a linking s/e kept with the part before it
    ("kasteballs|problematikken" -> [10]); [] for a word that is not a compound. Used to measure the splitter
    against hand-made splits.
    """
    low = word.lower()
    leaves = _leaves(low, lang) if low.isalpha() else [low]
    points: list[int] = []
    pos = 0
    for k in range(len(leaves) - 1):
        at = low.find(leaves[k], pos)
        if at < 0:
            return []
        end = at + len(leaves[k])
        following = leaves[k + 1]
        # the next part starts here or after one linking letter; the last part is lemmatised, so compare its stem
        stem = following[:max(MIN_PART, len(following) - 2)] if k + 1 == len(leaves) - 1 else following
        if low.startswith(stem, end):
            cut = end
        elif low[end:end + 1] in ("s", "e") and low.startswith(stem, end + 1):
            cut = end + 1
        else:
            return []
        points.append(cut)
        pos = cut
    return points


def split_quality(gold: Iterable[tuple[str, str]], lang: str = "nb") -> dict[str, float]:
    """Precision and recall of :func:`split_points` against hand-made splits ("kasteballs+problematikken").

    Returns boundary precision, recall and F1 (a split point counts when it is at the gold offset), the share of
    words split exactly as the gold, and how many words and gold compounds there were.
    """
    tp = fp = fn = exact = words = compounds = 0
    for word, split in gold:
        truth, pos = set(), 0
        for part in split.split("+")[:-1]:
            pos += len(part)
            truth.add(pos)
        found = set(split_points(word, lang))
        tp += len(found & truth)
        fp += len(found - truth)
        fn += len(truth - found)
        exact += found == truth
        words += 1
        compounds += bool(truth)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"words": words, "compounds": compounds, "precision": precision, "recall": recall, "f1": f1,
            "exact": exact / words if words else 0.0}
