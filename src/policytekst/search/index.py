"""The search index: SQLite FTS5 over each passage's surface text and its lemmas, inside the corpus file.

Three indexed columns per passage:

* ``surface`` — the passage text as written, so phrases and exact word forms match;
* ``lemmas`` — the passage's words replaced by their word lemmas (:func:`policytekst.nlp.lemma_of`, a function of
  word and language only, the same on the query side), joined by spaces in reading order, so "kasteballene" finds
  "kasteball" and lemma phrases ("mål og resultatstyring") still match positionally;
* ``parts`` — the compound parts of the passage's compounds (:func:`policytekst.nlp.compounds.compound_terms`:
  "brukermedvirkningsprosessen" -> bruker, brukermedvirkning, medvirkning, medvirkningsprosess, prosess), so a
  word finds the compounds it is the head or a modifier of through a MATCH on this column, not a scan.

The tokenizer is ``unicode61 remove_diacritics 0``: case is folded but å/ø/æ stay their own letters, so "får" is
not "far" (the default ``remove_diacritics 1`` would fold them).

The index keeps itself current: it records the corpus ``generation`` it was built from and one fingerprint per
document; :func:`ensure_index` re-indexes only the documents that were added, replaced or removed since. Each
document's FTS rows get one contiguous rowid range, so a replaced document's old rows can be deleted even after the
store has already cascaded its passages away.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import filelock

from policytekst.db import transaction
from policytekst.errors import PolicytekstError
from policytekst.nlp import standards
from policytekst.nlp.compounds import SPLITTER_VERSION

# WORD is re-exported: the search modules split words exactly as the index does.
from policytekst.nlp.word_lemmas import WORD, WordLemmatizer, cache_version  # noqa: F401
from policytekst.search import topk

if TYPE_CHECKING:  # pragma: no cover
    from policytekst.corpus import Corpus

INDEX_VERSION = "6"  # 6: a column of compound parts (5: the lemma column holds word lemmas)
FTS_TABLE = "search_fts"
UNITS_TABLE = "search_units"
DOCS_TABLE = "search_docs"
VOCAB_TABLE = "search_vocab"
TERMS_TABLE = "search_terms"
PARTS_TERMS_TABLE = "search_terms_parts"  # passages per term of the parts column (BM25's IDF for the top-k lists)

# One index build at a time per corpus, across processes (two notebook kernels searching a fresh corpus would
# otherwise interleave a rebuild's DELETE with the other's batches). The OS drops the lock when its holder dies.
LOCK_NAME = ".search.lock"
LOCK_TIMEOUT = 3600.0  # seconds to wait for another process's build (a full Storting build takes minutes)

# BM25 column weights (surface, lemmas, parts): an exact surface match counts more than a match through the lemma
# alone, and both more than a match inside a compound (whole-word hits rank above compound hits). Here, beside the
# columns, because the top-k lists are built with them.
WEIGHTS = (1.0, 0.6, 0.15)

ROWID_HWM_KEY = "search_rowid_hwm"  # the highest rowid ever given out (rowids are not reused; see _update)
PARTS_COUNTED_KEY = "search_parts_counted"  # the parts counts exist (an index of this version may predate them)
TERMS_DIRTY_KEY = "search_terms_dirty"  # set while the per-term counts lag the rows (a build under way or torn)
DELTA_TABLES = ("search_delta_added", "search_delta_removed")  # temporary: the rows of a small change
DELTA_SHARE = 0.1  # a change of at most this share of the indexed documents updates the term counts row by row

# Passage kinds left out of the index: not part of the document's own text.
UNINDEXED_KINDS = ("boilerplate", "toc")


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {UNITS_TABLE} (
    rowid INTEGER PRIMARY KEY,
    passage_id TEXT NOT NULL UNIQUE REFERENCES passages(passage_id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    kind TEXT,
    language TEXT,
    year INTEGER,
    genre TEXT
);
CREATE INDEX IF NOT EXISTS {UNITS_TABLE}_by_doc ON {UNITS_TABLE}(doc_id);
CREATE TABLE IF NOT EXISTS {DOCS_TABLE} (
    doc_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    rowid_lo INTEGER NOT NULL,
    rowid_hi INTEGER NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    surface, lemmas, parts, tokenize = "unicode61 remove_diacritics 0"
);
CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB_TABLE} USING fts5vocab({FTS_TABLE}, 'col');
CREATE TABLE IF NOT EXISTS {TERMS_TABLE} (
    term TEXT PRIMARY KEY,
    surface INTEGER NOT NULL,  -- passages holding the term as written
    lemmas INTEGER NOT NULL    -- passages holding it as a lemma
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {PARTS_TERMS_TABLE} (
    term TEXT PRIMARY KEY,
    parts INTEGER NOT NULL     -- passages holding it as a compound part
) WITHOUT ROWID;
"""


