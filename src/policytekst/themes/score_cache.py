"""Theme scores stored in the corpus, so the second `themes table`, `examples` or report reads them in a second.

Table ``theme_score_cache`` in the corpus SQLite file holds one passages x columns float64 matrix per key. The key
is a hash of what the numbers depend on: how they were made (``"coding"`` for codebook hit counts, ``"model"`` for
classifier probabilities), the codebook's or model's fingerprint, the passage kinds, and this module's
:data:`SCORES_VERSION`. Each row also records the corpus ``generation`` it was computed at; a row of another
generation is stale (a document was added, replaced or removed) and is recomputed, and writing a fresh row drops
every stale one. A row is written in one transaction, so an interrupted run leaves the previous state.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from policytekst.db import transaction
from policytekst.scores import INDEX_NAME

# Bump when coding or scoring changes its numbers without the codebook, model or lemma stamp changing.
SCORES_VERSION = "1"
TABLE = "theme_score_cache"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    key TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    what TEXT NOT NULL,          -- human-readable: method, fingerprint, kinds
    passage_ids TEXT NOT NULL,   -- JSON list, the row order of the matrix
    columns TEXT NOT NULL,       -- JSON list
    matrix BLOB NOT NULL         -- float64, row-major
)
"""


def file_fingerprint(path: str | Path) -> str:
    """Fingerprint of a file's bytes (a saved model), readable without loading what it holds."""
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:16]


def cache_key(kind: str, fingerprint: str, kinds: Sequence[str] | None,
              include_duplicates: bool = False) -> tuple[str, str]:
    """(key, description) of a cached table: kind of numbers, producer fingerprint, passage kinds, and whether
    duplicate passages are in it."""
    what = (f"{kind} {fingerprint} kinds={','.join(sorted(kinds)) if kinds else '*'} v{SCORES_VERSION}"
            + (" with-duplicates" if include_duplicates else ""))
    return hashlib.sha1(what.encode()).hexdigest(), what


def load(corpus, key: str) -> pd.DataFrame | None:
    """The cached table under ``key`` if it was computed at the corpus's current generation, else None."""
    conn = corpus.store.conn
    try:
        conn.execute(_SCHEMA)
    except sqlite3.OperationalError:  # a read-only corpus without the table: nothing cached
        return None
    row = conn.execute(f"SELECT generation, passage_ids, columns, matrix FROM {TABLE} WHERE key = ?",
                       (key,)).fetchone()
    if row is None or int(row[0]) != corpus.store.generation():
        return None
    ids, columns = json.loads(row[1]), json.loads(row[2])
    matrix = np.frombuffer(row[3], dtype=np.float64).reshape(len(ids), len(columns))
    return pd.DataFrame(matrix.copy(), index=pd.Index(ids, name=INDEX_NAME, dtype=object), columns=columns)


def save(corpus, key: str, what: str, frame: pd.DataFrame, generation: int) -> bool:
    """Store ``frame`` under ``key`` for ``generation`` and drop rows of other generations; False when the
    corpus cannot be written (a read-only copy still answers, only without the cache)."""
    conn = corpus.store.conn
    matrix = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    row = (key, int(generation), what, json.dumps([str(p) for p in frame.index]),
           json.dumps([str(c) for c in frame.columns]), matrix.tobytes())
    try:
        conn.execute(_SCHEMA)
        with transaction(conn):
            conn.execute(f"DELETE FROM {TABLE} WHERE generation != ?", (int(generation),))
            conn.execute(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?)", row)
    except sqlite3.OperationalError:  # read-only or locked for longer than the store's timeout: skip the cache
        return False
    return True


def cached(corpus, kind: str, fingerprint: str, kinds: Sequence[str] | None,
           compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The cached table for (kind, fingerprint, kinds), computing and storing it on a miss."""
    key, what = cache_key(kind, fingerprint, kinds, corpus.include_duplicates)
    found = load(corpus, key)
    if found is not None:
        return found
    generation = corpus.store.generation()  # before computing: a concurrent ingest makes the row stale, not wrong
    frame = compute()
    save(corpus, key, what, frame, generation)
    return frame


def clear(corpus) -> None:
    """Drop every cached theme score table of the corpus."""
    conn = corpus.store.conn
    conn.execute(_SCHEMA)
    conn.execute(f"DELETE FROM {TABLE}")
