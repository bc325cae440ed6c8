"""The codebook: themes as readable YAML (lemma globs, phrases, exclusions, weights) and a matcher.

A codebook is data, not code: researchers read and edit it like a quanteda dictionary or NVivo auto-coding
rules, and add their own themes by pointing ``--codebook`` at their own YAML file. Each term is matched
against a token's lower-cased surface form, its lemma *and* its bokmål lemma read as nynorsk
(:func:`policytekst.nlp.standards.read_as_bokmal`), so inflections ("faller" -> "falle") hit and a bokmål term
finds nynorsk text ("brukermedvirkning" finds "brukarmedverknaden") unless ``POLICYTEKST_STANDARDS=keep``.

Examples
--------
>>> book = Codebook.default()
>>> [m.theme for m in book.matches("Brukerne faller mellom to stoler.")]
['kasteball']
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from policytekst.errors import UsageError
from policytekst.nlp import cache_version, contains_lemma, lemma_of
from policytekst.nlp.standards import read_as_bokmal

if TYPE_CHECKING:
    import numpy as np

_GLOB_CHARS = set("*?[")
_MAX_KNOWN_WORDS = 500_000  # distinct words each per-word cache of the matcher remembers (memory stays bounded)


class CodebookError(UsageError):
    """A codebook file that cannot be used (the message names the file and the problem)."""


@dataclass(frozen=True)
class Term:
    """One pattern of a theme: a single-word glob or a multi-word phrase (one glob per word)."""

    pattern: str
    weight: float = 1.0
    words: tuple[str, ...] = ()

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class Theme:
    """A theme of the codebook, documented: what it means and what it is not."""

    name: str
    label: str
    description: str = ""
    not_: str = ""
    min_score: float = 1.0
    compound: bool = False
    terms: list[Term] = field(default_factory=list)
    phrases: list[Term] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "description": self.description, "not": self.not_,
                "min_score": self.min_score, "compound": self.compound,
                "terms": [{"pattern": t.pattern, "weight": t.weight} for t in self.terms],
                "phrases": [{"pattern": t.pattern, "weight": t.weight} for t in self.phrases],
                "exclude": list(self.exclude)}


@dataclass(frozen=True)
class Match:
    """One codebook hit: which theme, which pattern, the words that hit and where (character offsets)."""

    theme: str
    term: str
    text: str
    start: int
    end: int
    weight: float


def _normalise_word(word: str) -> str:
    # "mål-" in "mål- og resultatstyring" is the word "mål"; keep inner hyphens ("nav-kontor").
    return word.strip().lower().strip(".,;:!?()«»\"'").rstrip("-")


def _glob_regex(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def _substring_probe(word: str) -> tuple[str, str, str]:
    """(word, the text contains_lemma searches, its lemma), for :func:`_may_contain`."""
    low = word.strip().lower()
    return word, low, lemma_of(low).lower()


def _may_contain(probe: tuple[str, str, str], needles: tuple[str, ...]) -> bool:
    """False only where :func:`compound_contains` (``contains_lemma``) must be False: none of ``needles`` (the
    part and its lemma) is a substring of the word or of its lemma."""
    _, low, lemma = probe
    return any(n in low or n in lemma for n in needles)


def compound_contains(word: str, part: str) -> bool:
    """Whether ``part`` is a compound member of ``word`` ("samordning" in "tjenestesamordningen"), by the
    language layer's compound splitter."""
    return bool(contains_lemma(word, part))


# Words as the matcher sees them. A plain regex, not nlp.tokenize: coding needs only words with offsets,
# and this is several times faster on 10,000s of passages ("Mål-" in "mål- og resultatstyring" is "Mål").
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


# The language layer's cached word lemma: the same lemma the search index gives the word.
_lemma = lemma_of


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text`` with character offsets (punctuation dropped)."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def words_of(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``, as the matcher sees them."""
    return _WORD.findall(text.lower())