@dataclass
class IndexReport:
    """What :func:`ensure_index` did."""

    generation: int
    docs_added: int = 0
    docs_removed: int = 0
    passages_indexed: int = 0
    rebuilt: bool = False
    complete: bool = True  # the row counts matched the corpus when the build ended (see index_complete)
    lists_made: int = 0  # top-k lists of frequent words made with the index (see premake_lists)
    lists_seconds: float = 0.0  # the time that took (part of the build)

    @property
    def changed(self) -> bool:
        return bool(self.docs_added or self.docs_removed or self.rebuilt)


# The lemmatiser with the written-standards mapping lives in the language layer, shared with the analyses.
SearchLemmatizer = standards.StandardLemmatizer


def lemmatizer() -> SearchLemmatizer:
    """The word lemmatiser index and queries share (a function of word and language only, so they always agree)."""
    return _LEMMATIZER


_LEMMATIZER = SearchLemmatizer()


def search_parts(word: str, lang: str = "nb") -> tuple[str, ...]:
    """The compound terms a word is indexed and matched by (nynorsk parts as bokmål; one function in nlp)."""
    return standards.compound_terms_bokmal(word, lang)


def nlp_fingerprint() -> str:
    """The lemma stamp the index records: :func:`policytekst.nlp.word_lemmas.cache_version` (one stamp for every
    lemma store) plus the written-standards setting, so a changed lemmatiser, word list or setting rebuilds the
    lemma column. (cache_version covers the setting too; the suffix also carries STANDARDS_VERSION and the compound
    splitter's SPLITTER_VERSION, which decides the parts column.)"""
    return f"{cache_version()}+{standards.fingerprint()}+split{SPLITTER_VERSION}"


def parts_text(text: str, lang: str = "nb") -> str:
    """The ``parts`` column of a passage: the compound terms of its words, space-separated, each once."""
    terms: dict[str, None] = {}
    for word in set(WORD.findall(text.lower())):
        for term in search_parts(word, lang):
            terms[term] = None
    return " ".join(sorted(terms))


def create_schema(conn) -> None:
    conn.executescript(_SCHEMA)
    topk.create_schema(conn)


def is_current(corpus: Corpus) -> bool:
    """True when the index reflects the corpus as it is now, built by this index format and lemma stamp."""
    store = corpus.store
    return (store.get_info("search_generation") == str(store.generation())
            and store.get_info("search_version") == INDEX_VERSION
            and store.get_info("search_nlp") == nlp_fingerprint())


