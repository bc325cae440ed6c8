"""KWIC concordance: every occurrence of a pattern with its left and right context in words.

Pattern kinds (``mode``):

* ``word``   — the word form as typed (case-insensitive), or several words in a row as typed (``exact=True``);
* ``lemma``  — any inflection of the word ("kasteball" also finds "kasteballene") and, unless ``compounds=False``,
  compounds where it is the head or a modifier ("kasteballsproblematikken"); the default for a plain word;
* ``glob``   — shell wildcards over one word ("brukermedvirk*", "s?mordning");
* ``phrase`` — several words in order, each matched by form or lemma ("mål- og resultatstyring");
* ``regex``  — a Python regular expression over the passage text (``re:`` prefix or ``/.../`` in auto mode).

``auto`` picks: ``re:x`` or ``/x/`` -> regex; several words -> phrase; wildcards -> glob; otherwise lemma.
Candidate passages come from the FTS5 index (fast on large corpora); regexes scan the passages. Every line has
the passage's citation and its ``match_type`` (word / inflection / compound); lines of a table of contents
(dot leaders and a page number) are left out.
"""

from __future__ import annotations

import fnmatch
import re
import sqlite3
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

# User regexes run on the `regex` engine (the re syntax, plus a time limit): a pattern such as (\w+\s?)+$
# backtracks catastrophically, and re cannot be interrupted.
import regex as user_regex

from policytekst.search.examples import is_toc_line
from policytekst.search.index import WORD, ensure_index, lemmatizer, search_parts
from policytekst.search.query import QueryError, filter_sql, shorten

if TYPE_CHECKING:  # pragma: no cover
    from policytekst.corpus import Corpus

KWIC_COLUMNS = ["doc_id", "passage_id", "left", "match", "right", "page_start", "page_end", "section", "kind",
                "year", "title", "match_type", "citation"]
# Lemma forms used to pick candidate passages; each passage is then matched in its own language (as in search,
# no English lemma for a pattern of unknown language: it maps Norwegian words to English lookalikes).
LEMMA_LANGS = ("nb", "nn")
MODES = ("auto", "word", "lemma", "glob", "phrase", "regex")
REGEX_TIMEOUT = 10.0  # seconds a user regular expression may run over the whole corpus (kwic(regex_timeout=...))


def detect_mode(pattern: str) -> tuple[str, str]:
    """(mode, pattern without its regex marker) for ``mode="auto"``."""
    if pattern.startswith("re:"):
        return "regex", pattern[3:]
    if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
        return "regex", pattern[1:-1]
    stripped = pattern.replace('"', '').strip()  # quotes only group words: "nav"* is nav*
    if len(WORD.findall(stripped)) > 1:
        return "phrase", stripped
    if any(ch in stripped for ch in "*?["):
        return "glob", stripped
    return "lemma", stripped


class _Matcher:
    """Finds matches as (first token, last token) index pairs in a tokenised passage."""

    def __init__(self, mode: str, pattern: str, compounds: bool = True) -> None:
        self.mode = mode
        self.compounds = compounds and mode == "lemma"
        self.lem = lemmatizer()
        words = [w.lower() for w in WORD.findall(pattern)]
        one_word = len(WORD.findall(re.sub(r"[*?\[\]]", "", pattern))) == 1
        if mode in ("lemma", "glob") and not one_word:
            raise QueryError(f"{mode} pattern {pattern!r} must be one word (use mode 'phrase' for several)")
        self.words = words
        self.glob = pattern.lower()
        self.pattern = pattern
        self._lemmas: dict[str, list[str]] = {}

    def lemmas(self, lang: str) -> list[str]:
        if lang not in self._lemmas:
            self._lemmas[lang] = self.lem.lemma_text(self.pattern, lang).split()
        return self._lemmas[lang]

    def matches(self, tokens: list[str], lang: str) -> Iterator[tuple[int, int, str]]:
        """(first token, last token, match type) of each match."""
        if self.mode == "word":  # the form(s) as typed: one word, or several in a row
            n = len(self.words)
            yield from ((i, i + n - 1, "word") for i in range(len(tokens) - n + 1) if tokens[i:i + n] == self.words)
        elif self.mode == "glob":
            yield from ((i, i, "word") for i, t in enumerate(tokens) if fnmatch.fnmatchcase(t, self.glob))
        else:
            lemmas = self.lem.lemmas(tokens, lang)
            wanted = [self.lemmas(lang), self.lemmas("nb"), self.words]  # the typed form counts as a lemma too
            n = len(self.words)
            if n == 1:  # the common case, by set look-up
                word, targets = self.words[0], {w[0] for w in wanted if len(w) == 1}
                for i, (t, lemma) in enumerate(zip(tokens, lemmas, strict=True)):
                    if t == word:
                        yield i, i, "word"
                    elif lemma in targets:
                        yield i, i, "inflection"
                    elif self.compounds and not targets.isdisjoint(search_parts(t, lang)):
                        yield i, i, "compound"
                return
            i = 0
            while i <= len(tokens) - n:
                window = tokens[i:i + n]
                window_lemmas = lemmas[i:i + n]
                if window == self.words or any(window_lemmas == w for w in wanted if len(w) == n):
                    yield i, i + n - 1, "word" if window == self.words else "inflection"
                    i += n
                else:
                    i += 1

    def fts(self) -> str:
        """An FTS5 expression selecting every passage that can hold a match (a superset)."""
        if self.mode == "glob":
            literal = re.split(r"[*?\[]", self.glob, maxsplit=1)[0]
            if len(literal) >= 2 and self.glob.count("*") + self.glob.count("?") + self.glob.count("[") >= 1:
                return f'{{surface lemmas}} : {_quote(literal)} *'
            return ""
        phrase = " ".join(self.words)
        parts = [f"surface : {_quote(phrase)}"]
        if self.mode != "word":
            lemma_forms = [self.words, *(self.lemmas(lang) for lang in LEMMA_LANGS)]
            parts += [f"lemmas : {_quote(' '.join(lem))}" for lem in lemma_forms if lem]
            if self.compounds and len(self.words) == 1:
                parts += [f"parts : {_quote(lem[0])}" for lem in lemma_forms if len(lem) == 1]
        return "(" + " OR ".join(dict.fromkeys(parts)) + ")"


