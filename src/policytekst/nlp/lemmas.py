"""Lemmatizing: simplemma's dictionaries for bokmål, nynorsk, English, Danish and Swedish, plus rules.

The rules follow the Universal Dependencies Norwegian conventions and hold for unseen text:

* closed-class words (pronouns, determiners, auxiliaries) come from a shipped table (``data/closed_class.tsv``);
* domain words come from ``data/lemma_exceptions.tsv`` (users add their own, see :mod:`resources`);
* a capitalised word inside a sentence is a proper noun: it keeps its form, minus a genitive ``s``
  ("Høyres" -> "Høyre", "NATOs" -> "NATO"); a capitalised word at the start of a sentence is lemmatised as a
  common word only when the dictionary knows it in lower case;
* hyphenated compounds are lemmatised by their last part ("Nav-kontoret" -> "Nav-kontor");
* unknown genitives and weak past participles fall back to their known base ("statens" -> "stat",
  "opplevet" -> "oppleve");
* numbers, punctuation, URLs and odd tokens come back unchanged; the function never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import simplemma
from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

from policytekst.nlp.resources import data_path, read_rows, rows_with_user

SIMPLEMMA_LANGS = {"nb": "nb", "nn": "nn", "en": "en", "da": "da", "sv": "sv", "no": "nb"}
NORWEGIAN = ("nb", "nn")
# Tokens after which the next word starts a sentence (and may be capitalised for that reason alone).
SENTENCE_OPENERS = frozenset({".", "!", "?", ":", "-", "–", "—", "...", "…", ";"})
# After an opening quote a capitalised word may start quoted speech or be a title («Min kamp»): only
# closed-class words are then read as common words.
QUOTES = frozenset({"«", '"', "“", "'", "‘", "(", "»", "”", ")"})
# Names ending in these letters are rarely genitives (Paris, Carlos, Marcus, Lewis); other endings are
# stripped ("Espens", "Høyres", "Obamas").
_GENITIVE_KEEP = re.compile(r"(?:[sS][sS]|[xzXZ]|[iouyIOUY][sS])$")
_UPPER_ACRONYM_GENITIVE = re.compile(r"^[A-ZÆØÅ0-9]{2,}s$")  # NATOs, SVs, NAVs
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _lang(lang: str | None) -> str:
    return SIMPLEMMA_LANGS.get((lang or "nb").lower(), "nb")


@lru_cache(maxsize=8)
def _dictionary(lang: str):
    return DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)


MIN_PART = 3  # shorter compound parts ("ku", "is") would match almost anywhere
LINKS = ("", "s", "e")  # Norwegian linking letters between compound parts
MAX_COMPOUND = 60


@lru_cache(maxsize=100_000)
def _split(word: str, lang: str) -> tuple[str, ...] | None:
    """Fewest dictionary words that spell ``word`` (linking s/e allowed, last part may be inflected)."""
    dictionary = _dictionary(lang)
    if len(word) >= MIN_PART and dictionary.get(word) is not None:
        return (word,)
    if len(word) > MAX_COMPOUND:  # garbage such as glued PDF text: no real compound is this long
        return None
    best: tuple[str, ...] | None = None
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[:cut]
        if dictionary.get(head) is None:
            continue
        for link in LINKS:
            rest = word[cut:]
            if link:
                if not rest.startswith(link):
                    continue
                rest = rest[len(link):]
            rest = rest.lstrip("-")
            tail = _split(rest, lang) if len(rest) >= MIN_PART else None
            if tail is None:
                continue
            candidate = (head, *tail)
            if best is None or len(candidate) < len(best) or (
                    len(candidate) == len(best) and len(candidate[-1]) > len(best[-1])):
                best = candidate
    return best


# Derivational suffixes whose inflection is regular: an unknown word ending in one of the forms on the
# right has the lemma ending on the left ("uforutsigbarheten" -> "uforutsigbarhet").
_SUFFIXES = (
    ("het", ("hetene", "heten", "heter")),
    ("ning", ("ningene", "ningen", "ninger")),
    ("else", ("elsene", "elsen", "elser")),
    ("sjon", ("sjonene", "sjonen", "sjoner")),
    ("itet", ("itetene", "iteten", "iteter")),
    ("skap", ("skapene", "skapet", "skaper")),
    ("dom", ("dommene", "dommen", "dommer")),
    ("ing", ("ingene", "ingen", "inger")),
    ("ment", ("mentene", "mentet", "menter")),
    ("isme", ("ismene", "ismen", "ismer")),
)


def _suffix_lemma(low: str) -> str | None:
    for lemma_end, forms in _SUFFIXES:
        for form in forms:
            if low.endswith(form) and len(low) - len(form) >= 3:
                return low[: len(low) - len(form)] + lemma_end
    return None


@lru_cache(maxsize=1)
def _names_with_s() -> frozenset[str]:
    return frozenset(row[0] for row in read_rows(data_path("names_with_s.txt")))


@lru_cache(maxsize=16)
def _overrides(lang: str, extra: tuple[str | Path, ...] = ()) -> dict[str, str]:
    """Closed-class table and domain exceptions for ``lang`` (user rows last, so they win)."""
    table: dict[str, str] = {}
    rows = list(read_rows(data_path("closed_class.tsv")))
    if lang in NORWEGIAN:
        rows += list(rows_with_user("lemma_exceptions.tsv", "POLICYTEKST_LEMMAS", extra))
    for row in rows:
        if len(row) < 2:
            continue
        row_lang = row[2] if len(row) > 2 else "*"
        if row_lang == lang or (row_lang == "*" and lang in NORWEGIAN):
            table[row[0].lower()] = row[1]
    return table


def known(word: str, lang: str = "nb") -> bool:
    """True when the word is a form or lemma in the dictionary of ``lang`` (exact case)."""
    try:
        return _dictionary(_lang(lang)).get(word) is not None
    except Exception:  # noqa: BLE001 - a lookup must never break a pipeline
        return False


def _simple(word: str, lang: str) -> str:
    try:
        return simplemma.lemmatize(word, lang=lang)
    except Exception:  # noqa: BLE001 - odd tokens (empty, control characters) come back unchanged
        return word


class _Lemmatizer:
    """Per-language lemmatizer with word caches (a lemma depends on the form and on sentence position)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.overrides = _overrides(lang)
        self.dictionary = _dictionary(lang)
        self.mid: dict[str, str] = {}
        from policytekst.nlp.stopword_lists import stopwords

        self.function_words = frozenset(self.overrides) | (stopwords(lang) if lang in NORWEGIAN else frozenset())
        self.initial: dict[str, str] = {}

    # -- common words -----------------------------------------------------------------------------------
    def common(self, low: str) -> str:
        """Lemma of a lower-case word."""
        if low in self.overrides:
            return self.overrides[low]
        if "-" in low.strip("-") and self.lang in NORWEGIAN:
            head, _, last = low.rpartition("-")
            if last and _HAS_LETTER.search(last):
                whole = self.dictionary.get(low)
                return whole if whole is not None else f"{head}-{self.common(last)}"
        if self.lang in NORWEGIAN and self.dictionary.get(low) is None and len(low) > 5 and low.isalpha():
            guess = self.unknown(low)
            if guess is not None:
                return guess
        lemma = _simple(low, self.lang)
        if lemma == low and self.dictionary.get(low) is None and self.lang in NORWEGIAN and len(low) > 4:
            # unknown word: a genitive of a known word ("statens"), or a weak past form in -et ("opplevet")
            if low.endswith("s") and self.dictionary.get(low[:-1]) is not None:
                return _simple(low[:-1], self.lang)
            if low.endswith("et") and self.dictionary.get(low[:-2] + "e") is not None:
                return _simple(low[:-2] + "e", self.lang)
        return lemma

    def unknown(self, low: str) -> str | None:
        """Lemma of a word the dictionary lacks, from its regular suffix or its last compound part."""
        if low.endswith("s") and not low.endswith("ss"):  # a genitive of an analysable word
            base = low[:-1]
            if self.dictionary.get(base) is not None:
                return self.common(base)
            inner = self.unknown(base) if len(base) > 5 else None
            if inner is not None:
                return inner
        by_suffix = _suffix_lemma(low)
        if by_suffix is not None:
            return by_suffix
        parts = _split(low, self.lang)
        if parts is not None and len(parts) > 1 and len(parts[-1]) >= 4:
            last = parts[-1]
            return low[: len(low) - len(last)] + self.common(last)
        return None

    def lookahead(self, token: str, lemma: str, following: str) -> str:
        """Determiner or pronoun by the next word: "noe arbeid" (determiner "noen") vs "noe som" ("noe")."""
        low = token.lower()
        if self.lang != "nb" or low not in _LOOKAHEAD or not following:
            return lemma
        nxt = following.lower()
        content_next = nxt[:1].isalpha() and nxt not in self.function_words
        if low == "noe":
            return "noen" if content_next else "noe"
        if low == "alle":
            return "alle" if not nxt[:1].isalnum() else "all"  # "alle." / "alle," stands alone: pronoun
        return lemma

    # -- proper nouns -----------------------------------------------------------------------------------
    def proper(self, word: str) -> str:
        """Lemma of a capitalised word read as a name: the form, minus a genitive s."""
        if "-" in word.strip("-"):
            head, _, last = word.rpartition("-")
            if last[:1].islower():  # "Nav-kontoret", "NATO-medlemskapet": a common noun with a name in front
                return f"{head}-{self.common(last)}"
            return f"{head}-{self.proper(last)}" if last else word  # "Nord-Koreas" -> "Nord-Korea"
        if word.endswith(("'", "’", "'s", "’s")):  # English-style genitives keep their form (UD practice)
            return word
        if self.lang not in NORWEGIAN or len(word) < 3 or not word.endswith("s"):
            return word
        if word in _names_with_s():
            return word
        stem = word[:-1]
        if _UPPER_ACRONYM_GENITIVE.match(word):
            return stem
        if self.dictionary.get(word) is not None and self.dictionary.get(stem) is None:
            return word  # a name the dictionary knows with its s
        if self.dictionary.get(stem) is not None or not _GENITIVE_KEEP.search(word):
            return stem
        return word

    # -- one token in context ---------------------------------------------------------------------------
    def entry(self, token: str, initial: bool) -> str | tuple[str, str | None]:
        """Cache entry of a token: its lemma, or (lemma, noun reading) when the word before can change it."""
        cache = self.initial if initial else self.mid
        if not isinstance(token, str):
            raise TypeError("token is not a string")
        lemma = self._lemma(token, initial)
        entry: str | tuple[str, str | None] = lemma
        if lemma in _CONTEXT_LEMMAS or token.lower() in _LOOKAHEAD:
            entry = (lemma, None)
        elif token.endswith("et") and lemma.endswith("e"):
            noun = _noun_reading(token.lower(), lemma, self)
            if noun is not None:
                entry = (lemma, noun)
        elif token.endswith("er") and token.islower() and self.lang in NORWEGIAN and len(token) > 4:
            entry = _er_readings(token, lemma, self) or lemma
        if len(cache) < 500_000:  # bounded: a pathological stream must not grow memory without end
            cache[token] = entry
        return entry

    def contextual(self, token: str, entry: str | tuple[str, str | None], initial: bool, prev: str) -> str:
        """Apply the rules that look at the word before (there is no part-of-speech tagger)."""
        if entry.__class__ is str:
            lemma, noun, verb = entry, None, None
        elif len(entry) == 3:
            lemma, noun, verb = entry
        else:
            (lemma, noun), verb = entry, None
        low_prev = prev.lower()
        if prev in QUOTES and token[:1].isupper() and token.lower() in self.function_words:
            return self.common(token.lower())  # «Jeg ...» or "... » Han sa": a new clause starts here
        if lemma == "gå" and token.lower() == "går" and low_prev == "i":  # "i går" (yesterday)
            return "går"
        if lemma == "så" and token.lower() == "så" and low_prev in _SUBJECTS and self.lang in NORWEGIAN:
            return "se"  # "vi så": the verb, not the adverb
        if verb is not None:  # an -er form: plural noun or present tense verb
            if low_prev in _SUBJECTS or low_prev == "som":
                return verb  # "vi behandler", "som lukker": the verb
            if low_prev in _PLURAL_CONTEXT or low_prev.isdigit():
                return noun or lemma  # "mange deler", "to klubber": the plural noun
            return lemma
        if noun is not None and ((initial and prev) or low_prev in _NOUN_CONTEXT):
            return noun  # "i arbeidet": the definite noun, not the past tense verb
        return lemma

    def _lemma(self, token: str, initial: bool) -> str:
        if not token or not _HAS_LETTER.search(token) or "@" in token or "://" in token:
            return token
        if token.endswith(".") and len(token) > 1:  # abbreviations and ordinals keep their form
            return token
        if token.endswith("-") and len(token) > 1:  # suspended part ("helse- og omsorg"): not a word alone
            return token.lower()
        low = token.lower()
        if token == low or (self.lang not in NORWEGIAN and not token[:1].isupper()):
            return self.common(low)
        if self.lang not in NORWEGIAN:
            return token if not initial else (self.common(low) if self.dictionary.get(low) else token)
        first_upper = token[:1].isupper()
        if initial and first_upper and not (len(token) > 1 and token[1:2].isupper()):
            # sentence start: a name the dictionary knows with its capital ("Høyre") stays a name; otherwise a
            # common word if the dictionary knows it in lower case
            exact = self.dictionary.get(token)
            if exact is not None and exact[:1].isupper() and low not in self.overrides:
                return exact
            if "-" in low.strip("-"):
                head, _, last = token.rpartition("-")
                if last[:1].isupper() or self.dictionary.get(head.lower()) is None:
                    return self.proper(token)
                return self.common(low)
            if low in self.overrides or self.dictionary.get(low) is not None:
                return self.common(low)
            if low.endswith("s") and len(low) > 4 and self.dictionary.get(low[:-1]) is not None \
                    and self.dictionary.get(token[:-1]) is None:
                return self.common(low)  # "Meddommerens": genitive of a known common word
            parts = _split(low, self.lang) if low.isalpha() and len(low) > 7 else None
            if parts is not None and len(parts) > 1 and len(parts[-1]) >= 4 and len(parts[0]) >= 4:
                return self.common(low)  # "Rusmiddelundersøkelsen": a compound of known words
            return self.proper(token)
        if first_upper:
            # a listed form is a common word wherever it stands: institutions capitalised by convention
            # ("Vil Regjeringa ...", "Regjeringen" in Storting questions) are the common noun, not a name
            return self.common(low) if low in self.overrides else self.proper(token)
        return self.common(low)  # mixed case such as "eKommune": treat as a common word


