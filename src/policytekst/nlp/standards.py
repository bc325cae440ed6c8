"""Written standards: map a nynorsk lemma to its bokmål lemma, so both standards meet in one vocabulary.

This module is the one home of that mapping and of its switch. Search (index, queries, KWIC, through
:class:`StandardLemmatizer` and :func:`compound_terms_bokmal`) and the analyses
(:func:`policytekst.nlp.content_lemmas`, hence the passage lemma cache, topics, keyness, term trends and
similarity; the codebook matcher through :func:`read_as_bokmal`) all read nynorsk through :func:`bokmal_lemma`, so
"brukarmedverknad" is found by "brukermedvirkning" and the reverse, and "regjeringa" and "regjering" are one
term. How a lemma is mapped:

1. a shipped list of words no regular rule reaches (``data/nynorsk_bokmal.tsv``: "verte" -> "bli", "eg" -> "jeg",
   "tilsett" -> "ansatt");
2. a lemma bokmål knows as it is stays as it is ("behov", "ansvar", "vegvesen");
3. regular spelling correspondences (brukar -> bruker, verknad -> virkning, vanleg -> vanlig, heilskap -> helhet,
   verksemd -> virksomhet, teneste -> tjeneste), up to three at once, accepted only when the result is a word of
   simplemma's bokmål dictionary;
4. a compound is mapped part by part ("brukar|medverknad" -> "bruker|medvirkning").

A lemma none of these reach is kept as it is. Older bokmål and riksmål spellings ("efter", "nu", "sprog",
"hvad", "naar") are read as today's bokmål the same way (:func:`modern_lemma`: a shipped list,
``data/older_bokmal.tsv``, and the aa -> å, efter -> etter, sprog -> språk changes checked against the bokmål
dictionary, so compounds such as "efterspørsel" and "sprogbruk" follow). Set ``POLICYTEKST_STANDARDS=keep`` to
keep the standards and the old spellings apart (search indexes and caches record the setting and rebuild when it
changes).
"""

from __future__ import annotations

import functools

from policytekst.nlp.lemmas import _dictionary
from policytekst.nlp.resources import data_path, read_rows
from policytekst.nlp.word_lemmas import STANDARDS_ENV, WORD, WordLemmatizer, lemma_of, standards_kept_apart

# Bump this and word_lemmas.NLP_VERSION when the rules below change what a lemma maps to.
STANDARDS_VERSION = "2"  # 2: older bokmål spellings read as today's
ENV = STANDARDS_ENV

# nynorsk spelling -> bokmål spelling, tried in this order; each applies to every occurrence in the word
RULES: tuple[tuple[str, str], ...] = (
    ("verknad", "virkning"), ("sjuk", "syk"), ("nad", "ning"), ("verk", "virk"), ("semd", "somhet"), ("heit", "het"),
    ("leg", "lig"), ("ar", "er"), ("ande", "ende"), ("tene", "tjene"), ("heil", "hel"), ("øy", "ø"),
    ("au", "ø"), ("ei", "e"), ("kv", "hv"), ("dom", "het"), ("je", "e"), ("skap", "skap"), ("a", "e"),
    ("ing", "ning"), ("ng", "ning"), ("o", "u"), ("u", "o"), ("e", "i"), ("å", "a"),
)
MAX_RULES = 3
# Endings that are nynorsk whatever else the bokmål dictionary lists (it keeps many old and radical forms, such as
# "verknad"): a lemma with one is mapped by the rules even when bokmål knows it as it is.
NYNORSK_ENDINGS = ("verknad", "leg", "heit", "semd", "sjuk", "teneste")


def keep_apart() -> bool:
    """True when the user asked to keep nynorsk and bokmål apart (``POLICYTEKST_STANDARDS=keep``)."""
    return standards_kept_apart()


def fingerprint() -> str:
    """What derived data built with :func:`bokmal_lemma` depends on (version and the keep-apart switch)."""
    return f"std{STANDARDS_VERSION}-{'keep' if keep_apart() else 'merge'}"