def ensure_index(corpus: Corpus, *, rebuild: bool = False, batch_docs: int = 200,
                 progress: Callable[[int, int], None] | None = None) -> IndexReport:
    """Bring the search index up to date with the corpus (cheap when nothing changed).

    Parameters
    ----------
    corpus : Corpus
    rebuild : bool
        Drop and rebuild everything (also happens when the index format or the lemmatiser changed).
    batch_docs : int
        Documents per write transaction: bounds memory and lets concurrent readers in between.
    progress : callable(done, total), optional
        Called after each batch (the CLI shows a progress bar with it).

    Returns
    -------
    IndexReport
    """
    if not rebuild and is_current(corpus):
        report = IndexReport(corpus.store.generation())
        if not corpus.store.read_only and corpus.store.get_info(PARTS_COUNTED_KEY) is None:
            # an index built before the parts counts existed: the top-k scoring needs their IDF (once)
            with _build_lock(corpus), transaction(corpus.store.conn):
                _fill_parts_terms(corpus.store.conn)
        if (not corpus.store.read_only and topk.enabled()
                and corpus.store.get_info(topk.PREMADE_KEY) != topk.TOPK_VERSION):
            # an index built before the frequent words' lists were made with it: made once (minutes at a million
            # passages), by whoever takes the build lock first; a search finding it taken does not wait for it
            lock = filelock.FileLock(str(corpus.store.directory / LOCK_NAME), timeout=0)
            try:
                lock.acquire()
            except (filelock.Timeout, OSError):
                return report
            try:
                if corpus.store.get_info(topk.PREMADE_KEY) != topk.TOPK_VERSION:
                    _premake(corpus, report)
            finally:
                lock.release()
        return report
    if corpus.store.read_only:
        raise PolicytekstError(f"{corpus.directory}: the search index is not current and the corpus is read-only; "
                               "run `policytekst search-index` where the corpus is writable")
    with _build_lock(corpus):
        # the lock holder before us may have brought the index up to date: _update re-checks under the lock
        report = _update(corpus, rebuild, batch_docs, progress)
        if not report.complete:
            # rows missing or extra for the documents as they are now (an earlier build torn by a crash or an
            # older, unlocked version): rebuild once from scratch
            report = _update(corpus, True, batch_docs, progress)
        if report.changed and is_current(corpus):
            _premake(corpus, report)
        return report


# Makes the top-k lists of the corpus's most frequent plain words after an update (``search.query.premake_lists``,
# registered by that module: it imports this one, so this one cannot import it).
_premake_lists: list[Callable[[Corpus], topk.Premade]] = []


def on_update(make_lists: Callable[[Corpus], topk.Premade]) -> None:
    """Register what makes the frequent words' top-k lists after an index update (the query module does)."""
    if make_lists not in _premake_lists:
        _premake_lists.append(make_lists)


def _premake(corpus: Corpus, report: IndexReport) -> None:
    for make_lists in _premake_lists:
        done = make_lists(corpus)
        report.lists_made, report.lists_seconds = done.made, done.seconds