@lru_cache(maxsize=8)
def _lemmatizer(lang: str) -> _Lemmatizer:
    return _Lemmatizer(lang)


# Subject pronouns: the word after one is a finite verb ("vi så" is "se", not the adverb "så").
_SUBJECTS = frozenset("jeg du han hun vi dere de man eg ho dei me".split())
# Words after which an -et form is the definite neuter noun ("i arbeidet"), not the past tense verb.
_NOUN_CONTEXT = frozenset("""det dette hele i på av til med for om fra under etter gjennom ved mot uten mellom
hos før over blant dets sitt mitt ditt vårt hans hennes deres og eller samme selve""".split())
_CONTEXT_LEMMAS = frozenset({"gå", "så"})
# Words whose UD lemma depends on the word after them (determiner vs pronoun).
_LOOKAHEAD = frozenset({"noe", "alle"})


# Words after which an -er form is a plural noun ("mange deler", "disse klubber").
_PLURAL_CONTEXT = frozenset("""mange flere alle noen disse våre mine dine sine deres hans hennes ulike andre nye
gamle store små to tre fire fem seks sju syv åtte ni ti tolv tjue hundre tusen begge enkelte flest fleire
nokre desse""".split())


def _er_readings(token: str, lemma: str, lem: _Lemmatizer) -> tuple[str, str | None, str | None] | None:
    """Noun and verb readings of an -er form ("deler": "del"/"dele"; "behandler": "behandler"/"behandle")."""
    noun = token[:-2] if lem.dictionary.get(token[:-2]) == token[:-2] and len(token) > 5 else None
    verb = token[:-1] if lem.dictionary.get(token[:-1]) == token[:-1] else None
    if verb is None and noun is None:
        return None
    return (lemma, noun, verb or lemma)