def _quote(text: str) -> str:
    """An FTS5 string literal (a quote inside the pattern is doubled, so it cannot end the string; a NUL would end
    FTS5's copy of the expression early)."""
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'


def kwic(corpus: Corpus, pattern: str, window: int = 8, *, mode: str = "auto", sort: str | None = None,
         limit: int | None = None, compounds: bool = True, exact: bool = False,
         regex_timeout: float = REGEX_TIMEOUT, **filters: Any) -> pd.DataFrame:
    """A concordance of ``pattern``: one row per occurrence.

    Parameters
    ----------
    corpus : Corpus
    pattern : str
        A word, lemma, glob, phrase or regex (see the module docstring).
    window : int
        Words of context on each side.
    mode : {"auto", "word", "lemma", "glob", "phrase", "regex"}
    sort : {None, "left", "right"}
        None keeps document order; "left" sorts by the words just before the match (nearest first, as in
        AntConc's L1-L2-...), "right" by the words just after.
    limit : int, optional
        Stop after this many occurrences.
    regex_timeout : float
        Seconds a regular expression may run over all passages; longer raises QueryError (say how to simplify).
    compounds : bool
        In lemma mode, also find the word inside compounds (default True); ``mode="word"`` matches the form as
        typed only.
    exact : bool
        Only the word or phrase as typed: no inflections, no compounds (the CLI's ``--exact``; mode "word").
    **filters
        year, genre, doc_id (alias doc), language, kind, theme — as in :func:`policytekst.search.search`.

    Returns
    -------
    DataFrame(doc_id, passage_id, left, match, right, page_start, page_end, section, kind, year, title,
    match_type, citation)
    """
    from policytekst.citation import citations

    if mode not in MODES:
        raise QueryError(f"unknown kwic mode {mode!r} (use one of {', '.join(MODES)})")
    if sort not in (None, "left", "right"):
        raise QueryError(f"unknown sort {sort!r} (use 'left' or 'right')")
    if window < 0:
        raise QueryError(f"window must be 0 or more words (got {window})")
    if mode == "auto":
        mode, pattern = detect_mode(pattern)
    if exact:
        if mode not in ("lemma", "phrase", "word"):
            raise QueryError(f"exact matching is for words and phrases, not a {mode} pattern")
        mode = "word"
    if "doc" in filters:
        filters["doc_id"] = filters.pop("doc")
    ensure_index(corpus)
    rows = _occurrences(corpus, pattern, mode, window, limit, filters, compounds, regex_timeout)
    cites = citations(corpus, list(dict.fromkeys(r["passage_id"] for r in rows))) if rows else {}
    for row in rows:
        row["citation"] = cites.get(row["passage_id"], "")
    frame = pd.DataFrame.from_records(rows, columns=KWIC_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    if sort == "left" and len(frame):
        keys = frame["left"].map(lambda s: [w.lower() for w in reversed(WORD.findall(s))])
        frame = frame.iloc[sorted(range(len(frame)), key=lambda i: (keys.iloc[i], frame["match"].iloc[i].lower()))]
    elif sort == "right" and len(frame):
        keys = frame["right"].map(lambda s: [w.lower() for w in WORD.findall(s)])
        frame = frame.iloc[sorted(range(len(frame)), key=lambda i: (keys.iloc[i], frame["match"].iloc[i].lower()))]
    frame = frame.reset_index(drop=True)
    frame.attrs.update(pattern=pattern, mode=mode, window=window)
    return frame


def _candidates(corpus: Corpus, fts: str, filters: dict[str, Any]) -> Iterator[Any]:
    where, args = filter_sql(corpus, **filters)
    if fts:  # the FTS5 lookup drives the query (a join could make SQLite probe the index once per passage)
        where = ["u.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", *where]
        args = [fts, *args]
    sql = ("SELECT p.passage_id, p.doc_id, p.text, p.page_start, p.page_end, p.section, p.kind, "
           "COALESCE(p.language, d.language) AS language, d.year, COALESCE(d.title, d.doc_id) AS title "
           "FROM search_units u JOIN passages p ON p.passage_id = u.passage_id JOIN documents d ON d.doc_id = u.doc_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY u.rowid")
    try:
        cursor = corpus.store.conn.execute(sql, args)
    except sqlite3.OperationalError as exc:  # an FTS5 syntax error: a bug in fts(), but say which pattern
        raise QueryError(f"pattern could not run ({exc}); FTS5 expression: {fts}") from exc
    yield from cursor


def compile_regex(pattern: str) -> Any:
    """A user's regular expression, compiled case-insensitively (raises QueryError when it is not one)."""
    try:
        return user_regex.compile(pattern, user_regex.IGNORECASE | user_regex.VERSION0)
    except (user_regex.error, re.error, OverflowError, RecursionError, ValueError, MemoryError) as exc:
        raise QueryError(f"bad regular expression {shorten(pattern)}: {exc}") from exc


def _occurrences(corpus: Corpus, pattern: str, mode: str, window: int, limit: int | None,
                 filters: dict[str, Any], compounds: bool = True,
                 regex_timeout: float = REGEX_TIMEOUT) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if mode == "regex":
        regex = compile_regex(pattern)
        deadline = time.monotonic() + regex_timeout
        for p in _candidates(corpus, "", filters):
            spans = [(m.start(), m.end()) for m in WORD.finditer(p["text"])]
            for m in _timed_finditer(regex, p["text"], deadline, pattern, regex_timeout):
                if m.end() == m.start():
                    continue
                first = next((i for i, s in enumerate(spans) if s[1] > m.start()), len(spans))
                last = max(first, next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] < m.end()), first))
                if is_toc_line(_line_at(p["text"], m.start())):
                    continue
                rows.append(_row(p, spans, first, last, window, match_span=(m.start(), m.end()), match_type="word"))
                if limit and len(rows) >= limit:
                    return rows
        return rows
    if not WORD.search(pattern):
        raise QueryError(f"pattern {pattern!r} has no letters or digits to look for")
    matcher = _Matcher(mode, pattern, compounds)
    for p in _candidates(corpus, matcher.fts(), filters):
        spans = [(m.start(), m.end()) for m in WORD.finditer(p["text"])]
        tokens = [p["text"][s:e].lower() for s, e in spans]
        for first, last, kind in matcher.matches(tokens, p["language"] or "nb"):
            if is_toc_line(_line_at(p["text"], spans[first][0])):
                continue
            rows.append(_row(p, spans, first, last, window, match_type=kind))
            if limit and len(rows) >= limit:
                return rows
    return rows