@contextmanager
def _build_lock(corpus: Corpus) -> Iterator[None]:
    """Hold the corpus's index-build lock (a file next to the database), waiting for another builder."""
    path = corpus.store.directory / LOCK_NAME
    lock = filelock.FileLock(str(path), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise PolicytekstError(f"{path}: another process has been building the search index for over "
                               f"{LOCK_TIMEOUT:.0f} s; try again when it is done") from exc
    except OSError as exc:
        raise PolicytekstError(f"{path}: cannot take the search index lock ({exc})") from exc
    try:
        yield
    finally:
        lock.release()


def index_counts(corpus: Corpus) -> dict[str, int]:
    """Rows the index holds and rows it should hold for the corpus as it is now (documents and passages)."""
    conn = corpus.store.conn
    placeholders = ", ".join("?" * len(UNINDEXED_KINDS))
    one = lambda sql, *args: int(conn.execute(sql, args).fetchone()[0] or 0)  # noqa: E731
    try:
        return {
            "documents": one("SELECT COUNT(*) FROM documents"),
            "indexed_documents": one(f"SELECT COUNT(*) FROM {DOCS_TABLE}"),
            "passages": one(f"SELECT COUNT(*) FROM passages WHERE kind NOT IN ({placeholders})", *UNINDEXED_KINDS),
            "indexed_passages": one(f"SELECT COUNT(*) FROM {UNITS_TABLE}"),
            "fts_rows": one(f"SELECT COUNT(*) FROM {FTS_TABLE}"),
        }
    except sqlite3.OperationalError:  # no index tables yet
        return {"documents": one("SELECT COUNT(*) FROM documents"), "indexed_documents": 0, "passages": 0,
                "indexed_passages": 0, "fts_rows": 0}


def index_complete(corpus: Corpus) -> bool:
    """True when the index holds one row per indexable passage and per document (what a clean build gives)."""
    counts = index_counts(corpus)
    return (counts["documents"] == counts["indexed_documents"]
            and counts["passages"] == counts["indexed_passages"] == counts["fts_rows"])


_MMAP_BYTES = 1 << 30
_MAPPED: set[int] = set()


def _update(corpus: Corpus, rebuild: bool, batch_docs: int,
            progress: Callable[[int, int], None] | None) -> IndexReport:
    store = corpus.store
    conn = store.conn
    if id(conn) not in _MAPPED:
        # memory-mapped reads spare BM25 ranking a system call per index page (15-20% on large match sets);
        # a per-connection setting that SQLite ignores where mmap is unavailable
        conn.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
        _MAPPED.add(id(conn))
    generation = store.generation()
    # a changed lemmatiser or word list must not leave a stale lemma column
    fingerprint = nlp_fingerprint()
    if not rebuild and is_current(corpus):
        return IndexReport(generation)
    if store.get_info("search_version") not in (None, INDEX_VERSION):
        # an index of another format may have other FTS columns: CREATE ... IF NOT EXISTS would keep them
        with transaction(conn):
            conn.execute(f"DROP TABLE IF EXISTS {VOCAB_TABLE}")
            conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    create_schema(conn)
    if store.get_info("search_nlp") != fingerprint or store.get_info("search_version") != INDEX_VERSION:
        rebuild = True
    report = IndexReport(generation, rebuilt=rebuild)
    if rebuild:
        with transaction(conn):
            # markers first, in the same transaction: a build torn after this point is never stamped current,
            # and the next build continues it (same format and lemma stamp) instead of starting over
            conn.execute("DELETE FROM info WHERE key = 'search_generation'")
            conn.execute("INSERT OR REPLACE INTO info VALUES ('search_version', ?)", (INDEX_VERSION,))
            conn.execute("INSERT OR REPLACE INTO info VALUES ('search_nlp', ?)", (fingerprint,))
            conn.execute(f"DELETE FROM {UNITS_TABLE}")
            conn.execute(f"DELETE FROM {DOCS_TABLE}")
            conn.execute(f"DELETE FROM {FTS_TABLE}")
            conn.execute(f"DELETE FROM {TERMS_TABLE}")
            conn.execute(f"DELETE FROM {PARTS_TERMS_TABLE}")
            conn.execute("DELETE FROM info WHERE key = ?", (ROWID_HWM_KEY,))
            topk.clear(conn)

    current = {row[0]: (f"{row[1]}|{row[2]}|{row[3]}", row[4], row[5], row[6]) for row in conn.execute(
        "SELECT doc_id, content_hash, ingested_at, n_passages, year, genre, language FROM documents")}
    indexed = {row[0]: (row[1], row[2], row[3]) for row in conn.execute(
        f"SELECT doc_id, fingerprint, rowid_lo, rowid_hi FROM {DOCS_TABLE}")}
    stale = [d for d, (fp, _lo, _hi) in indexed.items() if d not in current or current[d][0] != fp]
    fresh = sorted(d for d in current if d not in indexed or d in stale)

    # a small change updates the per-term counts from its own rows (see _apply_terms_delta); a large one, or the
    # first build, recounts the whole vocabulary. A build torn half-way leaves TERMS_DIRTY_KEY set (its delta
    # tables are gone with its connection): the next one recounts.
    dirty = store.get_info(TERMS_DIRTY_KEY) is not None
    delta = not dirty and bool(stale or fresh) and _small_change(len(stale) + len(fresh), len(indexed))
    if stale or fresh:
        with transaction(conn):
            conn.execute("INSERT OR REPLACE INTO info VALUES (?, '1')", (TERMS_DIRTY_KEY,))
    if delta:
        _create_delta_tables(conn)
    if stale:
        with transaction(conn):
            for doc_id in stale:
                _fp, lo, hi = indexed[doc_id]
                if delta:
                    conn.execute(f"INSERT INTO temp.{DELTA_TABLES[1]} (surface, lemmas, parts) SELECT surface, "
                                 f"lemmas, parts FROM {FTS_TABLE} WHERE rowid BETWEEN ? AND ?", (lo, hi))
                conn.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid BETWEEN ? AND ?", (lo, hi))
                conn.execute(f"DELETE FROM {UNITS_TABLE} WHERE rowid BETWEEN ? AND ?", (lo, hi))
                conn.execute(f"DELETE FROM {DOCS_TABLE} WHERE doc_id = ?", (doc_id,))
        report.docs_removed = len(stale)

    lem = lemmatizer()
    # rowids are never reused (past the high-water mark even when the last document was removed): the top-k lists
    # read the rows added since they were made as the rows above their max_rowid
    hwm = int(store.get_info(ROWID_HWM_KEY) or 0)
    next_rowid = max(conn.execute(f"SELECT MAX(rowid_hi) FROM {DOCS_TABLE}").fetchone()[0] or 0, hwm) + 1
    for start in range(0, len(fresh), batch_docs):
        batch = fresh[start:start + batch_docs]
        units, fts_rows, doc_rows = [], [], []
        for doc_id in batch:
            fp, year, genre, doc_lang = current[doc_id]
            lo = next_rowid
            for p in _passages(conn, doc_id):
                lang = p["language"] or doc_lang or "nb"
                units.append((next_rowid, p["passage_id"], doc_id, p["kind"], p["language"], year, genre))
                fts_rows.append((next_rowid, p["text"], lem.lemma_text(p["text"], lang), parts_text(p["text"], lang)))
                next_rowid += 1
            doc_rows.append((doc_id, fp, lo, max(lo, next_rowid - 1)))
            next_rowid = max(next_rowid, lo + 1)  # an empty document still owns one rowid, so ranges never touch
        with transaction(conn):
            conn.executemany(f"INSERT INTO {UNITS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", units)
            conn.executemany(f"INSERT INTO {FTS_TABLE} (rowid, surface, lemmas, parts) VALUES (?, ?, ?, ?)", fts_rows)
            conn.executemany(f"INSERT OR REPLACE INTO {DOCS_TABLE} VALUES (?, ?, ?, ?)", doc_rows)
            conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (ROWID_HWM_KEY, str(next_rowid - 1)))
            if delta:
                conn.executemany(f"INSERT INTO temp.{DELTA_TABLES[0]} (surface, lemmas, parts) VALUES (?, ?, ?)",
                                 [r[1:] for r in fts_rows])
        report.docs_added += len(batch)
        report.passages_indexed += len(units)
        if progress is not None:
            progress(min(start + batch_docs, len(fresh)), len(fresh))

    if report.changed or dirty:
        if delta:
            _apply_terms_delta(conn)
        else:
            _rebuild_terms(conn)
        with transaction(conn):
            conn.execute("DELETE FROM info WHERE key = ?", (TERMS_DIRTY_KEY,))
    if store.generation() != generation:
        return report  # an ingest wrote while we built: leave it unstamped, the next call diffs again
    if not index_complete(corpus):
        report.complete = False
        return report  # counts do not match the corpus: never stamp an incomplete index current
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO info VALUES ('search_generation', ?)", (str(generation),))
        conn.execute("INSERT OR REPLACE INTO info VALUES ('search_version', ?)", (INDEX_VERSION,))
        conn.execute("INSERT OR REPLACE INTO info VALUES ('search_nlp', ?)", (fingerprint,))
    return report


