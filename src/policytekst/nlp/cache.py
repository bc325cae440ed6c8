"""The lemma cache: content lemmas per passage, computed once and stored in the corpus SQLite file.

Table ``passage_lemmas`` (passage_id -> JSON list of lemmas, language, version) is keyed by passage_id with
ON DELETE CASCADE, so re-ingesting a document (which replaces its passages) drops its stale lemmas. Rows
whose version differs from :func:`policytekst.nlp.word_lemmas.cache_version` (``NLP_VERSION`` plus a fingerprint of
the shipped and user lists; the search index's lemma column records the same stamp) are recomputed. Content lemmas
are contextual (:func:`policytekst.nlp.lemmatize` over the passage); their word analyses come from the same cache as
the word lemmas of search. Streaming: passages are read and written in chunks, never all at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

from policytekst.db import transaction
from policytekst.executors import Executor
from policytekst.model import ANALYSIS_KINDS
from policytekst.nlp.word_lemmas import cache_version

__all__ = ["cache_status", "cache_version", "compute", "ensure_table", "passage_lemmas"]

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS passage_lemmas (
    passage_id TEXT PRIMARY KEY REFERENCES passages(passage_id) ON DELETE CASCADE,
    lemmas TEXT NOT NULL,
    language TEXT,
    version TEXT NOT NULL
)
"""
CHUNK = 500


def ensure_table(conn) -> None:
    conn.execute(TABLE_SQL)


def _passage_language(stored: str | None, text: str) -> str:
    from policytekst.nlp.language import LANGUAGES, detect_language

    return stored if stored in LANGUAGES else detect_language(text)


def compute(text: str, language: str | None) -> tuple[list[str], str]:
    """Content lemmas of one passage and the language used (pure: safe in worker processes)."""
    from policytekst.nlp import content_lemmas

    lang = _passage_language(language, text or "")
    return content_lemmas(text or "", lang), lang


def _compute_many(items: list[tuple[str, str | None]]) -> list[tuple[list[str], str]]:
    return [compute(text, language) for text, language in items]


def passage_lemmas(corpus, kinds: Sequence[str] | None = ANALYSIS_KINDS, *,
                   on_progress: Callable[[int, int], None] | None = None,
                   workers: int = 1, executor: Executor | None = None,
                   ids: Sequence[str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """Stream (passage_id, content lemmas) for the corpus's passages, in document order.

    Lemmas are computed only for passages that have none stored for the current version, written back in
    chunks, and served from the store afterwards. ``on_progress(done, total)`` is called after each chunk.
    ``workers`` > 1 computes missing lemmas in that many processes (results and order are the same); an
    ``executor`` (e.g. :class:`~policytekst.executors.DaskExecutor`, a cluster) computes them there instead.
    ``ids`` limits the stream to these passages, in this order (a sample: only its lemmas are computed).

    Examples
    --------
    >>> for passage_id, lemmas in passage_lemmas(corpus):   # doctest: +SKIP
    ...     print(passage_id, lemmas[:5])
    """
    conn = corpus.store.conn
    ensure_table(conn)
    version = cache_version()
    if ids is None:
        ids = corpus.passage_ids(kinds)  # ids only: small even for 100,000s; duplicates left out as everywhere
    pool = None
    if executor is not None:
        yield from _stream(conn, ids, version, executor.imap, executor.slots, on_progress)
        return
    if workers > 1 and ids:
        from concurrent.futures import ProcessPoolExecutor

        from policytekst.nlp.lemmas import _dictionary

        _dictionary("nb")  # load once here: forked workers share it instead of each reading it again
        pool = ProcessPoolExecutor(max_workers=workers)
    try:
        yield from _stream(conn, ids, version, pool.map if pool else None, workers, on_progress)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _stream(conn, ids, version, mapper, workers, on_progress) -> Iterator[tuple[str, list[str]]]:
    total, done = len(ids), 0
    for start in range(0, total, CHUNK):
        chunk = ids[start:start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT p.passage_id, p.text, p.language, l.lemmas, l.version FROM passages p "
            f"LEFT JOIN passage_lemmas l USING (passage_id) WHERE p.passage_id IN ({marks})", chunk).fetchall()
        found = {row[0]: row for row in rows}
        results: dict[str, list[str]] = {}
        todo: list[tuple[str, str, str | None]] = []
        for pid in chunk:
            row = found.get(pid)
            if row is None:  # deleted meanwhile
                continue
            if row[3] is not None and row[4] == version:
                results[pid] = json.loads(row[3])
            else:
                todo.append((pid, row[1], row[2]))
        if mapper is not None and len(todo) > 1:
            size = -(-len(todo) // workers)
            batches = [[(t, lang) for _, t, lang in todo[i:i + size]] for i in range(0, len(todo), size)]
            computed = [item for batch in mapper(_compute_many, batches) for item in batch]
        else:
            computed = [compute(text, lang) for _, text, lang in todo]
        fresh: list[tuple[str, str, str, str]] = []
        for (pid, _, _), (lemmas, lang) in zip(todo, computed, strict=True):
            results[pid] = lemmas
            fresh.append((pid, json.dumps(lemmas, ensure_ascii=False), lang, version))
        if fresh:
            with transaction(conn):
                conn.executemany("INSERT OR REPLACE INTO passage_lemmas VALUES (?, ?, ?, ?)", fresh)
        for pid in chunk:
            if pid in results:
                yield pid, results[pid]
        done += len(chunk)
        if on_progress is not None:
            on_progress(done, total)


def cache_status(corpus, kinds: Sequence[str] | None = ANALYSIS_KINDS) -> dict[str, int]:
    """How many of the passages analyses read (see ``Corpus.passage_ids``) have current lemmas stored, and how many
    are missing or stale."""
    conn = corpus.store.conn
    ensure_table(conn)
    version = cache_version()
    ids = corpus.passage_ids(kinds)
    current = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        current += conn.execute(f"SELECT COUNT(*) FROM passage_lemmas WHERE version = ? AND passage_id IN "
                                f"({', '.join('?' * len(chunk))})", [version, *chunk]).fetchone()[0]
    return {"passages": len(ids), "cached": int(current), "missing": len(ids) - int(current)}
