"""SQLite helpers shared by the store and the caches that live in the corpus file (lemmas, search index, scores).

One home for the write transaction, so every writer of the corpus file commits and rolls back the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on ``conn``: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on any exception.

    IMMEDIATE takes the write lock up front, so a concurrent writer waits (``timeout``) at BEGIN instead of
    failing half-way through. Nesting is refused: SQLite has no nested BEGIN, and silently joining the outer
    transaction would make the inner block's "committed" a lie if the outer one rolls back.
    The connection must be in autocommit mode (``isolation_level=None``), as the store's is.

    Examples
    --------
    >>> with transaction(store.conn) as conn:                     # doctest: +SKIP
    ...     conn.execute("DELETE FROM search_terms")
    """
    if conn.in_transaction:
        raise RuntimeError("a transaction is already open on this connection; nested transactions are not "
                           "supported (do the inner work inside the outer `with transaction(...)` block)")
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back by itself (e.g. disk full)
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
