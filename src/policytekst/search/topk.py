"""Top-k lists: a frequent query's own best rows, so a common word is not ranked over every passage.

A ranked FTS5 query scores every matching row (BM25 reads each row's positions and its size), so a word in half a
million passages costs ~0.45 s however few results are shown. A query word compiles to an OR of its forms in two or
three columns (``surface : "brukerne" OR surface : "bruker" OR lemmas : "bruker"``): a *unit* here. For a query
that reads more than ``RARE_ROWS`` passages the corpus keeps a *list*: the query's (or unit's) own ``K`` best rows,
with every row tied with the K-th, their scores from FTS5's own ranked query, and the best score of a row outside
the list. That score bounds every row outside the list, and it is tight: a real row's score for the same
expression, not a sum of per-term bounds. (The first version kept one list per (column, term); the sum of a word's
per-term bounds lay far above any real score - 6.6 against 3.9 for "brukerne" - and only 4 of the 50 benchmark pages
were proven at 1,000,000 passages.)

A list is made by the same ranked FTS5 query a search without lists runs, and kept in the corpus
(``LISTS_TABLE``, keyed by the expression). The key is what users type, compiled: any inflection ("brukerne",
"tjenestene"), the language filter's lemmas, with or without compounds, phrases, prefixes and globs; those cannot
all be enumerated, so most lists are made **lazily, on first use** (that first search costs what it always did).
The plain single words that read the most are the exception: the index build makes their lists (:func:`premake`,
called by ``search.index.ensure_index``): the candidates are the index's own terms in at least ``RARE_ROWS``
passages, each compiled as a default search compiles it (its whole-word tier, see ``search.query.tiers``), the
``PREMADE_WORDS`` units that read the most get lists, until ``PREMADE_SECONDS`` of wall clock have gone. So a
common word's first search reads its list too. An index update keeps those lists that are still usable (exact
through the rows added since, as below) and makes the missing or stale ones; an index built before this gets them
once (``PREMADE_KEY`` in info); a rebuild forgets every list and makes the frequent words' again at its end.

Answering (:func:`top`):

1. a query that is one unit (a word, or an OR of words): its list. While the index is as it was when the list was
   made, walk it in score order and apply the filters; the page is exact when ``limit`` rows pass and the last
   scores above the best score outside the list (the scores are FTS5's own). After the index changed: step 3.
2. any other query (AND/NOT of words, phrases, prefixes, globs): its own list, the same way, while the index is
   unchanged; after a change, step 3 when every frequent word of it has a list, else its list is made again.
3. candidates = the lists of the query's units (a rare unit's list is ranked on the spot, which is cheap) and every
   matching row added since a list was made; each candidate is scored with FTS5's BM25 formula (``fts5_aux.c``:
   same IDF, average length, k1, b, column weights and order of summation) and checked against the query's
   AND/OR/NOT and the filters; the page is exact when its last score is above the sum of the units' bounds (a
   NOT's right side adds nothing to a row that matches; a unit's bound is raised by the growth of its terms' IDF
   and of the average length since its list was made).

Otherwise :func:`top` returns None and the caller runs the plain ranked FTS5 query: the result is the same either
way; this module only decides when the answer can be read from fewer rows.

Measured (benchmarks/bench_search.py, 1,000,000 passages, CPU time): the 50 queries' p95 51.9 ms with the lists,
684.5 ms ranked in full (bare FTS5 p95 949.7 ms); 26 of the 50 pages read from lists, the other 24 read fewer than
RARE_ROWS passages (ranked in full, cheap) or were not proven (filters leaving too few of a list's rows); every page
the same as ranked in full. The first search of each query (lists made then): p95 513 ms, what it always cost.

Lists made with the index (:func:`premake`, issue 14; 2 cores, load average 5-6): at 100,000 passages 34 units read
>= RARE_ROWS, made in 5.3 s of a 102 s build; at 1,000,000, 300 lists (the cap; 788 terms are in >= RARE_ROWS
passages) in 127-166 s wall, 105-120 s CPU (about a tenth of a 20+ minute build), 7.9 MB of JSON; an index update
that finds them all usable spends 1.8 s choosing and checking them. A first search of such a word reads its list:
"brukerne" 618 -> 29 ms CPU, "tjenestene" 395 -> 33, "sosialhjelp" 181 -> 26. The benchmark's 22 one-word queries:
first-search p95 127 ms CPU (the slowest, 612 ms, is the run's very first search: process warm-up, no list). All 50
queries' first-search p95 stays ~370-610 ms CPU: what remains slow on first use is what is not a plain word -
AND/NOT of words ("kommunene NOT Oslo" ~800 ms, "NAV AND kommune"), prefixes and globs ("*reform",
"sosialkontor*"), phrases ("økonomisk sosialhjelp"); those lists stay lazy, as do frequent words outside the 300
("samordning", "statsråden": ~110 ms). Repeated searches: p95 39 ms CPU.

Incremental: the index never reuses a rowid (``search_rowid_hwm``), so rows added after a list was made are those
above its ``max_rowid`` and are read as candidates by a MATCH restricted to that range; deleted rows drop out (the
bound stays valid). A unit's list is made again when the rows added since exceed ``STALE_SHARE`` of the index or the
index shrank by as much; an index rebuild (index format or nlp fingerprint changed) forgets them all. Where lists
cannot be written (a read-only corpus) none is made after the first attempt, so search never ranks twice.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policytekst.db import transaction

LISTS_TABLE = "search_topk_lists"  # (key, state, bound, rows): one frequent unit's best rows and scores
_OLD_TABLES = ("search_topk", "search_topk_terms")  # version 2's per-term impact lists: dropped
TOPK_VERSION = "3"  # 3: lists per query unit (a word's OR of forms), made on first use
K = 200  # rows kept per list (plus the rows tied with the K-th)
# rows fetched per list: K x this, so ties with the K-th row fit (copies of a passage score alike: the benchmark's
# million holds ~470 copies of each report passage); ranking costs the same whatever the LIMIT
TIE_ROOM = 25
# a query reading fewer passages (estimated from per-term counts) is ranked in full: ~20 ms of CPU at a million
# passages, about what a list's first use costs beyond it; a unit below it is ranked on the spot when a query
# needs its list
RARE_ROWS = 20_000
COUNT_ROWS = 50_000  # search(count=True): a word or OR of words in more passages is not counted match by match
STALE_SHARE = 0.05  # make a list again when the rows added (or removed) since exceed this share of the index
MAX_RANGE_ROWS = 20_000  # matches among rows added since a list was made read as candidates, at most
MAX_LISTS = 2_000  # lists kept per corpus (~20 kB each; the least recently made are dropped past it)
STORE_WAIT_MS = 100  # how long a search waits for the write lock to keep a list it made
# lists made with the index (see premake): the most frequent plain words' units, at most this many, and no more
# once this much wall-clock time has gone into making them (so a build's added cost stays bounded)
PREMADE_WORDS = 300
PREMADE_SECONDS = 300.0
POOL_FACTOR = 4  # words considered (by their own passages) per word made: ordered by what their units read
PREMADE_KEY = "search_topk_premade"  # info: the words' lists have been made for this index (TOPK_VERSION)
COLUMNS = ("surface", "lemmas", "parts")
BM25_K1, BM25_B = 1.2, 0.75  # fts5_aux.c's constants

_SCHEMA = f"""CREATE TABLE IF NOT EXISTS {LISTS_TABLE} (
    key TEXT PRIMARY KEY,   -- the unit's FTS5 expression
    state TEXT NOT NULL,    -- JSON: the index statistics when the list was made (see _make_list)
    bound REAL,             -- best score of a row outside the list; NULL when the list holds every match
    rows TEXT NOT NULL      -- JSON [[rowid, score], ...] in FTS5's order (score desc, rowid asc)
) WITHOUT ROWID"""

# FTS5's unicode61 tokenizer (remove_diacritics 0): tokens are runs of letters and digits, folded to lower case.
# The same pattern as policytekst.nlp.word_lemmas.WORD, kept here so this module reads rows as FTS5 does.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


ENV = "POLICYTEKST_TOPK_LISTS"
# connections that cannot keep lists (a read-only corpus), by id(); the connection itself is held so its id is not
# given to a later one (sqlite3 connections take no weak references); a handful per process at most
_UNWRITABLE: dict[int, sqlite3.Connection] = {}


def enabled() -> bool:
    """Whether search uses expression lists (default on; ``POLICYTEKST_TOPK_LISTS=0`` ranks every query in full)."""
    return os.environ.get(ENV, "").strip().lower() not in ("0", "no", "false", "off")


# -- the index statistics FTS5's bm25 uses ------------------------------------------------------------------------
def _varints(blob: bytes) -> list[int]:
    """SQLite varints (big-endian 7-bit groups, the 9th byte whole) as FTS5 writes sizes and averages."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for j in range(9):
            byte = blob[i]
            i += 1
            if j == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def averages(conn: sqlite3.Connection, fts: str) -> tuple[int, float]:
    """(rows, average row length in tokens over all columns): FTS5's averages record (%_data rowid 1)."""
    row = conn.execute(f"SELECT block FROM {fts}_data WHERE id = 1").fetchone()
    if row is None or not row[0]:
        return 0, 0.0
    values = _varints(bytes(row[0]))
    n_rows, n_tokens = values[0], sum(values[1:])
    return n_rows, (n_tokens / n_rows if n_rows else 0.0)