def _timed_finditer(regex: Any, text: str, deadline: float, pattern: str, budget: float) -> list[Any]:
    """All matches in ``text``, or QueryError when the corpus-wide time budget runs out (matching is stopped)."""
    remaining = deadline - time.monotonic()
    try:
        if remaining <= 0:
            raise TimeoutError
        return list(regex.finditer(text, timeout=remaining))
    except TimeoutError as exc:
        raise QueryError(f"regular expression {shorten(pattern)} ran over {budget:g} s; simplify it (nested repeats "
                         "such as (\\w+\\s?)+ backtrack without end) or narrow it with --year/--doc") from exc


def _line_at(text: str, pos: int) -> str:
    """The line of ``text`` around character ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:] if end < 0 else text[start:end]


def _row(p: Any, spans: list[tuple[int, int]], first: int, last: int, window: int,
         match_span: tuple[int, int] | None = None, match_type: str | None = None) -> dict[str, Any]:
    text = p["text"]
    if match_span is None:
        match_span = (spans[first][0], spans[last][1])
    left_start = spans[max(0, first - window)][0] if window and first > 0 else match_span[0]
    right_end = spans[min(len(spans) - 1, last + window)][1] if window and last + 1 < len(spans) else match_span[1]
    return {
        "doc_id": p["doc_id"], "passage_id": p["passage_id"],
        "left": " ".join(text[left_start:match_span[0]].split()),
        "match": " ".join(text[match_span[0]:match_span[1]].split()),
        "right": " ".join(text[match_span[1]:right_end].split()),
        "page_start": p["page_start"], "page_end": p["page_end"], "section": p["section"], "kind": p["kind"],
        "year": p["year"], "title": p["title"], "match_type": match_type,
    }


def kwic_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Occurrences per document of a concordance: DataFrame(doc_id, title, hits, passages), most hits first."""
    if frame.empty:
        return pd.DataFrame(columns=["doc_id", "title", "hits", "passages"])
    grouped = frame.groupby("doc_id", sort=False).agg(title=("title", "first"), hits=("match", "size"),
                                                        passages=("passage_id", "nunique"))
    return grouped.reset_index().sort_values(["hits", "doc_id"], ascending=[False, True]).reset_index(drop=True)
