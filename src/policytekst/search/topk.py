"""Top-k for frequent words: impact lists built with the index, so a common word is not ranked over every passage.

A ranked FTS5 query scores every matching row (BM25 reads each row's positions and its size), so a word in half a
million passages costs ~0.45 s however few results are shown. For each (column, term) in at least
``MIN_ROWS`` passages the index keeps an *impact list*: the ``K`` rows with the highest BM25 contribution of that term
alone (the term's IDF is the same for every row, so this is the order of FTS5's own ``bm25`` on the one-term query),
with every row tied with the K-th, and the best contribution of a row outside the list: a bound for all of them.

A query whose phrases are single terms in one column (what a word compiles to: ``surface : "x"``, ``lemmas : "x"``,
joined by AND/OR/NOT) is then answered from candidates only:

1. candidates = the impact lists of its frequent terms, all rows of its rare terms, and every matching row added
   after the lists were built;
2. each candidate is scored with FTS5's BM25 formula (``fts5_aux.c``: same IDF, average length, k1, b, column
   weights and order of summation) from its stored text and column sizes, and checked against the query's
   AND/OR/NOT and the filters;
3. the page is exact when its last score is above the best score a row outside the candidates could reach (the sum
   of IDF x K-th contribution of the frequent terms, raised for the average length having grown since the build).
   Otherwise :func:`top` returns None and the caller runs the plain ranked FTS5 query: the result is the same as
   before either way; this module only decides when the answer can be read from fewer rows.

Measured (benchmarks/bench_search.py): at 1,000,000 passages the lists answered 4 of the 50 queries and made the
p95 worse (CPU p95 575 ms with them, 429 ms without): a word compiles to an OR of its forms in two columns
(``surface : "brukerne" OR surface : "bruker" OR lemmas : "bruker"``), and the sum of the per-term bounds (6.6 for
"brukerne") lies far above what any passage scores (3.9), because the best rows of each form are bounded as if one
passage held all of them at once. Proving such pages needs lists per query expression (a frequent word's own
top-k), not per term. So the lists are built only when ``POLICYTEKST_TOPK_LISTS=1`` (:func:`enabled`); without
them :func:`top` declines at once and search ranks as before. The scoring and proof here are exact and tested, and
are what expression-level lists would use.

Incremental: the lists record the highest rowid they cover; rows added later are candidates by a MATCH restricted
to that range, rows deleted drop out (the bound stays valid), and the lists are rebuilt when the added rows
reach ``STALE_SHARE`` of the index (or on a rebuild).
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from policytekst.db import transaction

LISTS_TABLE = "search_topk"  # (col, term, rowid): the K best rows of a frequent term in one column
BOUNDS_TABLE = "search_topk_terms"  # (col, term, bound, rows): the best contribution outside the list (no IDF)
STAMP_KEY = "search_topk"
TOPK_VERSION = "2"  # 2: ties with the K-th row kept in the list, the bound is the best score outside it
MIN_ROWS = 1_000  # a term in fewer passages is cheap to rank in full (and to enumerate as candidates)
ROWS_PER_LIST = 500  # ... and above MIN_ROWS, one list per this many index rows' worth of passages (2,000 at 1M)
K = 200  # rows kept per frequent term (plus the rows tied with the K-th)
TIE_ROOM = 4  # rows fetched per list: K x this, so ties with the K-th row (copies of a passage) fit
# a query whose terms are in fewer passages in all (counted per term) is ranked in full: 20-30 ms of CPU, about
# what proving its page from the lists costs
RARE_ROWS = 50_000
STALE_SHARE = 0.05  # rebuild the lists when rows added since exceed this share of the index
MAX_RANGE_ROWS = 20_000  # matches among rows added since the build read as candidates, at most
COLUMNS = ("surface", "lemmas", "parts")
BM25_K1, BM25_B = 1.2, 0.75  # fts5_aux.c's constants

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {LISTS_TABLE} (
    col INTEGER NOT NULL, term TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (col, term, row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {BOUNDS_TABLE} (
    col INTEGER NOT NULL, term TEXT NOT NULL, bound REAL NOT NULL, n_rows INTEGER NOT NULL,
    PRIMARY KEY (col, term)
) WITHOUT ROWID;
"""

# FTS5's unicode61 tokenizer (remove_diacritics 0): tokens are runs of letters and digits, folded to lower case.
# The same pattern as policytekst.nlp.word_lemmas.WORD, kept here so this module reads rows as FTS5 does.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


ENV = "POLICYTEKST_TOPK_LISTS"


def enabled() -> bool:
    """Whether the index builds impact lists (``POLICYTEKST_TOPK_LISTS=1``; off by default, see the module notes)."""
    return os.environ.get(ENV, "").strip().lower() in ("1", "yes", "true", "on")


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