def idf(n_rows: int, n_hit: int) -> float:
    value = math.log((n_rows - n_hit + 0.5) / (n_hit + 0.5)) if n_rows else 0.0
    return value if value > 0.0 else 1e-6


# -- the compiled expression as a tree ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    col: int
    term: str


class Unsupported(Exception):
    """An expression this module does not answer (phrases, prefixes, multi-column terms): the caller ranks in full."""


@dataclass(frozen=True)
class Opaque:
    """A phrase, a prefix or a glob's list of terms: matched and ranked by FTS5 alone (not scored here); its
    passages are estimated from per-term counts."""

    cols: tuple[int, ...]
    words: tuple[str, ...]  # a phrase's words (one for a prefix of one word)
    prefix: bool = False
    alternatives: tuple[str, ...] = ()  # a glob's expansion: any of these terms


_EXPR_TOKEN = re.compile(r'\s*(?:(?P<op>AND|OR|NOT)\b|(?P<paren>[()])|'
                         r'(?P<col>surface|lemmas|parts|\{[a-z ]+\})\s*:\s*(?:"(?P<text>(?:[^"]|"")*)"(?P<star>\s*\*)?'
                         r'|\((?P<alts>(?:\s*"(?:[^"]|"")*"\s*(?:OR\b)?)+)\s*\)))')
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def parse_expression(expression: str, lenient: bool = False) -> Any:
    """The compiler's FTS5 expression as nested ("AND"|"OR"|"NOT", children) tuples and Leaf objects; phrases,
    prefixes and column sets raise Unsupported, or with ``lenient`` become :class:`Opaque` nodes."""
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        m = _EXPR_TOKEN.match(expression, pos)
        if m is None:
            raise Unsupported(expression[pos:pos + 20])
        pos = m.end()
        if m.group("op"):
            tokens.append(("op", m.group("op")))
        elif m.group("paren"):
            tokens.append((m.group("paren"), None))
        else:
            col = m.group("col")
            cols = tuple(COLUMNS.index(c) for c in col.strip("{}").split())
            if m.group("alts") is not None:
                alternatives = tuple(" ".join(_TOKEN.findall(a.replace('""', '"').lower()))
                                     for a in _QUOTED.findall(m.group("alts")))
                if not lenient:
                    raise Unsupported("list of terms")
                tokens.append(("leaf", Opaque(cols, (), False, alternatives)))
                continue
            words = _TOKEN.findall(m.group("text").replace('""', '"').lower())
            if m.group("star") or len(words) != 1 or len(cols) != 1:
                if not lenient or not words:
                    raise Unsupported("phrase or prefix")
                tokens.append(("leaf", Opaque(cols, tuple(words), bool(m.group("star")))))
                continue
            tokens.append(("leaf", Leaf(cols[0], words[0])))
    state = {"i": 0}

    def peek() -> tuple[str, Any] | None:
        return tokens[state["i"]] if state["i"] < len(tokens) else None

    def take() -> tuple[str, Any]:
        tok = peek()
        if tok is None:
            raise Unsupported("end")
        state["i"] += 1
        return tok

    def binary(op: str, sub: Callable[[], Any]) -> Any:
        children = [sub()]
        while peek() == ("op", op):
            take()
            children.append(sub())
        return children[0] if len(children) == 1 else (op, children)

    def atom() -> Any:
        kind, value = take()
        if kind == "leaf":
            return value
        if kind == "(":
            inner = binary("OR", lambda: binary("AND", not_expr))
            if take()[0] != ")":
                raise Unsupported(")")
            return inner
        raise Unsupported(str(value))

    def not_expr() -> Any:
        node = atom()
        while peek() == ("op", "NOT"):
            take()
            node = ("NOT", [node, atom()])
        return node

    tree = binary("OR", lambda: binary("AND", not_expr))
    if peek() is not None:
        raise Unsupported("trailing")
    return tree