def _rebuild_terms(conn) -> None:
    """A plain, indexed copy of the vocabulary with document frequencies per column.

    fts5vocab answers by scanning the whole index; this table answers a term (similar passages) or a glob with a
    literal prefix (``s?mordning`` -> a range over "s...") through its primary key, and a leading wildcard by a
    scan of terms only.
    """
    with transaction(conn):
        conn.execute(f"DELETE FROM {TERMS_TABLE}")
        conn.execute(
            f"INSERT INTO {TERMS_TABLE} SELECT term, SUM(CASE WHEN col = 'surface' THEN doc ELSE 0 END), "
            f"SUM(CASE WHEN col = 'lemmas' THEN doc ELSE 0 END) FROM {VOCAB_TABLE} GROUP BY term")
        _fill_parts_terms(conn)


def _small_change(changed_docs: int, indexed_docs: int) -> bool:
    """Whether to update the per-term counts from the changed rows rather than recount the vocabulary."""
    return indexed_docs > 0 and changed_docs <= DELTA_SHARE * indexed_docs


def _create_delta_tables(conn) -> None:
    """Two temporary FTS5 tables (rows added, rows removed) with the index's tokenizer, and their vocabularies:
    FTS5 itself splits the changed rows into terms, so the counts agree with the index's to the letter."""
    _drop_delta_tables(conn)
    for table in DELTA_TABLES:
        conn.execute(f"CREATE VIRTUAL TABLE temp.{table} USING fts5(surface, lemmas, parts, "
                     "tokenize = \"unicode61 remove_diacritics 0\")")
        conn.execute(f"CREATE VIRTUAL TABLE temp.{table}_vocab USING fts5vocab(temp, {table}, 'col')")


