"""Corpus: the one entry point of the Python API — ingest, documents, passages, text, status."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from policytekst.ingest import Ingester, IngestResult, TableOptions
from policytekst.model import ANALYSIS_KINDS, Document, Passage
from policytekst.store import Store

_DOC_VARS = ("title", "year", "genre", "format", "language")


class Corpus:
    """A corpus directory holding one SQLite store.

    Examples
    --------
    >>> corpus = Corpus("build/demo/corpus", create=True)
    >>> corpus.ingest(["corpus/"])                          # doctest: +SKIP
    >>> corpus.passages_frame().groupby("year").size()      # doctest: +SKIP
    """

    def __init__(self, directory: str | Path, *, create: bool = False) -> None:
        self.directory = Path(directory)
        self.store = Store(self.directory, create=create)

    @classmethod
    def open(cls, directory: str | Path) -> Corpus:
        """Open an existing corpus (raises StoreError with a clear message when there is none)."""
        return cls(directory, create=False)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building ----------------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        password: str | None = None,
        text_column: str | None = None,
        id_column: str | None = None,
        date_column: str | None = None,
        title_column: str | None = None,
        meta_columns: list[str] | None = None,
        author_column: str | None = None,
        force: bool = False,
        workers: int = 1,
        progress: bool = True,
        on_result: Callable[[IngestResult], None] | None = None,
    ) -> dict[str, int]:
        """Ingest files and folders; returns counts per status. Re-running is safe and skips unchanged files."""
        table = TableOptions(text_column, id_column, date_column, title_column, meta_columns, author_column)
        ingester = Ingester(self.store, password=password, table=table, force=force, workers=workers,
                            progress=progress)
        return ingester.run([Path(p) for p in paths], on_result=on_result)

    # -- reading -----------------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Changes whenever any document is added or replaced; derived caches key on it."""
        return self.store.generation()

    def documents(self) -> list[Document]:
        return list(self.store.documents())

    def document(self, doc_id: str) -> Document:
        doc = self.store.document(doc_id)
        if doc is None:
            raise KeyError(f"no document '{doc_id}' in {self.directory}")
        return doc

    def documents_frame(self) -> pd.DataFrame:
        """One row per document with its metadata (a table like quanteda's docvars)."""
        rows = []
        for doc in self.store.documents():
            row = doc.to_dict()
            row["authors"] = "; ".join(doc.authors)
            row.pop("fields")
            row.pop("warnings")
            meta = row.pop("meta")
            row.update({k: v for k, v in meta.items() if k not in row and not isinstance(v, (dict, list))})
            rows.append(row)
        return pd.DataFrame(rows)

    def passages(self, doc_id: str | None = None, kinds: Sequence[str] | None = None) -> Iterator[Passage]:
        """Stream passages in document order (all kinds unless ``kinds`` is given)."""
        return self.store.passages(doc_id, tuple(kinds) if kinds else None)

    def passage(self, passage_id: str) -> Passage:
        passage = self.store.passage(passage_id)
        if passage is None:
            raise KeyError(f"no passage '{passage_id}' in {self.directory}")
        return passage

    def passages_frame(self, kinds: Sequence[str] | None = ANALYSIS_KINDS,
                       doc_vars: Sequence[str] = _DOC_VARS) -> pd.DataFrame:
        """Passages with document variables attached (title, year, genre, ...), one row per passage."""
        args: list[Any] = []
        sql = ("SELECT p.passage_id, p.doc_id, p.seq, p.text, p.page_start, p.page_end, p.section, p.kind, "
               "p.language, p.n_words, " + ", ".join(f"d.{v} AS doc_{v}" if v == "language" else f"d.{v}"
                                                     for v in doc_vars) +
               " FROM passages p JOIN documents d USING (doc_id)")
        if kinds:
            sql += f" WHERE p.kind IN ({', '.join('?' * len(kinds))})"
            args.extend(kinds)
        sql += " ORDER BY p.doc_id, p.seq"
        frame = pd.read_sql_query(sql, self.store.conn, params=args)
        if "year" in frame:
            frame["year"] = frame["year"].astype("Int64")
        return frame

    def text(self, doc_id: str) -> str:
        text = self.store.text(doc_id)
        if text is None:
            raise KeyError(f"no document '{doc_id}' in {self.directory}")
        return text

    def status(self) -> dict[str, Any]:
        return {"corpus": str(self.directory), **self.store.counts(), "generation": self.generation,
                "last_run": self.store.last_run()}