def leaves(node: Any) -> list[Leaf]:
    """The leaves in the order FTS5 numbers the query's phrases (left to right)."""
    if isinstance(node, (Leaf, Opaque)):
        return [node]
    return [leaf for child in node[1] for leaf in leaves(child)]


def scoring_leaves(node: Any) -> list[Leaf]:
    """Leaves that can occur in a matching row (and so add to its score): all but those excluded outright by a
    NOT whose right side is a term or an OR of terms (``a NOT (b OR c)``: no matching row holds b or c)."""
    if isinstance(node, Leaf):
        return [node]
    op, children = node
    if op == "NOT":
        right = children[1]
        return scoring_leaves(children[0]) + ([] if _or_of_leaves(right) else scoring_leaves(right))
    return [leaf for c in children for leaf in scoring_leaves(c)]


def _or_of_leaves(node: Any) -> bool:
    return isinstance(node, Leaf) or (node[0] == "OR" and all(_or_of_leaves(c) for c in node[1]))


def check(node: Any, present: Callable[[Leaf], bool], cleared: set[int]) -> bool:
    """Whether a row matches the tree, clearing (adding ``id()`` of) the leaves whose instances FTS5 drops for the
    row: fts5_expr.c's fts5ExprCheckPoslists, where an AND or NOT that fails clears every phrase beneath it, so a
    present term under a failed AND adds nothing to BM25."""
    if isinstance(node, Leaf):
        return present(node)
    op, children = node
    if op == "AND":
        for child in children:
            if not check(child, present, cleared):
                _clear(node, cleared)
                return False
        return True
    if op == "OR":
        results = [check(child, present, cleared) for child in children]  # every child, as FTS5 does
        return any(results)
    if not check(children[0], present, cleared) or check(children[1], present, cleared):
        _clear(node, cleared)
        return False
    return True


def _clear(node: Any, cleared: set[int]) -> None:
    cleared.update(id(leaf) for leaf in _leaf_nodes(node))


def _leaf_nodes(node: Any) -> list[Leaf]:
    return [node] if isinstance(node, Leaf) else [x for c in node[1] for x in _leaf_nodes(c)]



