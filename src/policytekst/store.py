"""The store: one SQLite file per corpus directory (documents, passages, runs, failures).

Write-ahead logging lets readers work while an ingest writes; each document is written in one transaction, so
an interrupted ingest (even kill -9) loses nothing already stored and leaves no half-written document. Derived
data (lemmas, the search index, models) record the corpus ``generation`` they were built from; every document
write bumps it, so they know when they are stale.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policytekst.db import transaction
from policytekst.duplicates import (
    MIN_PASSAGE_WORDS,
    Fingerprint,
    canonical_order,
    fingerprint,
    group,
    is_duplicate,
    text_key,
)
from policytekst.errors import PolicytekstError, unknown
from policytekst.model import ANALYSIS_KINDS, Document, Passage, ProcessedDocument, shallow_dict

if TYPE_CHECKING:
    import pandas as pd

DB_NAME = "corpus.sqlite"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source_key TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    format TEXT,
    title TEXT,
    authors TEXT,
    year INTEGER,
    genre TEXT,
    language TEXT,
    n_pages INTEGER,
    n_passages INTEGER,
    fields TEXT,
    meta TEXT,
    warnings TEXT,
    content_hash TEXT,
    text TEXT,
    ingested_at TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    passage_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER,
    text TEXT,
    page_start INTEGER,
    page_end INTEGER,
    section TEXT,
    kind TEXT,
    language TEXT,
    char_start INTEGER,
    char_end INTEGER,
    n_words INTEGER
);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id, seq);
CREATE INDEX IF NOT EXISTS documents_by_hash ON documents(content_hash);  -- "same content as" warnings at ingest
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT,
    finished TEXT,
    params TEXT,
    counts TEXT
);
CREATE TABLE IF NOT EXISTS failures (
    run_id INTEGER,
    path TEXT,
    error TEXT,
    at TEXT
);
-- duplicate detection (policytekst.duplicates): fingerprints and LSH band keys written with each document;
-- the groups they give are recomputed after every ingest run
CREATE TABLE IF NOT EXISTS doc_prints (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    exact TEXT NOT NULL,
    signature BLOB,
    n_shingles INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_prints_by_exact ON doc_prints(exact);
CREATE TABLE IF NOT EXISTS doc_bands (
    band TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS doc_bands_by_band ON doc_bands(band);
CREATE INDEX IF NOT EXISTS doc_bands_by_doc ON doc_bands(doc_id);
CREATE TABLE IF NOT EXISTS passage_keys (
    passage_id TEXT PRIMARY KEY REFERENCES passages(passage_id) ON DELETE CASCADE,
    key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passage_keys_by_key ON passage_keys(key);
CREATE TABLE IF NOT EXISTS duplicates (  -- a document or passage left out of analyses, and the one it repeats
    level TEXT NOT NULL,  -- document | passage
    item TEXT NOT NULL,
    duplicate_of TEXT NOT NULL,
    PRIMARY KEY (level, item)
);
"""

_DOC_COLUMNS = ("doc_id", "source_key", "path", "format", "title", "authors", "year", "genre", "language",
                "n_pages", "n_passages", "fields", "meta", "warnings", "content_hash", "text", "ingested_at")
_PASSAGE_COLUMNS = ("passage_id", "doc_id", "seq", "text", "page_start", "page_end", "section", "kind",
                    "language", "char_start", "char_end", "n_words")

# document columns a passages table may carry (plain values; JSON columns and the full text are left out)
_DOC_VARIABLES = ("path", "format", "title", "year", "genre", "language", "n_pages", "n_passages", "content_hash",
                  "ingested_at")


# A passage counts in analyses unless it, or its document, repeats another (see update_duplicates).
_NOT_DUPLICATE = ("p.passage_id NOT IN (SELECT item FROM duplicates WHERE level='passage') AND "
                  "p.doc_id NOT IN (SELECT item FROM duplicates WHERE level='document')")
_DOCUMENT_ROW = ("d.*, (SELECT duplicate_of FROM duplicates WHERE item=d.doc_id AND level='document') "
                 "AS duplicate_of")


def _writable(path: Path) -> bool:
    """Whether this process may write ``path`` (permissions and read-only mounts both count)."""
    return os.access(path, os.W_OK)