def _drop_delta_tables(conn) -> None:
    for table in DELTA_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}_vocab")
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _apply_terms_delta(conn) -> None:
    """Update the per-term passage counts by the rows added and removed (the delta tables), instead of
    :func:`_rebuild_terms`'s scan of the whole vocabulary (10 s at the benchmark's million passages) after every small
    change. The result is the table a full recount gives: a term is kept while any column holds it."""
    columns = ("surface", "lemmas", "parts")
    change: dict[str, list[int]] = {}
    for table, sign in zip(DELTA_TABLES, (1, -1), strict=True):
        for term, col, doc in conn.execute(f"SELECT term, col, doc FROM temp.{table}_vocab"):
            change.setdefault(term, [0, 0, 0])[columns.index(col)] += sign * doc
    with transaction(conn):
        for term, (d_surface, d_lemmas, d_parts) in change.items():
            row = conn.execute(f"SELECT surface, lemmas FROM {TERMS_TABLE} WHERE term = ?", (term,)).fetchone()
            parts_row = conn.execute(f"SELECT parts FROM {PARTS_TERMS_TABLE} WHERE term = ?", (term,)).fetchone()
            surface = (row[0] if row else 0) + d_surface
            lemmas = (row[1] if row else 0) + d_lemmas
            parts = (parts_row[0] if parts_row else 0) + d_parts
            if surface or lemmas or parts:
                conn.execute(f"INSERT OR REPLACE INTO {TERMS_TABLE} VALUES (?, ?, ?)", (term, surface, lemmas))
            else:
                conn.execute(f"DELETE FROM {TERMS_TABLE} WHERE term = ?", (term,))
            if parts:
                conn.execute(f"INSERT OR REPLACE INTO {PARTS_TERMS_TABLE} VALUES (?, ?)", (term, parts))
            else:
                conn.execute(f"DELETE FROM {PARTS_TERMS_TABLE} WHERE term = ?", (term,))
    _drop_delta_tables(conn)


def _fill_parts_terms(conn) -> None:
    conn.execute(f"DELETE FROM {PARTS_TERMS_TABLE}")
    conn.execute(f"INSERT INTO {PARTS_TERMS_TABLE} SELECT term, doc FROM {VOCAB_TABLE} WHERE col = 'parts'")
    conn.execute("INSERT OR REPLACE INTO info VALUES (?, '1')", (PARTS_COUNTED_KEY,))


def _passages(conn, doc_id: str) -> Iterable:
    placeholders = ", ".join("?" * len(UNINDEXED_KINDS))
    return conn.execute(
        f"SELECT passage_id, text, kind, language FROM passages WHERE doc_id = ? AND kind NOT IN ({placeholders})"
        " ORDER BY seq", (doc_id, *UNINDEXED_KINDS)).fetchall()


def optimize(corpus: Corpus) -> None:
    """Merge the FTS5 b-trees (smaller, faster index after a big build)."""
    corpus.store.conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def index_size_bytes(corpus: Corpus) -> int | None:
    """Bytes the search tables take in the corpus file (needs SQLite's dbstat; None when it is missing)."""
    try:
        row = corpus.store.conn.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%'").fetchone()
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        return None
    return int(row[0] or 0)


def vocabulary(corpus: Corpus, column: str = "lemmas") -> Iterable[tuple[str, int]]:
    """(term, passages containing it) for one indexed column ("surface" or "lemmas")."""
    if column not in ("surface", "lemmas"):
        raise ValueError(f"unknown index column {column!r} (use 'surface' or 'lemmas')")
    ensure_index(corpus)
    return corpus.store.conn.execute(f"SELECT term, {column} FROM {TERMS_TABLE} WHERE {column} > 0 ORDER BY term")