# -- the lists ------------------------------------------------------------------------------------------------------
def create_schema(conn: sqlite3.Connection) -> None:
    for table in _OLD_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(_SCHEMA)


def clear(conn: sqlite3.Connection, keep_premade: bool = False) -> None:
    """Forget every list (an index rebuild does this in its first transaction); ``keep_premade``: only those made
    on first use (the benchmark starts from the lists an index build leaves)."""
    create_schema(conn)
    if keep_premade:
        conn.execute(f"DELETE FROM {LISTS_TABLE} WHERE json_extract(state, '$.premade') IS NULL")
    else:
        conn.execute(f"DELETE FROM {LISTS_TABLE}")
        conn.execute("DELETE FROM info WHERE key = ?", (PREMADE_KEY,))


def unit_key(node: Any) -> str:
    """A unit's FTS5 expression (its leaves in order, ORed): the list's key and the query that makes it. Its
    phrases are numbered as in the query, so FTS5 sums the same terms in the same order and scores alike."""
    return " OR ".join(f'{COLUMNS[leaf.col]} : "{leaf.term}"' for leaf in leaves(node))


def units(node: Any) -> list[Any]:
    """The units whose scores make a matching row's score: the largest ORs of terms. A NOT's right side is left
    out: in a row that matches, every term under it is absent or cleared (see :func:`check`) and adds nothing."""
    if _or_of_leaves(node):
        return [node]
    op, children = node
    if op == "NOT":
        return units(children[0])
    return [u for child in children for u in units(child)]


def estimate(node: Any, hits: dict[Any, int], n_rows: int) -> int:
    """What FTS5's ranking of a node will cost, as passages read: from per-term counts."""
    if isinstance(node, (Leaf, Opaque)):
        return min(n_rows, hits[node])
    op, children = node
    if op == "OR":
        return min(n_rows, sum(estimate(c, hits, n_rows) for c in children))
    if op == "AND":
        # the most frequent part, not the rarest: FTS5 reads the doclists of all of them, and "helse og
        # omsorgstjenester" costs as much as "og" though few passages hold all three
        return max(estimate(c, hits, n_rows) for c in children)
    return estimate(children[0], hits, n_rows)


@dataclass
class UnitList:
    """A unit's best rows with their scores (FTS5's order) and the best score of a row outside them."""

    key: str
    rows: list[tuple[int, float]]
    bound: float | None  # None: the rows are every match the unit had
    state: dict[str, Any] = field(default_factory=dict)  # n_rows, avgdl, max_rowid, weights, hits (per leaf)
    stored: bool = False


@dataclass
class IndexState:
    """The statistics a list's scores depend on, as they are now."""

    n_rows: int
    avgdl: float
    max_rowid: int


def index_state(conn: sqlite3.Connection, fts: str, units_table: str) -> IndexState:
    n_rows, avgdl = averages(conn, fts)
    max_rowid = conn.execute(f"SELECT MAX(rowid) FROM {units_table}").fetchone()[0] or 0
    return IndexState(n_rows, avgdl, max_rowid)


def _load(conn: sqlite3.Connection, key: str) -> UnitList | None:
    try:
        row = conn.execute(f"SELECT state, bound, rows FROM {LISTS_TABLE} WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no table yet (an index built before this version, read-only corpus)
        return None
    if row is None:
        return None
    state = json.loads(row[0])
    if state.get("version") != TOPK_VERSION:
        return None
    return UnitList(key, [(r[0], r[1]) for r in json.loads(row[2])], row[1], state, stored=True)


def _make_list(conn: sqlite3.Connection, fts: str, key: str, hits: list[int], now: IndexState,
               weights: tuple[float, ...], k: int) -> UnitList:
    """A unit's list from FTS5's ranked query (the same query and order a search runs, so the same scores);
    ``hits`` are the passages of each of its terms (the IDFs its scores were made with)."""
    args = ", ".join(str(w) for w in weights)
    fetched = conn.execute(f"SELECT rowid, -bm25({fts}, {args}) AS s FROM {fts} WHERE {fts} MATCH ? "
                           "ORDER BY s DESC, rowid LIMIT ?", (key, k * TIE_ROOM)).fetchall()
    rows, bound = _list([(r[0], r[1]) for r in fetched], k, complete=len(fetched) < k * TIE_ROOM)
    state = {"version": TOPK_VERSION, "n_rows": now.n_rows, "avgdl": now.avgdl, "max_rowid": now.max_rowid,
             "weights": list(weights), "hits": hits, "made": time.time()}
    return UnitList(key, rows, bound, state)


def _store(conn: sqlite3.Connection, unit: UnitList) -> bool:
    """Keep a list in the corpus; False when it cannot be written now (read-only, another writer, inside a
    transaction): the list then serves this query only."""
    if conn.in_transaction or id(conn) in _UNWRITABLE:
        return False
    # a search must not wait out the store's 30 s busy timeout behind an ingest: a short wait, then go without
    previous = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {STORE_WAIT_MS}")
    try:
        with transaction(conn):
            conn.execute(_SCHEMA)  # an index built before this version has no table yet
            conn.execute(f"INSERT OR REPLACE INTO {LISTS_TABLE} VALUES (?, ?, ?, ?)",
                         (unit.key, json.dumps(unit.state), unit.bound, json.dumps(unit.rows)))
            over = conn.execute(f"SELECT COUNT(*) FROM {LISTS_TABLE}").fetchone()[0] - MAX_LISTS
            if over > 0:  # the least recently made go: a corpus searched for years does not grow without end
                # (lists made on first use before those made with the index: those are the most frequent words)
                conn.execute(f"DELETE FROM {LISTS_TABLE} WHERE key IN (SELECT key FROM {LISTS_TABLE} "
                             "ORDER BY json_extract(state, '$.premade') IS NOT NULL, json_extract(state, '$.made') "
                             "LIMIT ?)", (over,))
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "read-only" in str(exc):
            if len(_UNWRITABLE) >= 64:
                _UNWRITABLE.clear()  # worst case: one more list made and not kept per connection
            _UNWRITABLE[id(conn)] = conn  # no lists on this connection: do not rank twice on every search
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(previous)}")
    unit.stored = True
    return True