def _noun_reading(low: str, verb: str, lem: _Lemmatizer) -> str | None:
    """The noun lemma of an -et form that also reads as a past tense verb ("arbeidet": "arbeid"/"arbeide")."""
    if not (low.endswith("et") and verb.endswith("e") and lem.lang in NORWEGIAN):
        return None
    stem = low[:-2]
    return stem if len(stem) > 2 and lem.dictionary.get(stem) == stem else None


def lemmatize(tokens: Sequence[str] | Iterable[str], lang: str = "nb", *, context: bool = True) -> list[str]:
    """Lemmatize a list of tokens (best as the tokens of whole sentences or passages, in order).

    Parameters
    ----------
    tokens : list of str
        Tokens as :func:`policytekst.nlp.tokenize` produces them. A bare string is treated as one token.
    lang : str
        "nb" (bokmål, default), "nn" (nynorsk), "en", "da" or "sv". Unknown codes fall back to bokmål.
    context : bool
        True (default): the tokens are running text, and context means two things only: sentence position
        (a capitalised word inside a sentence is a name and keeps its form; at a sentence start it is read as
        a common word when the dictionary knows it) and the neighbouring word (rules without a tagger: "vi så"
        -> "se", "i går" -> "går", "mange klubber" -> "klubb", "i arbeidet" -> "arbeid", "noe arbeid" -> "noen").
        False: each token is lemmatised on its own, as for a list of distinct words or dictionary terms; the
        result for a token never depends on the other tokens in the list. For the lemma of one word as an
        index or dictionary term use :func:`policytekst.nlp.lemma_of` (cached, lower-case, a function of the
        word and language only).

    Returns
    -------
    list[str]
        One lemma per token. Common words are lower-case; names keep their capital letters; numbers and
        punctuation come back unchanged. Never raises on odd tokens.

    Examples
    --------
    >>> lemmatize(["Kasteballene", "i", "Nav-kontorene", "og", "Høyres", "forslag"])
    ['kasteball', 'i', 'Nav-kontor', 'og', 'Høyre', 'forslag']
    """
    if isinstance(tokens, str):
        tokens = [tokens]
    lem = _lemmatizer(_lang(lang))
    if not context:
        return [_lemmatize_fast([t if isinstance(t, str) else ("" if t is None else str(t))], lem)[0]
                for t in tokens]
    try:
        return _lemmatize_fast(tokens, lem)
    except TypeError:  # a non-string token somewhere: clean the input and go again
        return _lemmatize_fast(["" if t is None else str(t) for t in tokens], lem)