class Codebook:
    """A set of documented themes with a fast matcher.

    Parameters
    ----------
    themes:
        The themes, in the order their columns appear in coded tables.
    source:
        Where the codebook came from (a path, or "default"), recorded with results.
    """

    def __init__(self, themes: list[Theme], source: str = "") -> None:
        if not themes:
            raise CodebookError(f"codebook {source or '(in memory)'} has no themes")
        self.themes = {t.name: t for t in themes}
        self.source = source
        self._compile()

    # Pickle the themes, not the compiled matcher: a saved model must load with a newer matcher.
    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.to_dict(), "source": self.source}

    def __setstate__(self, state: dict[str, Any]) -> None:
        other = Codebook.from_dict(state["data"], source=state.get("source", ""))
        self.__dict__.update(other.__dict__)

    # -- loading -----------------------------------------------------------------------------------------
    @classmethod
    def default(cls) -> Codebook:
        """The shipped codebook for Norwegian welfare-reform discourse."""
        return _default_codebook()

    @classmethod
    def load(cls, path: str | Path | None = None) -> Codebook:
        """Load a YAML codebook (``None`` gives the default one)."""
        if path is None:
            return cls.default()
        path = Path(path)
        if not path.is_file():
            raise CodebookError(f"codebook {path}: no such file")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CodebookError(f"codebook {path}: not valid YAML ({exc})") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> Codebook:
        where = f"codebook {source or '(in memory)'}"
        if not isinstance(data, dict) or not isinstance(data.get("themes"), dict):
            raise CodebookError(f"{where}: expected a mapping with a 'themes:' mapping of theme entries")
        themes = []
        for name, entry in data["themes"].items():
            if not isinstance(entry, dict):
                raise CodebookError(f"{where}: theme '{name}' must be a mapping (label, terms, phrases, ...)")
            terms = [_parse_term(t, where, name) for t in entry.get("terms") or []]
            phrases = [_parse_term(t, where, name) for t in entry.get("phrases") or []]
            # A multi-word entry under terms is a phrase; keep the user's intent rather than fail.
            phrases += [t for t in terms if t.is_phrase]
            terms = [t for t in terms if not t.is_phrase] + [t for t in phrases if not t.is_phrase]
            phrases = [t for t in phrases if t.is_phrase]
            if not terms and not phrases:
                raise CodebookError(f"{where}: theme '{name}' has neither terms nor phrases")
            exclude = entry.get("exclude") or []
            if not isinstance(exclude, list):
                raise CodebookError(f"{where}: theme '{name}': exclude must be a list of word patterns")
            themes.append(Theme(name=str(name), label=str(entry.get("label", name)),
                                description=str(entry.get("description", "")).strip(),
                                not_=str(entry.get("not", "")).strip(),
                                min_score=float(entry.get("min_score", 1.0)),
                                compound=bool(entry.get("compound", False)), terms=terms, phrases=phrases,
                                exclude=[_normalise_word(x) for x in exclude]))
        return cls(themes, source=source)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "themes": {name: t.to_dict() for name, t in self.themes.items()}}

    def fingerprint(self) -> str:
        """A short string that changes when coding with this codebook can change: its content and the lemma
        stamp of the language layer (terms match lemmas). Cached theme scores key on it."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False) + cache_version()
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def save(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False),
                              encoding="utf-8")

    @property
    def names(self) -> list[str]:
        return list(self.themes)

    # -- matching ----------------------------------------------------------------------------------------
    def _compile(self) -> None:
        self._term_re: dict[str, re.Pattern[str] | None] = {}
        self._term_list: dict[str, list[tuple[re.Pattern[str], Term]]] = {}
        self._exclude_re: dict[str, re.Pattern[str] | None] = {}
        self._compound_terms: dict[str, list[Term]] = {}
        self._phrases_by_first: dict[str, list[tuple[str, Term, list[tuple[str | None, re.Pattern[str]]]]]] = {}
        self._phrases_glob_first: list[tuple[str, Term, list[tuple[str | None, re.Pattern[str]]]]] = []
        for name, theme in self.themes.items():
            self._term_re[name] = _glob_regex([t.pattern for t in theme.terms])
            self._term_list[name] = [(re.compile(fnmatch.translate(t.pattern)), t) for t in theme.terms]
            self._exclude_re[name] = _glob_regex(theme.exclude)
            self._compound_terms[name] = ([t for t in theme.terms if not _GLOB_CHARS & set(t.pattern)]
                                          if theme.compound else [])
            for phrase in theme.phrases:
                word_res = [re.compile(fnmatch.translate(w)) for w in phrase.words]
                # Literal words are compared as strings (fast); globs need the regex.
                word_res = [(None if _GLOB_CHARS & set(w) else w, r) for w, r in zip(phrase.words, word_res,
                                                                                     strict=True)]
                first = phrase.words[0]
                if _GLOB_CHARS & set(first):
                    self._phrases_glob_first.append((name, phrase, word_res))
                else:
                    self._phrases_by_first.setdefault(first, []).append((name, phrase, word_res))
        # Phrases whose first word is a glob are checked only where one of those globs matches.
        self._glob_first_re = _glob_regex([p.words[0] for _, p, _ in self._phrases_glob_first])
        self._word_cache: dict[str, tuple[tuple[str, Term], ...]] = {}
        self._forms_cache: dict[str, tuple[str, str, str]] = {}
        # a compound term's pattern and its lemma: contains_lemma can only find it where one is a substring
        self._needles = {t.pattern: tuple(dict.fromkeys((t.pattern, _lemma(t.pattern))))
                         for terms in self._compound_terms.values() for t in terms}
        self._phrase_cache: dict[str, list] = {}
        # per distinct word, for coding many passages at once (score_matrix)
        self._known_words: set[str] = set()
        self._hit_column: dict[str, int] = {}
        self._hit_weights: list[list[float]] = []
        self._phrase_starts: set[str] = set()

    def _forms(self, word: str) -> tuple[str, str, str]:
        """(word, its lemma, its bokmål lemma read as nynorsk): what every pattern is matched against, looked up
        once per distinct word (the lemma and standards look-ups cost more than the matching)."""
        found = self._forms_cache.get(word)
        if found is None:
            found = (word, _lemma(word), read_as_bokmal(word))
            if len(self._forms_cache) < _MAX_KNOWN_WORDS:
                self._forms_cache[word] = found
        return found

    def _word_hits(self, word: str) -> tuple[tuple[str, Term], ...]:
        """(theme, term) pairs a single lower-cased word hits, cached per word."""
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        # the word, its lemma and its bokmål lemma read as nynorsk: the matcher does not know the passage's
        # language, and the nynorsk reading of a bokmål word is (nearly always) its own lemma
        forms = tuple(dict.fromkeys(self._forms(word)))
        probes = None  # made on the first compound term that needs them
        hits: list[tuple[str, Term]] = []
        for name in self.themes:
            excl = self._exclude_re[name]
            if excl is not None and any(excl.match(f) for f in forms):
                continue
            combined = self._term_re[name]
            found: Term | None = None
            if combined is not None and any(combined.match(f) for f in forms):
                for regex, term in self._term_list[name]:
                    if any(regex.match(f) for f in forms):
                        found = term if found is None or term.weight > found.weight else found
            if found is None:
                for term in self._compound_terms[name]:
                    needles = self._needles[term.pattern]
                    if probes is None:
                        probes = [_substring_probe(f) for f in forms]
                    # contains_lemma finds a part only as a substring of the word or its lemma: test that first
                    if any(compound_contains(p[0], term.pattern) for p in probes if _may_contain(p, needles)):
                        found = term
                        break
            if found is not None:
                hits.append((name, found))
        result = tuple(hits)
        if len(self._word_cache) < _MAX_KNOWN_WORDS:
            self._word_cache[word] = result
        return result

    def _phrase_candidates(self, word: str) -> list:
        """Phrases that may start at ``word`` (by surface form or lemma), cached per word."""
        _, lemma, bokmal = self._forms(word)
        found = list(self._phrases_by_first.get(word, ()))
        if lemma != word:
            found += self._phrases_by_first.get(lemma, [])
        if bokmal not in (word, lemma):
            found += self._phrases_by_first.get(bokmal, [])
        glob = self._glob_first_re
        if glob is not None and (glob.match(word) or glob.match(lemma)):
            found += self._phrases_glob_first
        if len(self._phrase_cache) < _MAX_KNOWN_WORDS:
            self._phrase_cache[word] = found
        return found

    def word_lemmas(self, words: list[str], as_bokmal: bool = False) -> list[str]:
        """The lemma of each word, from the same per-word cache the matcher uses (the classifier's features need
        both, so a passage's words are looked up once); with ``as_bokmal``, each word's bokmål lemma read as
        nynorsk (:func:`policytekst.nlp.standards.read_as_bokmal`), for a passage known to be nynorsk."""
        forms = self._forms
        column = 2 if as_bokmal else 1
        return [forms(w)[column] for w in words]

    def _match_words(self, words: list[str]) -> list[tuple[int, int, str, Term]]:
        """Hits in a list of lower-cased words as (first word, last word + 1, theme, term).

        Phrases are matched first; words inside a phrase hit are not counted again for the same theme.
        """
        out: list[tuple[int, int, str, Term]] = []
        covered: dict[str, set[int]] = {}
        n_words = len(words)
        if self._phrases_by_first or self._phrases_glob_first:
            cache = self._phrase_cache
            forms_of = self._forms
            for i, word in enumerate(words):
                candidates = cache.get(word)
                if candidates is None:
                    candidates = self._phrase_candidates(word)
                if not candidates:
                    continue
                for name, phrase, word_res in candidates:
                    n = len(word_res)
                    if i + n > n_words:
                        continue
                    ok = True
                    for k in range(1, n):
                        w = words[i + k]
                        literal, regex = word_res[k]
                        if literal is not None:
                            if w != literal and literal not in forms_of(w)[1:]:
                                ok = False
                                break
                        elif not any(regex.match(f) for f in forms_of(w)):
                            ok = False
                            break
                    if not ok:
                        continue
                    done = covered.get(name)
                    if done and any(j in done for j in range(i, i + n)):
                        continue
                    excl = self._exclude_re[name]
                    if excl is not None and any(excl.match(words[j]) for j in range(i, i + n)):
                        continue
                    out.append((i, i + n, name, phrase))
                    covered.setdefault(name, set()).update(range(i, i + n))
        word_cache = self._word_cache
        for i, word in enumerate(words):
            hits = word_cache.get(word)
            if hits is None:
                hits = self._word_hits(word)
            for name, term in hits:
                done = covered.get(name)
                if done and i in done:
                    continue
                out.append((i, i + 1, name, term))
        return out

    def matches(self, text: str) -> list[Match]:
        """Every codebook hit in ``text`` in text order, with the words that hit and their offsets."""
        tokens = tokens_with_offsets(text)
        words = [t[0].lower() for t in tokens]
        out = [Match(name, term.pattern, text[tokens[i][1]:tokens[j - 1][2]], tokens[i][1], tokens[j - 1][2],
                     term.weight) for i, j, name, term in self._match_words(words)]
        out.sort(key=lambda m: (m.start, m.theme))
        return out

    def _word_facts(self, words: set[str]) -> None:
        """Learn, once per distinct word, whether it hits a theme (its column in :attr:`_hit_weights`) and
        whether a phrase may start at it; words seen before cost nothing."""
        known = self._known_words
        if len(known) > _MAX_KNOWN_WORDS:  # bounded memory on an endless stream of new words
            known.clear()
            self._hit_column.clear()
            self._phrase_starts.clear()
            self._hit_weights.clear()
        index = {name: k for k, name in enumerate(self.themes)}
        for word in words - known:
            known.add(word)
            hits = self._word_hits(word)
            if hits:
                row = [0.0] * len(index)
                for name, term in hits:
                    row[index[name]] = term.weight
                self._hit_column[word] = len(self._hit_weights)
                self._hit_weights.append(row)
            if self._phrase_candidates(word):
                self._phrase_starts.add(word)

    def score_matrix(self, word_lists: Sequence[list[str]]) -> np.ndarray:
        """Weighted hits per theme (columns in :attr:`names` order) for many passages' lower-cased words.

        The same numbers as :meth:`score_words` on each list, computed per distinct word: a passage's word
        counts (a sparse passages x hit-words matrix) times each hit word's theme weights. Only passages where
        a phrase may start take the word-by-word path, because a phrase hit covers its words.
        """
        import numpy as np  # imported on use: `import policytekst` and the CLI start without them
        from scipy import sparse

        seen: set[str] = set()
        for words in word_lists:
            seen.update(words)
        self._word_facts(seen)
        out = np.zeros((len(word_lists), len(self.themes)), dtype=np.float64)
        rows: list[int] = []
        cols: list[int] = []
        data: list[int] = []
        column, phrase_starts = self._hit_column, self._phrase_starts
        for i, words in enumerate(word_lists):
            if not phrase_starts.isdisjoint(words):
                out[i] = list(self.score_words(words).values())
                continue
            c = Counter(words)
            for word in column.keys() & c.keys():
                rows.append(i)
                cols.append(column[word])
                data.append(c[word])
        if data:
            weights = np.asarray(self._hit_weights, dtype=np.float64)
            hits = sparse.csr_matrix((np.asarray(data, dtype=np.float64), (rows, cols)),
                                     shape=(len(word_lists), len(weights)))
            out += hits @ weights
        return out

    def may_match(self, text: str) -> bool:
        """Whether :meth:`matches` can find anything in ``text`` (False: certainly nothing), decided per
        distinct word, which is much cheaper than matching."""
        distinct = {w.lower() for w in _WORD.findall(text)}  # the words as matches() sees them
        self._word_facts(distinct)
        return not (self._hit_column.keys().isdisjoint(distinct) and self._phrase_starts.isdisjoint(distinct))

    def score_words(self, words: list[str]) -> dict[str, float]:
        """Weighted hits per theme for already tokenised, lower-cased words (the fast path)."""
        scores = dict.fromkeys(self.themes, 0.0)
        for _, _, name, term in self._match_words(words):
            scores[name] += term.weight
        return scores

    def score(self, text: str) -> dict[str, float]:
        """Weighted hit count per theme (every theme present, zero when nothing hit)."""
        return self.score_words(words_of(text))

    def labels(self, text: str) -> list[str]:
        """Themes whose weighted hits reach their ``min_score``: the codebook's own yes/no coding."""
        scores = self.score(text)
        return [name for name, s in scores.items() if s >= self.themes[name].min_score]


def codebook_probability(score: float | np.ndarray, min_score: float = 1.0):
    """Map weighted hits to [0, 1]: 0 hits -> 0, ``min_score`` hits -> 0.5, more hits -> towards 1.

    A net negative score (terms with negative weights outnumbering the rest) counts as no hits.
    """
    import numpy as np  # on use, as elsewhere in this module

    hits = np.clip(np.asarray(score, dtype=float), 0.0, None)
    return 1.0 - np.power(0.5, hits / max(min_score, 1e-9))


def _parse_term(raw: Any, where: str, theme: str) -> Term:
    if isinstance(raw, str):
        pattern, weight = raw, 1.0
    elif isinstance(raw, dict) and "pattern" in raw:
        pattern, weight = str(raw["pattern"]), raw.get("weight", 1.0)
    else:
        raise CodebookError(f"{where}: theme '{theme}': a term must be a string or {{pattern, weight}}, "
                            f"got {raw!r}")
    try:
        weight = float(weight)
    except (TypeError, ValueError) as exc:
        raise CodebookError(f"{where}: theme '{theme}': weight of '{pattern}' is not a number") from exc
    words = tuple(w for w in (_normalise_word(x) for x in pattern.split()) if w)
    if not words:
        raise CodebookError(f"{where}: theme '{theme}': empty pattern")
    return Term(pattern=" ".join(words), weight=weight, words=words)


@lru_cache(maxsize=1)
def _default_codebook() -> Codebook:
    text = resources.files("policytekst.themes").joinpath("data/codebook.yaml").read_text(encoding="utf-8")
    return Codebook.from_dict(yaml.safe_load(text), source="default")