def _can_make(conn: sqlite3.Connection) -> bool:
    """Whether making a list is worth it: it can be kept (else every search would rank twice)."""
    return id(conn) not in _UNWRITABLE


@dataclass
class Premade:
    """What :func:`premake` did."""

    words: int = 0  # candidate words read from the term counts
    made: int = 0  # lists made (each a ranked FTS5 query)
    kept: int = 0  # lists already there and still usable
    seconds: float = 0.0
    stopped: bool = False  # the time budget ran out before every candidate had its list


def premake(conn: sqlite3.Connection, fts: str, units_table: str, terms_tables: tuple[str, str],
            weights: tuple[float, ...], expressions: Callable[[str], list[str]], *, words: int | None = None,
            seconds: float | None = None, rare: int | None = None) -> Premade:
    """Make the lists of the most frequent plain words with the index, so a word's first search reads its list.

    Candidates are the index's own terms (``terms_tables[0]``: passages per term as written and as a lemma);
    ``expressions(word)`` gives what a search of the word runs (the default mode's tiers), and of those that are
    one unit reading at least ``rare`` passages, the ``words`` (``PREMADE_WORDS``) that read the most get lists,
    most first, keyed as a search looks them up. A list already there and still usable (:func:`_usable`) is kept as it is (after
    a small change it answers exactly through the rows added since); one missing or stale is made. Making stops
    once ``seconds`` (``PREMADE_SECONDS``) of wall-clock time have gone; the rest stay lazy (made on first use).
    The lists carry ``premade`` in their state, and are dropped past ``MAX_LISTS`` only after the lazy ones.
    """
    done = Premade()
    if not enabled() or not _can_make(conn):
        return done
    start = time.perf_counter()
    rare = RARE_ROWS if rare is None else rare
    words = PREMADE_WORDS if words is None else words
    seconds = PREMADE_SECONDS if seconds is None else seconds
    # the unit of a word holds surface : word and lemmas : word, so it reads at least as many passages as the word
    # itself is in: the pool is the words in at least ``rare`` passages (a few times ``words`` of them, by their
    # own count), ordered by what their units read (an inflection reads its lemma's passages too: "kommunene")
    pool = [r[0] for r in conn.execute(
        f"SELECT term FROM {terms_tables[0]} WHERE MAX(surface, lemmas) >= ? "
        "ORDER BY MAX(surface, lemmas) DESC, term LIMIT ?", (rare, max(words, 0) * POOL_FACTOR))]
    now = index_state(conn, fts, units_table)
    wanted: dict[str, tuple[int, Any, list[Any], dict[Any, int]]] = {}  # key -> (passages read, tree, leaves, hits)
    for word in pool:
        for expression in expressions(word):
            try:
                tree = parse_expression(expression)
            except Unsupported:
                continue
            if not _or_of_leaves(tree):
                continue  # the compound tier ("(...) NOT (...)") and anything else not one unit: lazy
            key = unit_key(tree)
            if key in wanted:
                continue
            order = leaves(tree)
            hits = _hits(conn, terms_tables, order)
            reads = estimate(tree, hits, now.n_rows)
            if reads >= rare:
                wanted[key] = (reads, tree, order, hits)
    chosen = sorted(wanted.items(), key=lambda item: (-item[1][0], item[0]))[:max(words, 0)]
    done.words = len(chosen)
    for key, (_reads, _tree, order, hits) in chosen:
        old = _load(conn, key)
        if old is not None and _usable(old, now, weights, conn, units_table):
            done.kept += 1
            if "premade" not in old.state:
                with transaction(conn):
                    conn.execute(f"UPDATE {LISTS_TABLE} SET state = json_set(state, '$.premade', 1) "
                                 "WHERE key = ?", (key,))
            continue
        if time.perf_counter() - start > seconds:
            done.stopped = True
            break
        unit = _make_list(conn, fts, key, [hits[leaf] for leaf in order], now, weights, K)
        unit.state["premade"] = 1
        if not _store(conn, unit):
            break  # cannot write now (read-only, another writer): the lists stay lazy
        done.made += 1
    done.seconds = time.perf_counter() - start
    return done