@functools.lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    return {row[0].lower(): row[1].lower() for row in read_rows(data_path("nynorsk_bokmal.tsv")) if len(row) >= 2}


@functools.lru_cache(maxsize=1)
def _older() -> dict[str, str]:
    """Older spelling (and the lemma the lemmatiser gives it, when that is no bokmål word) -> today's lemma."""
    table: dict[str, str] = {}
    for row in read_rows(data_path("older_bokmal.tsv")):
        if len(row) < 2:
            continue
        old, new = row[0].lower(), lemma_of(row[1].lower(), "nb")
        table[old] = new
        lemma = lemma_of(old, "nb")
        if lemma not in (old, new) and not _is_bokmal(lemma):
            table.setdefault(lemma, new)  # "nuværende" is lemmatised as "nuvære"
    return table


# Spelling changes of the 1907-1938 reforms that reach compounds; a result counts only when bokmål knows it.
OLDER_RULES: tuple[tuple[str, str], ...] = (("aa", "å"), ("efter", "etter"), ("sprog", "språk"))


def modern_lemma(lemma: str, lang: str = "nb") -> str:
    """Today's bokmål lemma of an older bokmål/riksmål spelling ("efter" -> "etter", "naar" -> "når",
    "efterspørsel" -> "etterspørsel"); any other lemma, or any language but "nb", comes back as given.

    Examples
    --------
    >>> modern_lemma("efter"), modern_lemma("sprogbruk"), modern_lemma("kommune")
    ('etter', 'språkbruk', 'kommune')
    """
    if lang != "nb" or not lemma or keep_apart():
        return lemma
    return _modern(lemma.lower()) or lemma


@functools.lru_cache(maxsize=100_000)
def _modern(low: str) -> str | None:
    table = _older()
    if low in table:
        return table[low]
    if not any(old in low for old, _new in OLDER_RULES) or _is_bokmal(low):
        return None
    candidate = low
    for old, new in OLDER_RULES:
        candidate = candidate.replace(old, new)
        if candidate != low and _is_bokmal(candidate):
            return lemma_of(candidate, "nb")
    return None


def _is_bokmal(word: str) -> bool:
    return _dictionary("nb").get(word) is not None


def bokmal_lemma(lemma: str, lang: str = "nn") -> str:
    """The bokmål lemma of a lemma in ``lang`` (only "nn" is mapped; any other language comes back as given).

    Examples
    --------
    >>> bokmal_lemma("brukarmedverknad"), bokmal_lemma("verte"), bokmal_lemma("kommune")
    ('brukermedvirkning', 'bli', 'kommune')
    """
    if lang != "nn" or not lemma or keep_apart():
        return lemma
    return _map(lemma.lower())


@functools.lru_cache(maxsize=100_000)
def _map(low: str) -> str:
    lexicon = _lexicon()
    if low in lexicon:
        return lexicon[low]
    if not low.isalpha() or len(low) < 3:
        return low
    # a word bokmål knows whole stays whole ("vegvesen" is not "veivesen", though "veg" maps to "vei")
    if _is_bokmal(low) and not any(end in low for end in NYNORSK_ENDINGS):
        return low
    by_parts = _by_parts(low)
    if by_parts is not None:
        return by_parts
    return _by_rules(low) or low


def _by_rules(low: str) -> str | None:
    """The first bokmål word reached by up to MAX_RULES spelling rules, breadth first (fewest changes win)."""
    frontier = [low]
    seen = {low}
    for _ in range(MAX_RULES):
        following = []
        for word in frontier:
            for old, new in RULES:
                if old not in word:
                    continue
                candidate = word.replace(old, new)
                if candidate in seen:
                    continue
                seen.add(candidate)
                if _is_bokmal(candidate) and len(candidate) >= 3:
                    return _lexicon().get(candidate, candidate)
                following.append(candidate)
        frontier = following[:400]  # a long word has many rule paths; the cheap ones come first
    return None