def _lemmatize_fast(tokens: Iterable[str], lem: _Lemmatizer) -> list[str]:
    """The hot loop: one cache lookup per token; context rules only for the few flagged entries."""
    if not isinstance(tokens, (list, tuple)):
        tokens = list(tokens)
    mid, ini = lem.mid, lem.initial
    pending: list[int] = []  # positions whose lemma depends on the next word
    openers, quotes = SENTENCE_OPENERS, QUOTES
    out: list[str] = []
    append = out.append
    initial = True
    # "^" marks the start of a real sentence; a lone token has no context at all (prev stays empty)
    prev = "" if isinstance(tokens, (list, tuple)) and len(tokens) == 1 else "^"
    for token in tokens:
        if token in openers:
            append(token)
            initial = True
            prev = token
            continue
        entry = (ini if initial else mid).get(token)
        if entry is None:
            entry = lem.entry(token, initial)
        if entry.__class__ is str and prev not in quotes:
            append(entry)
        else:
            append(lem.contextual(token, entry, initial, prev))
            if token.lower() in _LOOKAHEAD:
                pending.append(len(out) - 1)
        initial = False
        prev = token
    for i in pending:
        out[i] = lem.lookahead(tokens[i], out[i], tokens[i + 1] if i + 1 < len(tokens) else "")
    return out