def _usable(unit: UnitList, now: IndexState, weights: tuple[float, ...], conn: sqlite3.Connection,
            units_table: str) -> bool:
    """Whether a stored list can still serve: same weights, and not too many rows added or removed since."""
    state = unit.state
    if tuple(state.get("weights", ())) != tuple(weights):
        return False
    limit = STALE_SHARE * max(now.n_rows, 1)
    if state["n_rows"] - now.n_rows > limit:
        return False  # many rows deleted: the list may have lost most of its rows
    if now.max_rowid == state["max_rowid"]:
        return True
    added = conn.execute(f"SELECT COUNT(*) FROM {units_table} WHERE rowid > ?", (state["max_rowid"],)).fetchone()[0]
    return added <= limit


def _fresh(unit: UnitList, now: IndexState) -> bool:
    """The index is as it was when the list was made: its scores are FTS5's scores now."""
    state = unit.state
    return (state["n_rows"] == now.n_rows and state["max_rowid"] == now.max_rowid
            and state["avgdl"] == now.avgdl)


def _bound_now(unit: UnitList, node: Any, hits: dict[Leaf, int], now: IndexState) -> float:
    """The list's bound raised for the statistics having changed since it was made: a term's contribution is its
    IDF times a factor that grows at most as the average length (a longer average shortens every row)."""
    if unit.bound is None:
        return 0.0  # every row that matched then is in the list; rows added since are candidates
    if _fresh(unit, now):
        return unit.bound
    state = unit.state
    ratio = 1.0
    for leaf, then in zip(leaves(node), state["hits"], strict=True):
        if then:  # a term no row had then is only in rows added since (candidates)
            ratio = max(ratio, idf(now.n_rows, hits[leaf]) / idf(state["n_rows"], then))
    growth = max(1.0, now.avgdl / state["avgdl"]) if state["avgdl"] else 1.0
    return unit.bound * ratio * growth


def _list(rows: list[tuple[int, float]], k: int,
          complete: bool = False) -> tuple[list[tuple[int, float]], float | None]:
    """The list kept from a unit's best rows (fetched with room for ties) and the best score outside it.

    The K best rows and every row tied with the K-th (copies of one passage score alike, and a corpus may hold
    hundreds), so the bound is the first score *below* the list and a page of tied copies can still be proved.
    None when the list holds every row of the unit (``complete``: the fetch returned fewer rows than it asked for).
    """
    if len(rows) <= k:
        return rows, None  # fewer than the fetch asked for (K x TIE_ROOM): every row of the unit
    cut = k
    while cut < len(rows) and rows[cut][1] == rows[k - 1][1]:
        cut += 1
    if cut < len(rows):
        return rows[:cut], rows[cut][1]
    if complete:
        return rows, None
    return rows, rows[-1][1]  # ties fill the room: the last score still bounds the rows outside (a looser bound)


# -- answering a query ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """Why :func:`top` answered or declined (the benchmark reports these)."""

    answered: bool
    reason: str
    candidates: int = 0
    made: int = 0  # lists made (ranked in full) for this query


def _count(conn: sqlite3.Connection, terms_tables: tuple[str, str], col: int, term: str,
           prefix: bool = False) -> int:
    """Passages holding a term in a column (a term with ``prefix``: the sum over the terms it begins, which
    counts a passage once per such term, so it is an upper bound)."""
    table = terms_tables[1] if col == 2 else terms_tables[0]
    if prefix:
        row = conn.execute(f"SELECT SUM({COLUMNS[col]}) FROM {table} WHERE term >= ? AND term < ?",
                           (term, term + "\U0010ffff")).fetchone()
    else:
        row = conn.execute(f"SELECT {COLUMNS[col]} FROM {table} WHERE term = ?", (term,)).fetchone()
    return int(row[0] or 0) if row else 0


def _opaque_count(conn: sqlite3.Connection, terms_tables: tuple[str, str], node: Opaque) -> int:
    """Passages FTS5 reads for a phrase, prefix or list of terms: per column, the most frequent word of a phrase
    (its last as a prefix), or the sum over a list; summed over the columns."""
    total = 0
    for col in node.cols:
        if node.alternatives:
            total += sum(max((_count(conn, terms_tables, col, w) for w in alt.split()), default=0)
                         for alt in node.alternatives)
            continue
        counts = [_count(conn, terms_tables, col, w) for w in node.words[:-1]]
        counts.append(_count(conn, terms_tables, col, node.words[-1], prefix=node.prefix))
        total += max(counts)  # FTS5 reads every word's positions: a phrase with "og" costs what "og" does
    return total


def _hits(conn: sqlite3.Connection, terms_tables: tuple[str, str], order: list[Any]) -> dict[Any, int]:
    hits: dict[Any, int] = {}
    for leaf in set(order):
        if isinstance(leaf, Opaque):
            hits[leaf] = _opaque_count(conn, terms_tables, leaf)
        else:
            hits[leaf] = _count(conn, terms_tables, leaf.col, leaf.term)
    return hits


