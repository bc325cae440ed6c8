"""Full-text search over passages: a small query language compiled to SQLite FTS5, ranked by BM25.

Query language
--------------
``kasteball``                  the word in any inflection (surface form or lemma: "kasteballene" finds "kasteball")
                               and in compounds where it is the head or a modifier ("kasteballproblematikken",
                               "brukermedvirkning" for ``medvirkning``); ``compounds=False`` leaves compounds out,
                               ``mode="surface"`` (the CLI's ``--exact``) matches only the forms as typed
``"mål- og resultatstyring"``  a phrase (words adjacent, in order; inflections allowed unless ``mode="surface"``)
``brukermedvirk*``             prefix; ``s?mordning`` / ``*reform`` / ``bruker*ing`` are globs expanded against
                               the index vocabulary
``a b`` / ``a AND b``          both; ``a OR b`` either; ``a NOT b`` / ``a -b`` the first without the second;
                               parentheses group
Operators are upper case (as in FTS5), so the Norwegian words "og", "eller", "ikke" stay ordinary words.

Filters (keyword arguments of :func:`search`): ``year`` (2006, (2000, 2010), "2000-2010", (None, 2005)),
``genre``, ``doc_id``, ``language``, ``kind`` (each a value or a list), ``theme`` (passages whose theme score is
at least ``theme_threshold``, via ``policytekst.themes.theme_scores``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from policytekst.db import transaction
from policytekst.errors import UsageError
from policytekst.search import topk
from policytekst.search.index import (
    FTS_TABLE,
    PARTS_TERMS_TABLE,
    TERMS_TABLE,
    UNITS_TABLE,
    WEIGHTS,
    WORD,
    ensure_index,
    lemmatizer,
    on_update,
    search_parts,
)
from policytekst.selection import parse_years
from policytekst.themes import theme_scores

if TYPE_CHECKING:  # pragma: no cover
    from policytekst.corpus import Corpus

# Languages whose lemmas a query word is looked up in when the query has no language filter: a query rarely says
# its language, and bokmål and nynorsk share most words. English is added only by a language filter ("en"), since
# an English lemmatiser maps Norwegian words to English lookalikes ("og" -> "oganesson").
QUERY_LANGS = ("nb", "nn")
# What a result or a concordance line matched by, best first (the ``match_type`` column).
MATCH_TYPES = ("word", "inflection", "compound")
MAX_GLOB_TERMS = 300
SNIPPET_WORDS = 36
MARK = ("**", "**")

RESULT_COLUMNS = ["passage_id", "doc_id", "score", "snippet", "citation", "title", "year", "genre", "page_start",
                  "page_end", "section", "kind", "language", "n_words", "text", "match_type"]


class QueryError(UsageError):
    """The query cannot be understood (the message says where and why)."""


TERMS_TABLES = (TERMS_TABLE, PARTS_TERMS_TABLE)  # passages per term: surface and lemmas, parts


# -- the query tree -----------------------------------------------------------------------------------------
@dataclass
class Term:
    text: str
    prefix: bool = False  # trailing * only
    glob: bool = False  # wildcards elsewhere: expanded against the vocabulary


@dataclass
class Phrase:
    text: str
    prefix: bool = False


@dataclass
class And:
    children: list[Any]


@dataclass
class Or:
    children: list[Any]


@dataclass
class Not:
    positive: Any
    negative: Any


_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"(?P<pstar>\*)?|(?P<lpar>\()|(?P<rpar>\))|(?P<word>[^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}
# Bounds on what a query may ask of the parser: deeper nesting is refused in one line, not a RecursionError.
MAX_DEPTH = 50
MAX_QUERY_CHARS = 10_000


def parse(query: str) -> Any:
    """Parse a query string into a tree of Term/Phrase/And/Or/Not (raises QueryError)."""
    if not query.strip():
        raise QueryError("empty query: give a word, a \"phrase\", a prefix* or a combination with AND/OR/NOT")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(query):,} characters; at most {MAX_QUERY_CHARS:,})")
    if query.count('"') % 2:
        raise QueryError(f"unbalanced quote in query {query!r}")
    tokens: list[tuple[str, str, bool]] = []
    for m in _TOKEN.finditer(query):
        if m.group("phrase") is not None:
            tokens.append(("phrase", m.group("phrase"), bool(m.group("pstar"))))
        elif m.group("lpar"):
            tokens.append(("(", "(", False))
        elif m.group("rpar"):
            tokens.append((")", ")", False))
        else:
            word = m.group("word")
            tokens.append(("op", word, False) if word in _OPERATORS else ("word", word, False))
    parser = _Parser(tokens, query)
    tree = parser.parse_or()
    if parser.pos != len(tokens):
        raise QueryError(f"unexpected {tokens[parser.pos][1]!r} in query {query!r}")
    if tree is None:
        raise QueryError(f"empty query {query!r}: give a word, a \"phrase\" or a prefix*")
    return tree


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, bool]], query: str) -> None:
        self.tokens, self.query, self.pos, self.depth = tokens, query, 0, 0

    def peek(self) -> tuple[str, str, bool] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse_or(self) -> Any:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok[:2] == ("op", "OR"):
            self.pos += 1
            children.append(self.parse_and())
        if len(children) > 1 and any(c is None for c in children):
            raise QueryError(f"OR needs a term on both sides in {self.query!r}")
        return children[0] if len(children) == 1 else Or(children)

    def parse_and(self) -> Any:
        positives, negatives = [], []
        while (tok := self.peek()) is not None and tok[0] != ")" and tok[:2] != ("op", "OR"):
            if tok[:2] == ("op", "AND"):
                self.pos += 1
                after = self.peek()
                if not (positives or negatives) or after is None or after[0] == ")" or after[:2] == ("op", "OR"):
                    raise QueryError(f"AND needs a term on both sides in {self.query!r}")
                continue
            if tok[:2] == ("op", "NOT"):
                self.pos += 1
                negatives.append(self.parse_atom())
                continue
            if tok[0] == "word" and tok[1].startswith("-") and len(tok[1]) > 1:
                self.pos += 1
                negatives.append(_word(tok[1][1:], self.query))
                continue
            positives.append(self.parse_atom())
        if not positives and not negatives:
            return None
        if not positives:
            raise QueryError(f"NOT needs something to exclude from in {self.query!r} (e.g. 'nav NOT aetat')")
        tree = positives[0] if len(positives) == 1 else And(positives)
        if negatives:
            tree = Not(tree, negatives[0] if len(negatives) == 1 else Or(negatives))
        return tree

    def parse_atom(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise QueryError(f"query {self.query!r} ends where a term was expected")
        self.pos += 1
        kind, text, star = tok
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"query {shorten(self.query)} nests parentheses more than {MAX_DEPTH} deep")
            inner = self.parse_or()
            self.depth -= 1
            if self.peek() is None or self.peek()[0] != ")":
                raise QueryError(f"missing ')' in query {shorten(self.query)}")
            self.pos += 1
            if inner is None:
                raise QueryError(f"empty parentheses in query {self.query!r}")
            return inner
        if kind == "phrase":
            if not WORD.search(text):
                raise QueryError(f"empty phrase in query {self.query!r}")
            return Phrase(text, prefix=star)
        if kind == "word":
            nxt = self.peek()
            if text == "NEAR" and nxt is not None and nxt[0] == "(":
                raise QueryError(f"NEAR(...) is not part of the query language in {self.query!r}: use a "
                                 "\"phrase\" for adjacent words, or AND")
            return _word(text.lstrip("+"), self.query)
        raise QueryError(f"unexpected {text!r} in query {self.query!r}")


def shorten(query: str, limit: int = 80) -> str:
    """The query quoted for a message, shortened in the middle when it is long (a message stays one line)."""
    if len(query) <= limit:
        return repr(query)
    return repr(query[:limit // 2] + " … " + query[-limit // 2:])


def _word(text: str, query: str) -> Term:
    if not WORD.search(text):
        raise QueryError(f"{text!r} in query {query!r} has no letters or digits to search for")
    wild = any(ch in text for ch in "*?[")
    if not wild:
        return Term(text)
    if text.endswith("*") and not any(ch in text[:-1] for ch in "*?["):
        return Term(text[:-1], prefix=True)
    return Term(text, glob=True)


# -- compiling to FTS5 ----------------------------------------------------------------------------------------
@dataclass
class Highlight:
    """What to mark in a snippet: the positive (not negated) parts of a query."""

    words: set[str] = field(default_factory=set)
    lemmas: set[str] = field(default_factory=set)
    typed: set[str] = field(default_factory=set)  # single words as typed (a hit on them is a "word" match)
    parts: set[str] = field(default_factory=set)  # lemmas looked for inside compounds
    prefixes: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)  # glob expansions (index terms)
    phrases: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (words, lemmas)


class Compiler:
    """Turns a query tree into an FTS5 MATCH expression over the ``surface`` and ``lemmas`` columns."""

    def __init__(self, corpus: Corpus, mode: str = "lemma", langs: tuple[str, ...] = QUERY_LANGS,
                 compounds: bool = True) -> None:
        if mode not in ("lemma", "surface"):
            raise QueryError(f"unknown search mode {mode!r} (use 'lemma' or 'surface')")
        self.corpus, self.mode, self.langs = corpus, mode, langs
        self.compounds = compounds and mode == "lemma"
        self.lem = lemmatizer()
        self.highlight = Highlight()
        self.truncated_globs: list[str] = []

    @property
    def columns(self) -> str:
        return "{surface lemmas}" if self.mode == "lemma" else "surface"

    def compile(self, node: Any, negated: bool = False) -> str | None:
        """The FTS5 expression, or None when the node can match nothing (a glob with no expansion)."""
        if isinstance(node, Term):
            return self._term(node, negated)
        if isinstance(node, Phrase):
            return self._phrase(node, negated)
        if isinstance(node, And):
            parts = [self.compile(c, negated) for c in node.children]
            if any(p is None for p in parts):
                return None
            return "(" + " AND ".join(parts) + ")"
        if isinstance(node, Or):
            parts = [p for p in (self.compile(c, negated) for c in node.children) if p is not None]
            return ("(" + " OR ".join(parts) + ")") if parts else None
        if isinstance(node, Not):
            positive = self.compile(node.positive, negated)
            negative = self.compile(node.negative, not negated)
            if positive is None or negative is None:
                return positive
            return f"({positive} NOT {negative})"
        raise TypeError(node)

    def _lemma_forms(self, text: str) -> list[str]:
        # the words as typed count as a lemma too: a user typing the dictionary form "bruker" means the noun even
        # when the lemmatiser reads the form as the verb "bruke"
        forms = [" ".join(w.lower() for w in WORD.findall(text))]
        for lang in self.langs:
            form = self.lem.lemma_text(text, lang)
            if form and form not in forms:
                forms.append(form)
        return forms

    def _term(self, node: Term, negated: bool) -> str | None:
        words = [w.lower() for w in WORD.findall(node.text)]
        if node.prefix:
            if not negated and len(words) == 1:
                self.highlight.prefixes.add(words[0])
            elif not negated:
                self.highlight.phrases.append((words, []))
            return f"{self.columns} : {_quote(' '.join(words))} *"
        if node.glob:
            terms = self._expand(node.text)
            if not terms:
                return None
            if not negated:
                self.highlight.terms.update(terms)
            return f"{self.columns} : (" + " OR ".join(_quote(t) for t in terms) + ")"
        if len(words) > 1:  # "NAV-kontor" is a phrase of two index tokens
            return self._phrase(Phrase(node.text), negated)
        surface = f"surface : {_quote(words[0])}"
        if not negated:
            self.highlight.typed.add(words[0])
        if self.mode == "surface":
            if not negated:
                self.highlight.words.add(words[0])
            return surface
        lemmas = self._lemma_forms(node.text)
        if not negated:
            self.highlight.words.add(words[0])
            self.highlight.words.update(lemmas)
            self.highlight.lemmas.update(lemmas)
        # a lemma is also a word form: "veilederne" -> "veileder" must find the word "veileder" even where the
        # lemmatiser read it as the verb "veilede"
        # (only where needed: when the lemma form lemmatises to itself, every occurrence of it is already in the
        # lemma column, and the extra phrase would only cost ranking time on common words)
        surfaces = [surface, *(f"surface : {_quote(lemma)}" for lemma in lemmas
                               if lemma != words[0] and " " not in lemma
                               and any(self.lem.lemma(lemma, lang) != lemma for lang in self.langs))]
        parts = [f"lemmas : {_quote(lemma)}" for lemma in lemmas]
        if self.compounds:
            # the compound-parts column holds lemmas of heads and modifiers ("kasteball" in
            # "kasteballsproblematikken"); a negated word leaves out its compounds too
            parts += [f"parts : {_quote(lemma)}" for lemma in lemmas if " " not in lemma]
            if not negated:
                self.highlight.parts.update(lemma for lemma in lemmas if " " not in lemma)
        return "(" + " OR ".join([*surfaces, *parts]) + ")"

    def _phrase(self, node: Phrase, negated: bool) -> str:
        words = [w.lower() for w in WORD.findall(node.text)]
        star = " *" if node.prefix else ""
        if node.prefix or self.mode == "surface":
            if not negated:
                self.highlight.phrases.append((words, []))
            return f"{self.columns if node.prefix else 'surface'} : {_quote(' '.join(words))}{star}"
        lemma_forms = self._lemma_forms(node.text)
        if not negated:
            for form in lemma_forms:
                self.highlight.phrases.append((words, WORD.findall(form)))
        parts = [f"surface : {_quote(' '.join(words))}", *(f"lemmas : {_quote(f)}" for f in lemma_forms)]
        return "(" + " OR ".join(parts) + ")"

    def _expand(self, pattern: str) -> list[str]:
        glob = pattern.lower()
        cols = ("surface", "lemmas") if self.mode == "lemma" else ("surface",)
        rows = self.corpus.store.conn.execute(
            f"SELECT term, {' + '.join(cols)} AS n FROM {TERMS_TABLE} WHERE term GLOB ? AND n > 0 "
            "ORDER BY n DESC, term", (glob,)).fetchall()
        if len(rows) > MAX_GLOB_TERMS:
            self.truncated_globs.append(pattern)
        return [r[0] for r in rows[:MAX_GLOB_TERMS]]


def _quote(text: str) -> str:
    # a NUL would end FTS5's copy of the expression inside the string ("unterminated string")
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'


def compile_query(corpus: Corpus, query: str, mode: str = "lemma", langs: tuple[str, ...] = QUERY_LANGS,
                  compounds: bool = True) -> tuple[str | None, Highlight]:
    """The FTS5 MATCH expression for a query (None when nothing can match) and what to highlight."""
    compiler = Compiler(corpus, mode, langs, compounds)
    expression = compiler.compile(parse(query))
    return expression, compiler.highlight


def tiers(corpus: Corpus, query: str, mode: str = "lemma", langs: tuple[str, ...] = QUERY_LANGS,
          compounds: bool = True, expression: str | None = None) -> list[str]:
    """The FTS5 expressions :func:`search` ranks in turn (``expression``: the query's, if already compiled).

    Whole-word hits rank above compound hits: rank the passages that match without compounds first, and only
    when they do not fill the page the ones that need a compound. Common words ("tjenestene") then never rank
    the tens of thousands of compounds they are part of, which keeps search fast at a million passages. The index
    build makes the top-k lists of the first tier for frequent words (:func:`policytekst.search.topk.premake`)."""
    if expression is None:
        expression = compile_query(corpus, query, mode, langs, compounds)[0]
        if expression is None:
            return []
    whole = compile_query(corpus, query, mode, langs, False)[0] if compounds and mode == "lemma" else None
    if whole is None or whole == expression:
        return [expression]
    return [f"({whole}) AND ({expression})" if "NOT" in expression else whole, f"({expression}) NOT ({whole})"]


# -- filters ----------------------------------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def filter_sql(corpus: Corpus, *, year: Any = None, genre: Any = None, doc_id: Any = None, language: Any = None,
               kind: Any = None, theme: str | None = None, theme_method: str = "model",
               theme_threshold: float = 0.5) -> tuple[list[str], list[Any]]:
    """WHERE clauses on the ``u`` (search_units) alias plus their arguments."""
    where: list[str] = []
    args: list[Any] = []
    lo, hi = parse_years(year).as_tuple()
    if lo is not None:
        where.append("u.year >= ?")
        args.append(lo)
    if hi is not None:
        where.append("u.year <= ?")
        args.append(hi)
    for column, value in (("genre", genre), ("doc_id", doc_id), ("language", language), ("kind", kind)):
        values = _as_list(value)
        if values:
            where.append(f"u.{column} IN ({', '.join('?' * len(values))})")
            args.extend(values)
    if theme:
        ids = theme_passages(corpus, theme, method=theme_method, threshold=theme_threshold)
        conn = corpus.store.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS search_theme_filter (passage_id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM search_theme_filter")
        conn.executemany("INSERT OR IGNORE INTO search_theme_filter VALUES (?)", ((i,) for i in ids))
        where.append("u.passage_id IN (SELECT passage_id FROM search_theme_filter)")
    return where, args


def theme_passages(corpus: Corpus, theme: str, *, method: str = "model", threshold: float = 0.5,
                   on_progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Passage ids whose theme score reaches the threshold (scores from the corpus's theme score cache)."""
    scores = load_theme_scores(corpus, theme, method, on_progress=on_progress)
    return [str(i) for i in scores.index[scores.to_numpy() >= threshold]]


def load_theme_scores(corpus: Corpus, theme: str, method: str = "model", *,
                      on_progress: Callable[[int, int], None] | None = None) -> pd.Series:
    """One theme's scores in [0, 1] indexed by passage_id (all themes are scored and cached in one pass).

    An unknown theme or method raises :class:`policytekst.errors.UsageError` (``UnknownNameError`` for the theme).
    """
    return theme_scores(corpus, [theme], method=method, on_progress=on_progress)[theme]


# -- snippets -------------------------------------------------------------------------------------------------------
def snippet(text: str, highlight: Highlight, words: int = SNIPPET_WORDS, mark: tuple[str, str] = MARK,
            lang: str = "nb") -> str:
    """A window of about ``words`` words around the densest run of matches, matches wrapped in ``mark``."""
    spans = [m.span() for m in WORD.finditer(text)]
    if not spans:
        return text.strip()
    lowered = text.lower()
    if len(lowered) == len(text):
        tokens = [lowered[s:e] for s, e in spans]
    else:  # a few letters change length when lower-cased ("İ"); keep offsets right
        tokens = [text[s:e].lower() for s, e in spans]
    hits = [k > 0 for k in _hit_kinds(tokens, highlight, lang)]
    if not any(hits):
        start = 0
    else:
        best, start = -1, 0
        prefix = [0]
        for h in hits:
            prefix.append(prefix[-1] + h)
        for i in range(max(1, len(spans) - words + 1)):
            count = prefix[min(len(spans), i + words)] - prefix[i]
            if count > best:
                best, start = count, i
        if best <= 1:  # a lone hit: give it some left context instead of leaving it at the window's edge
            start = max(0, min(len(spans) - words, hits.index(True) - words // 3))
    end = min(len(spans), start + words)
    out, pos = [], spans[start][0]
    for i in range(start, end):
        s, e = spans[i]
        out.append(text[pos:s])
        out.append(f"{mark[0]}{text[s:e]}{mark[1]}" if hits[i] else text[s:e])
        pos = e
    if end == len(spans):
        out.append(text[pos:])
    body = " ".join("".join(out).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(spans) else "")


def match_type(text: str, highlight: Highlight, lang: str = "nb") -> str | None:
    """How a passage matched a query, the best of its hits: "word" (a word as typed, a prefix, glob or phrase),
    "inflection" (another form of the word) or "compound" (the word inside a compound); None without a hit."""
    best = max(_hit_kinds([w.lower() for w in WORD.findall(text)], highlight, lang), default=0)
    return MATCH_TYPES[len(MATCH_TYPES) - best] if best else None


def _hit_kinds(tokens: list[str], highlight: Highlight, lang: str) -> list[int]:
    """Per token: 3 a word hit, 2 an inflection hit, 1 a compound hit, 0 none."""
    lem = lemmatizer()
    lemmas = lem.lemmas(tokens, lang) if (highlight.lemmas or highlight.prefixes
                                          or any(p[1] for p in highlight.phrases)) else tokens
    typed = highlight.typed | highlight.terms
    words = highlight.words | highlight.terms
    wanted_lemmas = highlight.lemmas
    prefixes = tuple(highlight.prefixes)
    parts = highlight.parts
    kinds = []
    for tok, lemma in zip(tokens, lemmas, strict=True):
        if tok in typed or (prefixes and tok.startswith(prefixes)):
            kinds.append(3)
        elif tok in words or lemma in wanted_lemmas or (prefixes and lemma.startswith(prefixes)):
            kinds.append(2)
        elif parts and not parts.isdisjoint(search_parts(tok, lang)):
            kinds.append(1)
        else:
            kinds.append(0)
    for phrase_words, phrase_lemmas in highlight.phrases:
        n = len(phrase_words)
        starts = {phrase_words[0], *(phrase_lemmas[:1])}
        for i in range(len(tokens) - n + 1):
            if tokens[i] not in starts and lemmas[i] not in starts and not (n == 1 and not phrase_lemmas):
                continue  # cheap first-word test before comparing windows
            window, window_lemmas = tokens[i:i + n], lemmas[i:i + n]
            exact = window[:-1] == phrase_words[:-1] and (window[-1] == phrase_words[-1] or (
                not phrase_lemmas and window[-1].startswith(phrase_words[-1])))
            by_lemma = bool(phrase_lemmas) and len(phrase_lemmas) == n and window_lemmas == phrase_lemmas
            if exact or by_lemma:
                for j in range(i, i + n):
                    kinds[j] = max(kinds[j], 3 if exact else 2)
    return kinds


# -- search -------------------------------------------------------------------------------------------------------
def search(corpus: Corpus, query: str, limit: int = 20, *, mode: str = "lemma", compounds: bool = True,
           mark: tuple[str, str] = MARK, snippet_words: int = SNIPPET_WORDS, count: bool = False,
           theme_method: str = "model",
           theme_threshold: float = 0.5, **filters: Any) -> pd.DataFrame:
    """Find passages matching ``query``, best first (BM25 over surface forms and lemmas).

    Parameters
    ----------
    corpus : Corpus
    query : str
        See the module docstring: words, "phrases", prefix*, gl?bs, AND/OR/NOT, parentheses.
    limit : int
        Number of passages to return.
    mode : {"lemma", "surface"}
        "lemma" (default) also matches other inflections; "surface" matches only the forms as typed (no
        inflections, no compounds: the CLI's ``--exact``).
    compounds : bool
        In "lemma" mode, also match a word inside compounds where it is the head or a modifier (default True);
        such hits rank below whole-word hits and have ``match_type`` "compound".
    count : bool
        Also count all matching passages (``attrs["n_matches"]``); costs a second pass over the matches.
    **filters
        year, genre, doc_id (alias doc), language, kind, theme (see :func:`filter_sql`).

    Returns
    -------
    DataFrame with columns passage_id, doc_id, score (higher is better), snippet (matches in ``mark``),
    citation, title, year, genre, page_start, page_end, section, kind, language, n_words, text, match_type
    (word / inflection / compound: the best way the passage matched, see :func:`match_type`). Passages that match
    without compounds come first (by score), then those found only through a compound (by score). A common word's
    page may be read from its top-k list (:mod:`policytekst.search.topk`, made on the word's first search and kept in
    the corpus): the same passages, order and scores as ranking every match, taken only when the list proves it.
    ``frame.attrs`` holds the FTS5 expression (``fts_query``) and the number of matching passages (``n_matches``:
    exact when fewer than ``limit`` matched or ``count=True``, else None). With ``count=True`` a word or OR of
    words in more than ``topk.COUNT_ROWS`` passages is not counted match by match: ``n_matches_range`` holds (at
    least, at most) from the per-term counts, and ``n_matches`` is set only when the two agree.

    Examples
    --------
    >>> search(corpus, "kasteball*", year=(2000, 2010), limit=5)[["citation", "snippet"]]   # doctest: +SKIP
    """
    from policytekst.citation import citations

    unknown = set(filters) - {"year", "genre", "doc_id", "doc", "language", "kind", "theme"}
    if unknown:
        raise QueryError(f"unknown search filter(s): {', '.join(sorted(unknown))}")
    if "doc" in filters:
        filters["doc_id"] = filters.pop("doc")
    if limit < 1:
        raise QueryError(f"limit must be at least 1 (got {limit})")
    ensure_index(corpus)
    langs = tuple(dict.fromkeys([*(_as_list(filters.get("language")) or []), *QUERY_LANGS]))
    expression, highlight = compile_query(corpus, query, mode, langs, compounds)
    frame = pd.DataFrame(columns=RESULT_COLUMNS)
    frame.attrs.update(query=query, fts_query=expression, mode=mode, n_matches=0)
    if expression is None:
        return frame
    where, args = filter_sql(corpus, theme_method=theme_method, theme_threshold=theme_threshold, **filters)
    conn = corpus.store.conn
    sql = (f"SELECT u.passage_id, -bm25({FTS_TABLE}, {', '.join(map(str, WEIGHTS))}) AS score "
           f"FROM {FTS_TABLE} JOIN {UNITS_TABLE} u ON u.rowid = {FTS_TABLE}.rowid "
           f"WHERE {FTS_TABLE} MATCH ?" + "".join(f" AND {w}" for w in where) +
           " ORDER BY score DESC, u.rowid LIMIT ?")
    hits: list[Any] = []
    try:
        for tier in tiers(corpus, query, mode, langs, compounds, expression):
            # a frequent word's page from its top-k list when it proves it (the same page, see search/topk.py)
            page = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, tier, WEIGHTS, where, args,
                            limit - len(hits))[0]
            hits += page if page is not None else conn.execute(sql, (tier, *args, limit - len(hits))).fetchall()
            if len(hits) >= limit:
                break
    except sqlite3.OperationalError as exc:  # an FTS5 syntax error: say which query and expression
        raise QueryError(f"query {query!r} could not run ({exc}); FTS5 expression: {expression}") from exc
    if not hits:
        return frame
    records = _records(corpus, [(h[0], h[1]) for h in hits])
    cites = citations(corpus, [r["passage_id"] for r in records])
    for rec in records:  # filled in before the frame exists: one DataFrame construction per search
        rec["snippet"] = snippet(rec["text"], highlight, snippet_words, mark, rec["language"] or "nb")
        rec["match_type"] = match_type(rec["text"], highlight, rec["language"] or "nb")
        rec["citation"] = cites.get(rec["passage_id"], "")
    frame = _frame(records, RESULT_COLUMNS)
    frame.attrs.update(query=query, fts_query=expression, mode=mode, n_matches=None)
    if len(hits) < limit:
        frame.attrs["n_matches"] = len(hits)
    elif count:
        bounds = None if where else topk.count_bounds(conn, FTS_TABLE, TERMS_TABLES, expression)
        if bounds is not None and bounds[1] > topk.COUNT_ROWS:
            # a common word: its per-term passage counts bound the number (exact for one term) without a pass
            # over hundreds of thousands of matches
            frame.attrs["n_matches_range"] = bounds
            frame.attrs["n_matches"] = bounds[0] if bounds[0] == bounds[1] else None
            return frame
        count_sql = (f"SELECT COUNT(*) FROM {FTS_TABLE} JOIN {UNITS_TABLE} u ON u.rowid = {FTS_TABLE}.rowid "
                     f"WHERE {FTS_TABLE} MATCH ?" + "".join(f" AND {w}" for w in where))
        frame.attrs["n_matches"] = conn.execute(count_sql, (expression, *args)).fetchone()[0]
    return frame


def _records(corpus: Corpus, scored: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """Passage rows (with document title/year/genre) for scored ids, in the given order, as dicts."""
    ids = [s[0] for s in scored]
    rows = corpus.store.conn.execute(
        "SELECT p.passage_id, p.doc_id, p.text, p.page_start, p.page_end, p.section, p.kind, p.language, "
        "p.n_words, d.title, d.year, d.genre, d.language AS doc_language FROM passages p JOIN documents d "
        f"USING (doc_id) WHERE p.passage_id IN ({', '.join('?' * len(ids))})", ids).fetchall()
    by_id = {r["passage_id"]: dict(r) for r in rows}
    records = []
    for pid, score in scored:
        if pid in by_id:
            rec = by_id[pid]
            doc_language = rec.pop("doc_language")
            rec["language"] = rec["language"] or doc_language
            rec["title"] = rec["title"] or rec["doc_id"]
            rec["score"] = float(score)
            records.append(rec)
    return records


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    # column lists -> DataFrame is several times faster than from_records for a page of results
    data = {c: [r.get(c) for r in records] for c in columns}
    data["year"] = pd.array(data["year"], dtype="Int64")
    return pd.DataFrame(data, columns=columns)


def _attach(corpus: Corpus, scored: list[tuple[str, float]]) -> pd.DataFrame:
    """Passage rows (with document title/year/genre) for scored ids, in the given order."""
    records = _records(corpus, scored)
    for rec in records:
        rec.setdefault("snippet", "")
        rec.setdefault("citation", "")
        rec.setdefault("match_type", None)
    return _frame(records, [*RESULT_COLUMNS])


def premake_lists(corpus: Corpus) -> topk.Premade:
    """Make (or keep, when still usable) the top-k lists of the corpus's most frequent plain words: the first tier a
    default search of each word ranks (:func:`tiers`). See :func:`topk.premake`; the index build calls it
    (registered below with :func:`policytekst.search.index.on_update`), so a common word's first search reads its
    list instead of ranking every match."""
    def expressions(word: str) -> list[str]:
        try:
            return tiers(corpus, word)
        except QueryError:
            return []

    conn = corpus.store.conn
    done = topk.premake(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, WEIGHTS, expressions)
    if topk.enabled() and not corpus.store.read_only:
        try:
            with transaction(conn):
                conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (topk.PREMADE_KEY, topk.TOPK_VERSION))
        except sqlite3.OperationalError:
            pass  # another writer: made again (or kept) next time
    return done


on_update(premake_lists)