def _check_pages(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a database damaged inside its pages (SQLite's quick_check) before anything writes into it."""
    rows = [r[0] for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
    if rows != ["ok"]:
        raise StoreError(f"{path}: the corpus database is damaged ({'; '.join(rows)}); restore a copy or "
                         "re-ingest into a new corpus folder")


# Database files this process opened: after an unexpected SQLite error the command line checks them
# (diagnose_damage), so a damaged corpus is named as such without checking every file at every open.
_OPENED: set[Path] = set()


def diagnose_damage(exc: BaseException) -> StoreError | None:
    """A StoreError naming a damaged corpus database behind ``exc`` (an SQLite error), or None when the corpus
    files this process opened pass SQLite's quick_check (then ``exc`` is not about damage)."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError):
        return None
    for path in sorted(_OPENED):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                rows = [r[0] for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
            finally:
                conn.close()
        except sqlite3.DatabaseError as check:
            rows = [str(check)]
        if rows != ["ok"]:
            return StoreError(f"{path}: the corpus database is damaged ({'; '.join(rows)}); restore a copy or "
                              "re-ingest into a new corpus folder")
    return None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreError(PolicytekstError):
    """The corpus store cannot be opened or used (the message names the file)."""


class Batch:
    """An open write batch of :meth:`Store.batch`: one savepoint per document, commits every so often."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.written = 0  # documents written whole since the last commit

    @contextmanager
    def document(self) -> Iterator[sqlite3.Connection]:
        """One document's writes: kept whole (RELEASE) or undone alone (ROLLBACK TO), the batch goes on."""
        self.conn.execute("SAVEPOINT document")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO document")
                self.conn.execute("RELEASE document")
            raise
        self.conn.execute("RELEASE document")
        self.written += 1

    def commit(self) -> None:
        """Commit the documents written so far and open the next transaction."""
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN IMMEDIATE")
        self.written = 0


class Store:
    """Thin access layer over the corpus SQLite file."""

    _batch: Batch | None = None

    def __init__(self, directory: str | Path, *, create: bool = True) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_NAME
        if self.directory.exists() and not self.directory.is_dir():
            hint = (f"; give the folder that holds it: --corpus {self.directory.parent}"
                    if self.directory.name == DB_NAME else "")
            raise StoreError(f"{self.directory}: not a corpus folder (it is a file){hint}")
        if not self.path.exists() and not create:
            raise StoreError(f"{self.directory}: no corpus here (no {DB_NAME}); run `policytekst ingest` first")
        # a corpus that cannot be written (read-only mount, folder or file) is still readable: read commands open
        # it read-only; a command that writes (ingest) is refused in one line
        self.read_only = self.path.exists() and not (_writable(self.path) and _writable(self.directory))
        if self.read_only and create:
            raise StoreError(f"{self.path}: the corpus is read-only (file, folder or mount); cannot write to it")
        self._check = create  # writers verify the pages first: never write into a damaged database
        if self.path.exists():
            self.conn  # noqa: B018 - open an existing file now, so a broken one is reported at open time

    @cached_property
    def conn(self) -> sqlite3.Connection:
        """The connection, opened on first use: a new corpus's directory and file appear only when it is used,
        so a command that fails before (e.g. ingest of a path that does not exist) leaves nothing behind."""
        if self.read_only:
            return self._connect_read_only()
        existed = self.path.exists()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot create or open the corpus database ({exc})") from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # 64 MiB of page cache (SQLite's default is 2 MiB): an ingest inserts into indexes keyed on hashes
            # (duplicate bands, passage keys), whose pages a small cache reads and writes again and again
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA foreign_keys=ON")
            if existed and self._check:
                _check_pages(conn, self.path)
            conn.executescript(_SCHEMA)
            conn.execute("INSERT OR IGNORE INTO info VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            conn.execute("INSERT OR IGNORE INTO info VALUES ('generation', '0')")
            _OPENED.add(self.path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{self.path}: not a usable corpus database ({exc})") from exc
        except StoreError:
            conn.close()
            raise
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """A read-only connection: ``mode=ro`` where SQLite can share memory beside the file, else ``immutable``
        (a read-only folder or mount, where nobody can be writing either)."""
        uri = self.path.resolve().as_uri()
        last: Exception | None = None
        for mode in ("mode=ro", "immutable=1"):
            wal = self.path.with_name(self.path.name + "-wal")
            if mode == "immutable=1" and wal.exists() and wal.stat().st_size > 0:
                # immutable ignores the write-ahead log: its last writes would be silently missing
                raise StoreError(f"{self.path}: cannot read the read-only corpus ({last}); its last writes are "
                                 f"still in {wal.name}: open it once where it is writable to fold them in")
            try:
                conn = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=30, isolation_level=None,
                                       check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA query_only=ON")
                conn.execute("SELECT value FROM info WHERE key='generation'").fetchone()
            except sqlite3.Error as exc:
                last = exc
                continue
            _OPENED.add(self.path)
            return conn
        raise StoreError(f"{self.path}: cannot open the read-only corpus database ({last})")

    def close(self) -> None:
        if "conn" in self.__dict__:  # never opened: nothing to close (and nothing to create)
            self.conn.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction on the store's connection (see :func:`transaction`); nesting is refused."""
        return transaction(self.conn)

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Many :meth:`write_document` calls under one commit (the rows of a table: a commit per row cost more
        than the row itself).

        Each document is still written whole or not at all (a savepoint per document), reads on this connection
        see the documents written before in the batch, and on leaving the block (normally or by any exception)
        every document written whole is committed, so an error or an interrupt loses nothing already written and
        a crash loses at most the current batch (which the next, incremental run writes again).
        ``Batch.commit()`` commits what is written so far and goes on in a new transaction.
        """
        conn = self.conn
        if conn.in_transaction:
            raise RuntimeError("a transaction is already open on this connection; a batch cannot nest")
        conn.execute("BEGIN IMMEDIATE")
        self._batch = Batch(conn)
        try:
            yield self._batch
        finally:
            self._batch = None
            if conn.in_transaction:
                conn.execute("COMMIT")

    # -- state -------------------------------------------------------------------------------------------
    def generation(self) -> int:
        """A counter bumped by every document write: derived caches compare it to know they are stale."""
        return int(self.conn.execute("SELECT value FROM info WHERE key='generation'").fetchone()[0])

    def get_info(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM info WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_info(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (key, value))

    # -- writing -----------------------------------------------------------------------------------------
    def known_hash(self, source_key: str) -> tuple[str, str] | None:
        """(doc_id, content_hash) of the stored version of a source, or None."""
        row = self.conn.execute(
            "SELECT doc_id, content_hash FROM documents WHERE source_key=?", (source_key,)).fetchone()
        return (row[0], row[1]) if row else None

    def free_doc_id(self, wanted: str, source_key: str, taken: Collection[str] = ()) -> str:
        """``wanted`` unless another source already holds it (or it is in ``taken``: given to a document still being
        processed); then a suffixed variant."""
        row = self.conn.execute("SELECT source_key FROM documents WHERE doc_id=?", (wanted,)).fetchone()
        if (row is None or row[0] == source_key) and wanted not in taken:
            return wanted
        return self.suffixed_doc_id(wanted, source_key)

    @staticmethod
    def suffixed_doc_id(wanted: str, source_key: str) -> str:
        """The variant of ``wanted`` a source gets when another source holds ``wanted``."""
        return f"{wanted}-{hashlib.sha1(source_key.encode()).hexdigest()[:6]}"

    def sources_with_hash(self, digest: str, source_key: str) -> list[tuple[str, str]]:
        """(doc_id, path) of the other sources whose stored content hash is ``digest`` (a renamed or re-keyed copy)."""
        return [(row[0], row[1]) for row in self.conn.execute(
            "SELECT doc_id, path FROM documents WHERE content_hash=? AND source_key<>? ORDER BY doc_id LIMIT 5",
            (digest, source_key))]

    def source_keys(self) -> Iterator[tuple[str, str, str]]:
        """(source_key, doc_id, path) of every stored document, in source order."""
        for row in self.conn.execute("SELECT source_key, doc_id, path FROM documents ORDER BY source_key"):
            yield row[0], row[1], row[2]

    def remove_sources(self, source_keys: Sequence[str]) -> int:
        """Delete the documents of these sources and all derived from them (passages, fingerprints) at once."""
        with self.transaction() as conn:
            removed = 0
            for key in source_keys:
                removed += conn.execute("DELETE FROM documents WHERE source_key=?", (key,)).rowcount
            if removed:
                conn.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
        return removed

    def write_document(self, processed: ProcessedDocument, source_key: str) -> None:
        """Replace the document (and everything derived from it) in one transaction."""
        doc = processed.doc
        values = {
            **shallow_dict(doc),  # json.dumps below copies what it needs: no deep copy of the record
            "source_key": source_key,
            "authors": json.dumps(doc.authors, ensure_ascii=False),
            "fields": json.dumps(doc.fields, ensure_ascii=False, default=str),
            "meta": json.dumps(doc.meta, ensure_ascii=False, default=str),
            "warnings": json.dumps(doc.warnings, ensure_ascii=False),
            "text": processed.text,
            "ingested_at": now(),
        }
        prints = processed.fingerprint or fingerprint(processed.text)
        keys = [(p.passage_id, text_key(p.text)) for p in processed.passages
                if p.kind in ANALYSIS_KINDS and (p.n_words or 0) >= MIN_PASSAGE_WORDS]
        rows = [(p.passage_id, p.doc_id, p.seq, p.text, p.page_start, p.page_end, p.section, p.kind, p.language,
                 p.char_start, p.char_end, p.n_words) for p in processed.passages]
        with (self._batch.document() if self._batch is not None else self.transaction()) as conn:
            conn.execute("DELETE FROM documents WHERE source_key=? OR doc_id=?", (source_key, doc.doc_id))
            conn.execute(f"INSERT INTO documents ({', '.join(_DOC_COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(_DOC_COLUMNS))})", tuple(values[c] for c in _DOC_COLUMNS))
            conn.executemany(f"INSERT INTO passages VALUES ({', '.join('?' * len(_PASSAGE_COLUMNS))})", rows)
            conn.execute("INSERT INTO doc_prints VALUES (?, ?, ?, ?)",
                         (doc.doc_id, prints.exact, _signature_blob(prints), prints.n_shingles))
            conn.executemany("INSERT INTO doc_bands VALUES (?, ?)", ((band, doc.doc_id) for band in prints.bands()))
            conn.executemany("INSERT INTO passage_keys VALUES (?, ?)", keys)
            conn.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")

    def start_run(self, params: dict[str, Any]) -> int:
        cur = self.conn.execute("INSERT INTO runs (started, params) VALUES (?, ?)",
                                (now(), json.dumps(params, ensure_ascii=False, default=str)))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        self.conn.execute("UPDATE runs SET finished=?, counts=? WHERE run_id=?", (now(), json.dumps(counts), run_id))

    def record_failure(self, run_id: int, path: str, error: str) -> None:
        self.conn.execute("INSERT INTO failures VALUES (?, ?, ?, ?)", (run_id, path, error, now()))

    # -- reading -----------------------------------------------------------------------------------------
    def documents(self) -> Iterator[Document]:
        for row in self.conn.execute(f"SELECT {_DOCUMENT_ROW} FROM documents d ORDER BY doc_id"):
            yield _document(row)

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute(f"SELECT {_DOCUMENT_ROW} FROM documents d WHERE doc_id=?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def text(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def passages(self, doc_id: str | None = None, kinds: tuple[str, ...] | None = None) -> Iterator[Passage]:
        sql, args = "SELECT * FROM passages", []
        where = []
        if doc_id is not None:
            where.append("doc_id=?")
            args.append(doc_id)
        if kinds:
            where.append(f"kind IN ({', '.join('?' * len(kinds))})")
            args.extend(kinds)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY doc_id, seq"
        for row in self.conn.execute(sql, args):
            yield Passage(**{k: row[k] for k in row.keys() if k != "n_words"})

    def passages_table(self, kinds: Sequence[str] | None = None,
                       doc_vars: Sequence[str] = ("title", "year", "genre", "format", "language"),
                       include_duplicates: bool = False) -> pd.DataFrame:
        """Passages (all kinds unless ``kinds``) in document order, with document variables as columns.

        The document's ``language`` comes as ``doc_language`` (the passage has its own ``language``). Passages of
        duplicate documents and repeated passages are left out unless ``include_duplicates``.
        """
        import pandas as pd
        bad = [v for v in doc_vars if v not in _DOC_VARIABLES]
        if bad:  # the names go into the SQL text, so only known columns pass
            raise unknown("document variable", bad[0], _DOC_VARIABLES)
        args: list[Any] = []
        columns = ", ".join(f"d.{v} AS doc_{v}" if v == "language" else f"d.{v}" for v in doc_vars)
        sql = ("SELECT p.passage_id, p.doc_id, p.seq, p.text, p.page_start, p.page_end, p.section, p.kind, "
               "p.language, p.n_words" + (", " + columns if columns else "") +
               " FROM passages p JOIN documents d USING (doc_id)")
        where = [] if include_duplicates else [_NOT_DUPLICATE]
        if kinds:
            where.append(f"p.kind IN ({', '.join('?' * len(kinds))})")
            args.extend(kinds)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY p.doc_id, p.seq"
        frame = pd.read_sql_query(sql, self.conn, params=args)
        if "year" in frame:
            frame["year"] = frame["year"].astype("Int64")
        return frame

    def passage_doc_ids(self, kinds: Sequence[str] | None = None) -> dict[str, str]:
        """passage_id -> doc_id for the passages of ``kinds`` (all kinds when None), duplicates included."""
        sql, args = "SELECT passage_id, doc_id FROM passages", tuple(kinds or ())
        if kinds:
            sql += f" WHERE kind IN ({', '.join('?' * len(kinds))})"
        return dict(self.conn.execute(sql, args).fetchall())

    def passage_ids(self, kinds: Sequence[str] | None = None, include_duplicates: bool = False) -> list[str]:
        """Passage ids of ``kinds`` in document order; duplicates left out unless ``include_duplicates``."""
        where, args = ([] if include_duplicates else [_NOT_DUPLICATE]), list(kinds or ())
        if kinds:
            where.append(f"p.kind IN ({', '.join('?' * len(kinds))})")
        sql = "SELECT p.passage_id FROM passages p" + (" WHERE " + " AND ".join(where) if where else "")
        return [row[0] for row in self.conn.execute(sql + " ORDER BY p.doc_id, p.seq", args)]

    def passage_texts(self, passage_ids: Sequence[str]) -> dict[str, str]:
        """passage_id -> text for these passages (those that exist)."""
        return {row[0]: row[1] or "" for row in self._rows(
            "SELECT passage_id, text FROM passages WHERE passage_id IN ({})", passage_ids)}

    def document_warnings(self) -> Iterator[tuple[str, str, list[str]]]:
        """(doc_id, path, warnings) of the documents that have warnings, by doc_id.

        Reads only those rows' warnings column: decoding every document is slow in a corpus of 30,000.
        """
        for doc_id, path, text in self.conn.execute(
                "SELECT doc_id, path, warnings FROM documents WHERE warnings IS NOT NULL "
                "AND warnings NOT IN ('', '[]') ORDER BY doc_id"):
            yield doc_id, path, json.loads(text)

    def passage(self, passage_id: str) -> Passage | None:
        row = self.conn.execute("SELECT * FROM passages WHERE passage_id=?", (passage_id,)).fetchone()
        return Passage(**{k: row[k] for k in row.keys() if k != "n_words"}) if row else None

    def counts(self) -> dict[str, int]:
        q = self.conn.execute
        return {
            "documents": q("SELECT COUNT(*) FROM documents").fetchone()[0],
            "passages": q("SELECT COUNT(*) FROM passages").fetchone()[0],
            "words": q("SELECT COALESCE(SUM(n_words), 0) FROM passages").fetchone()[0],
            **self.duplicate_counts(),
        }

    def last_run(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        failures = [dict(f) for f in self.conn.execute(
            "SELECT path, error, at FROM failures WHERE run_id=? ORDER BY rowid", (row["run_id"],))]
        return {"run_id": row["run_id"], "started": row["started"], "finished": row["finished"],
                "params": json.loads(row["params"] or "{}"), "counts": json.loads(row["counts"] or "{}"),
                "failures": failures}

    # Batched reads for citations (policytekst.citation): a few queries whatever the number of passages, in
    # chunks of 500 ids (SQLite limits the number of parameters of one statement).
    def passage_places(self, passage_ids: list[str]) -> list[sqlite3.Row]:
        """(passage_id, doc_id, page_start, page_end, section) of the given passages; unknown ids are left out."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(passage_ids), 500):
            chunk = passage_ids[start:start + 500]
            rows.extend(self.conn.execute(
                f"SELECT passage_id, doc_id, page_start, page_end, section FROM passages "
                f"WHERE passage_id IN ({', '.join('?' * len(chunk))})", chunk))
        return rows

    def citation_facts(self, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
        """What a citation needs of each document (not its text): title, authors, year, format, n_pages,
        last_page (the last page any passage reaches) and page_labels (the printed labels, or None)."""
        facts: dict[str, dict[str, Any]] = {}
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            last_pages = dict(self.conn.execute(
                f"SELECT doc_id, MAX(page_end) FROM passages WHERE doc_id IN ({marks}) GROUP BY doc_id",
                chunk).fetchall())
            for row in self.conn.execute(f"SELECT doc_id, title, authors, year, format, n_pages, meta FROM documents "
                                         f"WHERE doc_id IN ({marks})", chunk):
                meta = json.loads(row["meta"] or "{}")
                labels, corporate = meta.get("page_labels"), meta.get("corporate_authors")
                facts[row["doc_id"]] = {
                    "title": row["title"], "authors": json.loads(row["authors"] or "[]"), "year": row["year"],
                    "format": row["format"], "n_pages": row["n_pages"], "last_page": last_pages.get(row["doc_id"]),
                    "page_labels": labels if isinstance(labels, list) else None,
                    "corporate": corporate if isinstance(corporate, list) else []}
        return facts

    # -- duplicates ------------------------------------------------------------------------------------------
    def update_duplicates(self) -> dict[str, int]:
        """Regroup duplicate documents and passages from the stored fingerprints (after an ingest run).

        Only candidates are read: documents sharing an exact key or an LSH band, passages sharing a text key, so
        the work and memory follow the number of duplicates, not the size of the corpus.
        """
        conn = self.conn
        self._fingerprint_missing()
        pairs: set[tuple[str, str]] = set()
        prints: dict[str, Fingerprint] = {}  # a bounded cache: a document sits in several buckets
        for column, table in (("exact", "doc_prints"), ("band", "doc_bands")):
            shared = (f"SELECT {column}, doc_id FROM {table} WHERE {column} IN "
                      f"(SELECT {column} FROM {table} GROUP BY {column} HAVING COUNT(*) > 1) ORDER BY {column}")
            # one candidate bucket at a time (the rows come ordered by key): memory holds a bucket and the pairs
            # found, not every bucket of a big corpus at once
            for _key, rows in itertools.groupby(conn.execute(shared), key=lambda row: row[0]):
                ordered = sorted({doc_id for _, doc_id in rows})
                if len(prints) > _PRINTS_CACHED:
                    prints.clear()
                prints.update(self._fingerprints({d for d in ordered if d not in prints}))
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1:]:
                        if (a, b) not in pairs and is_duplicate(prints[a], prints[b]):
                            pairs.add((a, b))
        docs = {row[0]: row for row in self._rows(
            "SELECT doc_id, format, n_passages FROM documents WHERE doc_id IN ({})", sorted({d for p in pairs for d in p}))}
        members = sorted(docs, key=lambda d: canonical_order(*docs[d]))
        doc_of = {d: rep for d, rep in group(members, pairs).items() if d != rep}
        rank = {d: canonical_order(*docs[d]) for d in docs}
        passage_of: dict[str, str] = {}
        shared = ("SELECT k.key, k.passage_id, p.doc_id, p.seq FROM passage_keys k JOIN passages p USING (passage_id) "
                  "WHERE k.key IN (SELECT key FROM passage_keys GROUP BY key HAVING COUNT(*) > 1) ORDER BY k.key")
        by_key: dict[str, list[tuple]] = {}
        for key, passage_id, doc_id, seq in conn.execute(shared):
            by_key.setdefault(key, []).append((passage_id, doc_id, seq))
        unranked = sorted({doc_id for found in by_key.values() for _, doc_id, _ in found} - set(rank))
        for row in self._rows("SELECT doc_id, format, n_passages FROM documents WHERE doc_id IN ({})", unranked):
            rank[row[0]] = canonical_order(*row)
        for found in by_key.values():
            kept = [f for f in found if f[1] not in doc_of]  # a duplicate document's passages go with it
            kept.sort(key=lambda f: (rank[f[1]], f[2]))
            for passage_id, _, _ in kept[1:]:
                passage_of[passage_id] = kept[0][0]
        with self.transaction() as conn:
            conn.execute("DELETE FROM duplicates")
            conn.executemany("INSERT INTO duplicates VALUES ('document', ?, ?)", sorted(doc_of.items()))
            conn.executemany("INSERT INTO duplicates VALUES ('passage', ?, ?)", sorted(passage_of.items()))
        return {"documents": len(doc_of), "groups": len(set(doc_of.values())), "passages": len(passage_of)}

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Representative document -> the documents that repeat it (only groups with duplicates)."""
        groups: dict[str, list[str]] = {}
        for doc_id, rep in self.conn.execute(
                "SELECT item, duplicate_of FROM duplicates WHERE level='document' ORDER BY duplicate_of, item"):
            groups.setdefault(rep, []).append(doc_id)
        return groups

    def duplicate_counts(self) -> dict[str, int]:
        counts = dict(self.conn.execute("SELECT level, COUNT(*) FROM duplicates GROUP BY level").fetchall())
        return {"duplicate_documents": counts.get("document", 0), "duplicate_passages": counts.get("passage", 0)}

    def _fingerprint_missing(self) -> None:
        # Corpora stored before fingerprints existed: compute them from the stored text, one document at a time.
        missing = [row[0] for row in self.conn.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM doc_prints)")]
        for doc_id in missing:
            prints = fingerprint(self.text(doc_id) or "")
            keys = [(p.passage_id, text_key(p.text)) for p in self.passages(doc_id, ANALYSIS_KINDS)
                    if len(p.text.split()) >= MIN_PASSAGE_WORDS]
            with self.transaction() as conn:
                conn.execute("INSERT OR REPLACE INTO doc_prints VALUES (?, ?, ?, ?)",
                             (doc_id, prints.exact, _signature_blob(prints), prints.n_shingles))
                conn.executemany("INSERT INTO doc_bands VALUES (?, ?)", ((b, doc_id) for b in prints.bands()))
                conn.executemany("INSERT OR REPLACE INTO passage_keys VALUES (?, ?)", keys)

    def _fingerprints(self, doc_ids: set[str]) -> dict[str, Fingerprint]:
        import numpy as np
        found = {}
        for doc_id, exact, blob, n in self._rows(
                "SELECT doc_id, exact, signature, n_shingles FROM doc_prints WHERE doc_id IN ({})", sorted(doc_ids)):
            signature = tuple(int(v) for v in np.frombuffer(blob, dtype=np.uint32)) if blob else ()
            found[doc_id] = Fingerprint(exact, signature, int(n))
        return found

    def _rows(self, sql: str, ids: Sequence[str]) -> Iterator[sqlite3.Row]:
        """``sql`` with its one ``IN ({})`` filled for ``ids``, in chunks of 500 (SQLite's parameter limit)."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            yield from self.conn.execute(sql.format(", ".join("?" * len(chunk))), chunk)


_PRINTS_CACHED = 100_000  # fingerprints the duplicate regrouping keeps between buckets


def _signature_blob(prints: Fingerprint) -> bytes | None:
    import numpy as np
    return np.asarray(prints.signature, dtype=np.uint32).tobytes() if prints.signature else None


def _document(row: sqlite3.Row) -> Document:
    return Document(
        doc_id=row["doc_id"], path=row["path"], format=row["format"], title=row["title"],
        authors=json.loads(row["authors"] or "[]"), year=row["year"], genre=row["genre"],
        language=row["language"], n_pages=row["n_pages"], n_passages=row["n_passages"],
        fields=json.loads(row["fields"] or "{}"), meta=json.loads(row["meta"] or "{}"),
        warnings=json.loads(row["warnings"] or "[]"), content_hash=row["content_hash"] or "",
        duplicate_of=row["duplicate_of"],
    )