def top(conn: sqlite3.Connection, fts: str, units_table: str, terms_tables: tuple[str, str], expression: str,
        weights: tuple[float, ...], where: list[str], args: list[Any], limit: int,
        rare: int | None = None) -> tuple[list[tuple[str, float]] | None, Outcome]:
    """The first ``limit`` (passage_id, score) of ``expression`` exactly as the ranked FTS5 query orders them
    (score desc, rowid asc), or None when the lists cannot prove the page (the caller ranks in full)."""
    if not enabled():
        return None, Outcome(False, "off")
    rare = RARE_ROWS if rare is None else rare
    try:
        tree = parse_expression(expression, lenient=True)
    except Unsupported:
        return None, Outcome(False, "expression")
    order = leaves(tree)
    hits = _hits(conn, terms_tables, order)
    now = index_state(conn, fts, units_table)
    if estimate(tree, hits, now.n_rows) < rare:
        return None, Outcome(False, "rare")  # ranking every match is as cheap as proving a page
    scorable = not any(isinstance(leaf, Opaque) for leaf in order)
    if scorable and _or_of_leaves(tree):  # one word (or an OR of words): its list, also after index changes
        return _top_units(conn, fts, units_table, expression, tree, order, hits, now, weights, where, args, limit,
                          rare, make=True)
    # an AND/NOT of words, or a query with phrases, prefixes or globs: its own list while the index is unchanged
    # (a composite's page lies deep in its words' lists: their bounds add up and rarely prove it)
    key = " ".join(expression.split())
    whole = _load(conn, key)
    if whole is not None and tuple(whole.state["weights"]) == tuple(weights) and _fresh(whole, now):
        return _answer(conn, units_table, whole, where, args, limit, Outcome(False, "bound"))
    made = 0
    if scorable:  # after a change: the words' own lists, where each frequent word has one, may prove it
        page, outcome = _top_units(conn, fts, units_table, expression, tree, order, hits, now, weights, where, args,
                                   limit, rare, make=False)
        if page is not None:
            return page, outcome
        made = outcome.made
    if not _can_make(conn):
        return None, Outcome(False, "no list")
    whole = _make_list(conn, fts, key, [], now, weights, K)
    _store(conn, whole)
    return _answer(conn, units_table, whole, where, args, limit, Outcome(False, "bound", made=made + 1))


def _answer(conn: sqlite3.Connection, units_table: str, unit: UnitList, where: list[str], args: list[Any],
            limit: int, outcome: Outcome) -> tuple[list[tuple[str, float]] | None, Outcome]:
    page = _walk(conn, units_table, unit, where, args, limit)
    outcome.candidates = len(unit.rows)
    if page is not None:
        outcome.answered, outcome.reason = True, "exact"
    return page, outcome


def _top_units(conn: sqlite3.Connection, fts: str, units_table: str, expression: str, tree: Any, order: list[Leaf],
               hits: dict[Any, int], now: IndexState, weights: tuple[float, ...], where: list[str], args: list[Any],
               limit: int, rare: int, make: bool) -> tuple[list[tuple[str, float]] | None, Outcome]:
    """The page from the lists of the query's units (frequent ones kept, rare ones ranked on the spot), exact also
    after the index changed: the candidates are rescored and the bound raised (see the module notes). ``make``:
    make a frequent unit's missing list (else decline)."""
    outcome = Outcome(False, "bound")
    parts = units(tree)
    lists: list[UnitList] = []
    for node in parts:
        key = unit_key(node)
        unit = next((u for u in lists if u.key == key), None)  # a word twice: one list, counted twice
        if unit is None:
            frequent = estimate(node, hits, now.n_rows) >= rare
            unit = _load(conn, key) if frequent else None
            if unit is None or not _usable(unit, now, weights, conn, units_table):
                if frequent and not (make and _can_make(conn)):
                    return None, Outcome(False, "no list", made=outcome.made)
                # ranked in full once: the cost of a search without lists; a rare unit's is cheap and not kept
                unit = _make_list(conn, fts, key, [hits[leaf] for leaf in leaves(node)], now, weights, K)
                outcome.made += 1
                if frequent:
                    _store(conn, unit)
        lists.append(unit)
    if parts[0] is tree and _fresh(lists[0], now):  # the query is one unit (no NOT: its list is its matches)
        return _answer(conn, units_table, lists[0], where, args, limit, outcome)
    bound = sum(_bound_now(unit, node, hits, now) for unit, node in zip(lists, parts, strict=True))
    candidates = {r[0] for unit in lists for r in unit.rows}
    since = min(unit.state["max_rowid"] for unit in lists)
    if since < now.max_rowid:
        recent = conn.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid > ? LIMIT ?",
                              (expression, since, MAX_RANGE_ROWS + 1)).fetchall()
        if len(recent) > MAX_RANGE_ROWS:
            return None, Outcome(False, "many new rows", made=outcome.made)
        candidates.update(r[0] for r in recent)
    outcome.candidates = len(candidates)
    if not candidates:
        return None, outcome
    scored = _score(conn, fts, units_table, tree, order, hits, now.n_rows, now.avgdl, weights, sorted(candidates),
                    where, args)
    scored.sort(key=lambda s: (-s[2], s[0]))
    if len(scored) >= limit:
        proven = scored[limit - 1][2] > bound
    else:
        proven = bound == 0.0  # every list complete: the candidates are every match
    if not proven:
        return None, outcome
    outcome.answered, outcome.reason = True, "exact"
    return [(pid, score) for _rowid, pid, score in scored[:limit]], outcome