def _by_parts(low: str) -> str | None:
    """A compound mapped part by part (linking letters kept), when some part changes; None otherwise."""
    # compounds imports the lemma layer too; imported here so this module loads without the splitter
    from policytekst.nlp.compounds import split_points

    points = split_points(low, "nn")
    if not points:
        return None
    bounds = [0, *points, len(low)]
    pieces = [low[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    out = []
    for k, piece in enumerate(pieces):
        link = ""
        if k < len(pieces) - 1 and piece[-1:] in ("s", "e") and not _is_word(piece):
            piece, link = piece[:-1], piece[-1]
        out.append(_map(piece) + link)
    mapped = "".join(out)
    return mapped if mapped != low else None


def to_bokmal(lemmas: list[str], lang: str) -> list[str]:
    """:func:`bokmal_lemma` for each lemma of a nynorsk text, :func:`modern_lemma` for each of a bokmål text (the
    list itself in other languages or when the standards are kept apart)."""
    if lang not in ("nn", "nb") or keep_apart():
        return lemmas
    if lang == "nb":
        return [(_modern(x.lower()) or x) if x else x for x in lemmas]
    return [_map(x.lower()) if x else x for x in lemmas]


def read_as_bokmal(word: str) -> str:
    """The bokmål lemma of a word of unknown written standard, read as nynorsk ("brukarmedverknaden" ->
    "brukermedvirkning"); a bokmål word comes back as its own lemma, mostly. For matchers that see words without
    the passage language (the codebook); the word itself when the standards are kept apart.
    """
    if keep_apart():
        return word
    low = word.lower()
    nynorsk = lemma_of(low, "nn")
    # a form bokmål knows is read as bokmål ("skjønn" is not nynorsk "skjønna"), unless the shipped list names its
    # nynorsk lemma ("tilsette" -> "ansatt": the bokmål dictionary keeps many radical forms)
    if _is_bokmal(low) and nynorsk not in _lexicon():
        return modern_lemma(lemma_of(low, "nb"))
    if _modern(low) is not None:
        return _modern(low)
    return bokmal_lemma(nynorsk, "nn")


def compound_terms_bokmal(word: str, lang: str = "nb") -> tuple[str, ...]:
    """:func:`policytekst.nlp.compounds.compound_terms` with the parts of a nynorsk word as bokmål lemmas."""
    from policytekst.nlp.compounds import compound_terms  # see _by_parts: the splitter loads on first use

    terms = compound_terms(word, lang)
    if lang == "nn" and terms and not keep_apart():
        return tuple(dict.fromkeys(bokmal_lemma(t, "nn") for t in terms))
    return terms


class StandardLemmatizer(WordLemmatizer):
    """The word lemmatiser with nynorsk lemmas read as their bokmål lemmas (:func:`bokmal_lemma`): the search
    index and queries use it, so a query in either written standard finds passages in both
    ("brukarmedverknad" <-> "brukermedvirkning"); ``POLICYTEKST_STANDARDS=keep`` keeps them apart."""

    def lemmas(self, words: list[str], lang: str = "nb") -> list[str]:
        """:func:`lemma_of` for each word, nynorsk lemmas as bokmål."""
        return to_bokmal(super().lemmas(words, lang), lang)

    def lemma(self, word: str, lang: str = "nb") -> str:
        """:func:`lemma_of`, a nynorsk lemma as bokmål, an older bokmål spelling as today's."""
        if lang == "nb":
            return modern_lemma(super().lemma(word, lang))
        return bokmal_lemma(super().lemma(word, lang), lang)

    def lemma_text(self, text: str, lang: str = "nb") -> str:
        """:func:`policytekst.nlp.word_lemmas.lemma_text`, nynorsk lemmas as bokmål, older spellings as today's."""
        if lang not in ("nn", "nb") or keep_apart():
            return super().lemma_text(text, lang)
        return " ".join(self.lemmas(WORD.findall(text.lower()), lang))


def _is_word(piece: str) -> bool:
    return piece in _lexicon() or _dictionary("nn").get(piece) is not None