_EXPR_TOKEN = re.compile(r'\s*(?:(?P<op>AND|OR|NOT)\b|(?P<paren>[()])|(?P<col>surface|lemmas|parts)\s*:\s*'
                         r'"(?P<text>(?:[^"]|"")*)"(?P<star>\s*\*)?)')


def parse_expression(expression: str) -> Any:
    """The compiler's FTS5 expression as nested ("AND"|"OR"|"NOT", children) tuples and Leaf objects."""
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
            words = _TOKEN.findall(m.group("text").replace('""', '"').lower())
            if m.group("star") or len(words) != 1:
                raise Unsupported("phrase or prefix")
            tokens.append(("leaf", Leaf(COLUMNS.index(m.group("col")), words[0])))
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
    if isinstance(node, Leaf):
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


# -- building the lists -------------------------------------------------------------------------------------------
def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)


def stamp(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT value FROM info WHERE key = ?", (STAMP_KEY,)).fetchone()
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return None
    return value if value.get("version") == TOPK_VERSION else None


def needs_build(conn: sqlite3.Connection, fts: str) -> bool:
    """True when there are no lists of this format, or the rows added since they were built exceed STALE_SHARE."""
    current = stamp(conn)
    if current is None:
        return True
    added = conn.execute(f"SELECT COUNT(*) FROM {fts} WHERE rowid > ?", (current["max_rowid"],)).fetchone()[0]
    n_rows, _avg = averages(conn, fts)
    return added > STALE_SHARE * max(n_rows, 1)


def list_threshold(n_rows: int) -> int:
    """Passages a term must be in to get an impact list: MIN_ROWS, or more on a large index (fewer lists to build;
    a term below it is enumerated as candidates, which costs about what ranking it does)."""
    return max(MIN_ROWS, n_rows // ROWS_PER_LIST)


def clear(conn: sqlite3.Connection) -> None:
    """Forget the lists (an index rebuild does this in its first transaction; the tables must exist)."""
    conn.execute(f"DELETE FROM {LISTS_TABLE}")
    conn.execute(f"DELETE FROM {BOUNDS_TABLE}")
    conn.execute("DELETE FROM info WHERE key = ?", (STAMP_KEY,))


def build(conn: sqlite3.Connection, fts: str, weights: tuple[float, ...], frequent: Iterable[tuple[int, str, int]],
          *, k: int | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """(Re)build the impact lists for ``frequent`` (col, term, passages) and stamp them; returns lists written.

    Each list comes from FTS5 itself (the one-term query ordered by ``bm25`` with the search's column weights), so
    its order is FTS5's; the stored bound is the K-th row's score divided by the term's IDF (the part that depends
    on the row). Written in batches: memory stays flat, and readers get in between.
    """
    started, cpu = time.perf_counter(), time.process_time()
    create_schema(conn)
    k = K if k is None else k
    frequent = list(frequent)
    n_rows, avgdl = averages(conn, fts)
    max_rowid = conn.execute(f"SELECT MAX(rowid) FROM {fts}").fetchone()[0] or 0
    with transaction(conn):
        clear(conn)
    args = ", ".join(str(w) for w in weights)
    sql = f"SELECT rowid, -bm25({fts}, {args}) AS s FROM {fts} WHERE {fts} MATCH ? ORDER BY s DESC LIMIT ?"
    batch_rows: list[tuple[int, str, int]] = []
    batch_bounds: list[tuple[int, str, float, int]] = []
    for done, (col, term, n_hit) in enumerate(frequent, 1):
        expression = f'{COLUMNS[col]} : "{term}"'
        fetched = conn.execute(sql, (expression, k * TIE_ROOM)).fetchall()
        rows, bound = _list(fetched, k, complete=len(fetched) < k * TIE_ROOM)
        bound /= idf(n_rows, n_hit)  # the row's part of BM25: times the IDF of the day at query time
        batch_rows.extend((col, term, r[0]) for r in rows)
        batch_bounds.append((col, term, bound, n_hit))
        if len(batch_bounds) >= 50 or done == len(frequent):
            with transaction(conn):
                conn.executemany(f"INSERT OR REPLACE INTO {LISTS_TABLE} VALUES (?, ?, ?)", batch_rows)
                conn.executemany(f"INSERT OR REPLACE INTO {BOUNDS_TABLE} VALUES (?, ?, ?, ?)", batch_bounds)
            batch_rows, batch_bounds = [], []
            if progress is not None:
                progress(done, len(frequent))
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (STAMP_KEY, json.dumps(
            {"version": TOPK_VERSION, "max_rowid": max_rowid, "avgdl": avgdl, "rows": n_rows, "k": k,
             "weights": list(weights), "lists": len(frequent),
             "seconds": round(time.perf_counter() - started, 1),
             "cpu_seconds": round(time.process_time() - cpu, 1)})))
    return len(frequent)


def _list(rows: list[tuple[int, float]], k: int, complete: bool = False) -> tuple[list[tuple[int, float]], float]:
    """The list kept from a term's best rows (fetched with room for ties) and the best score outside it.

    The K best rows and every row tied with the K-th (copies of one passage score alike, and a corpus may hold
    hundreds), so the bound is the first score *below* the list and a page of tied copies can still be proved.
    0 when the list holds every row of the term (``complete``: the fetch returned fewer rows than it asked for).
    """
    if len(rows) <= k:
        return rows, 0.0
    cut = k
    while cut < len(rows) and rows[cut][1] == rows[k - 1][1]:
        cut += 1
    if cut < len(rows):
        return rows[:cut], rows[cut][1]
    if complete:
        return rows, 0.0
    return rows, rows[-1][1]  # ties fill the room: the last score still bounds the rows outside (a looser bound)


# -- answering a query ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """Why :func:`top` answered or declined (the benchmark reports these)."""

    answered: bool
    reason: str
    candidates: int = 0


def top(conn: sqlite3.Connection, fts: str, units: str, terms_tables: tuple[str, str], expression: str,
        weights: tuple[float, ...], where: list[str], args: list[Any], limit: int,
        rare: int | None = None) -> tuple[list[tuple[str, float]] | None, Outcome]:
    """The first ``limit`` (passage_id, score) of ``expression`` exactly as the ranked FTS5 query orders them
    (score desc, rowid asc), or None when the impact lists cannot prove the page (the caller ranks in full)."""
    if not enabled():
        return None, Outcome(False, "off")
    current = stamp(conn)
    if current is None or tuple(current.get("weights", ())) != tuple(weights):
        return None, Outcome(False, "no lists")
    try:
        tree = parse_expression(expression)
    except Unsupported:
        return None, Outcome(False, "expression")
    order = leaves(tree)
    n_rows, avgdl = averages(conn, fts)
    hits: dict[Leaf, int] = {}
    for leaf in set(order):
        table = terms_tables[1] if leaf.col == 2 else terms_tables[0]
        row = conn.execute(f"SELECT {COLUMNS[leaf.col]} FROM {table} WHERE term = ?", (leaf.term,)).fetchone()
        hits[leaf] = int(row[0]) if row else 0
    scoring = scoring_leaves(tree)
    if sum(hits[leaf] for leaf in scoring) < (RARE_ROWS if rare is None else rare):
        return None, Outcome(False, "rare")  # ranking every match is as cheap as proving a page
    # rows outside the lists scored with the average length of the build: a longer average raises their BM25
    growth = max(1.0, avgdl / current["avgdl"]) if current["avgdl"] else 1.0
    candidates: set[int] = set()
    bound = 0.0
    bounds: dict[Leaf, float] = {}
    for leaf in scoring:  # a term twice in the expression is two phrases and adds twice to BM25
        if hits[leaf] == 0:
            continue
        if leaf not in bounds:
            row = conn.execute(f"SELECT bound FROM {BOUNDS_TABLE} WHERE col = ? AND term = ?",
                               (leaf.col, leaf.term)).fetchone()
            if row is not None:
                candidates.update(r[0] for r in conn.execute(
                    f"SELECT row FROM {LISTS_TABLE} WHERE col = ? AND term = ?", (leaf.col, leaf.term)))
                bounds[leaf] = idf(n_rows, hits[leaf]) * row[0] * growth
        if leaf in bounds:
            bound += bounds[leaf]
        elif hits[leaf] <= list_threshold(n_rows):
            candidates.update(r[0] for r in conn.execute(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", (f'{COLUMNS[leaf.col]} : "{leaf.term}"',)))
        else:
            return None, Outcome(False, "no list")  # frequent since the lists were built
    recent = conn.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid > ? LIMIT ?",
                          (expression, current["max_rowid"], MAX_RANGE_ROWS + 1)).fetchall()
    if len(recent) > MAX_RANGE_ROWS:
        return None, Outcome(False, "many new rows")
    candidates.update(r[0] for r in recent)
    if not candidates:
        return None, Outcome(False, "no candidates")
    scored = _score(conn, fts, units, tree, order, hits, n_rows, avgdl, weights, sorted(candidates), where, args)
    scored.sort(key=lambda s: (-s[2], s[0]))
    outcome = Outcome(False, "bound", len(candidates))
    if len(scored) < limit or not scored[limit - 1][2] > bound:
        return None, outcome
    outcome.answered, outcome.reason = True, "exact"
    return [(pid, score) for _rowid, pid, score in scored[:limit]], outcome


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