def _walk(conn: sqlite3.Connection, units_table: str, unit: UnitList, where: list[str], args: list[Any],
          limit: int) -> list[tuple[str, float]] | None:
    """A one-unit page from a list made on the index as it is: its rows in order, filtered; None unless proven
    (``limit`` rows pass and the last scores above every row outside the list, or the list holds every match)."""
    wanted = json.dumps([r[0] for r in unit.rows])
    passage = dict(conn.execute(
        f"SELECT u.rowid, u.passage_id FROM {units_table} u WHERE u.rowid IN (SELECT value FROM json_each(?))"
        + "".join(f" AND {w}" for w in where), (wanted, *args)).fetchall())
    page = [(passage[rowid], score) for rowid, score in unit.rows if rowid in passage][:limit]
    if unit.bound is None or (len(page) == limit and page[-1][1] > unit.bound):
        return page
    return None


def count_bounds(conn: sqlite3.Connection, fts: str, terms_tables: tuple[str, str],
                 expression: str) -> tuple[int, int] | None:
    """(at least, at most) passages matching an expression that is one term or an OR of terms, from the
    per-term passage counts alone (no pass over the matches): exact for one term, else the largest count and the
    sum (capped at the rows). None for any other expression."""
    try:
        tree = parse_expression(expression)
    except Unsupported:
        return None
    if not _or_of_leaves(tree):
        return None
    counts = []
    for leaf in set(leaves(tree)):
        table = terms_tables[1] if leaf.col == 2 else terms_tables[0]
        row = conn.execute(f"SELECT {COLUMNS[leaf.col]} FROM {table} WHERE term = ?", (leaf.term,)).fetchone()
        counts.append(int(row[0]) if row else 0)
    n_rows, _avgdl = averages(conn, fts)
    return max(counts, default=0), min(n_rows, sum(counts))


def _occurrences(low: str, term: str) -> int:
    """How often ``term`` is a whole token of the lower-cased text (a token is a run of letters and digits, as
    FTS5's unicode61 splits): str.find with a look at both neighbours, far cheaper than tokenising the text."""
    n, at, size = 0, low.find(term), len(term)
    while at >= 0:
        end = at + size
        if (at == 0 or not low[at - 1].isalnum()) and (end == len(low) or not low[end].isalnum()):
            n += 1
        at = low.find(term, end)
    return n


def _score(conn: sqlite3.Connection, fts: str, units: str, tree: Any, order: list[Leaf], hits: dict[Leaf, int],
           n_rows: int, avgdl: float, weights: tuple[float, ...], rowids: list[int], where: list[str],
           args: list[Any]) -> list[tuple[int, str, float]]:
    """(rowid, passage_id, BM25) of the candidates that match the tree and the filters, scored as fts5_aux.c does."""
    idfs = [idf(n_rows, hits[leaf]) for leaf in order]
    cols = sorted({leaf.col for leaf in order})
    wanted = json.dumps(rowids)
    passage = dict(conn.execute(
        f"SELECT u.rowid, u.passage_id FROM {units} u WHERE u.rowid IN (SELECT value FROM json_each(?))"
        + "".join(f" AND {w}" for w in where), (wanted, *args)).fetchall())
    if not passage:
        return []
    keep = json.dumps(sorted(passage))
    sizes = {r[0]: sum(_varints(bytes(r[1]))) for r in conn.execute(
        f"SELECT id, sz FROM {fts}_docsize WHERE id IN (SELECT value FROM json_each(?))", (keep,))}
    select = ", ".join(f"c{c}" for c in cols)
    wanted_terms = {c: sorted({leaf.term for leaf in order if leaf.col == c}) for c in cols}
    out = []
    for row in conn.execute(f"SELECT id, {select} FROM {fts}_content WHERE id IN (SELECT value FROM json_each(?))",
                            (keep,)):
        rowid = row[0]
        counts: dict[tuple[int, str], int] = {}
        for c, text in zip(cols, row[1:], strict=True):
            low = (text or "").lower()
            for term in wanted_terms[c]:
                n = _occurrences(low, term)
                if n:
                    counts[(c, term)] = n
        cleared: set[int] = set()
        if not check(tree, lambda leaf: counts.get((leaf.col, leaf.term), 0) > 0, cleared):  # noqa: B023
            continue
        size = sizes.get(rowid)
        if size is None:
            continue
        score = 0.0
        for leaf, leaf_idf in zip(order, idfs, strict=True):
            # aFreq: one weight added per instance, as fts5_aux.c sums them
            freq = 0.0
            for _ in range(0 if id(leaf) in cleared else counts.get((leaf.col, leaf.term), 0)):
                freq += weights[leaf.col]
            score += leaf_idf * ((freq * (BM25_K1 + 1.0))
                                 / (freq + BM25_K1 * (1 - BM25_B + BM25_B * size / avgdl)))
        out.append((rowid, passage[rowid], score))
    return out
