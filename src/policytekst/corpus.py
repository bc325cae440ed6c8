"""Corpus: the one entry point of the Python API — ingest, documents, passages, text, status."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policytekst.errors import UnknownNameError, UsageError
from policytekst.executors import Executor, make_executor
from policytekst.ingest import DEFAULT_MAX_MB, Ingester, IngestResult, TableOptions
from policytekst.model import ANALYSIS_KINDS, Document, Passage, shallow_dict
from policytekst.read.ocr import DEFAULT_LANG, check_ocr
from policytekst.store import Store

if TYPE_CHECKING:
    import pandas as pd

_DOC_VARS = ("title", "year", "genre", "format", "language")


class Corpus:
    """A corpus directory holding one SQLite store.

    Examples
    --------
    >>> corpus = Corpus("build/demo/corpus", create=True)
    >>> corpus.ingest(["corpus/"])                          # doctest: +SKIP
    >>> corpus.passages_frame().groupby("year").size()      # doctest: +SKIP
    """

    def __init__(self, directory: str | Path, *, create: bool = False, include_duplicates: bool = False) -> None:
        self.directory = Path(directory)
        self.store = Store(self.directory, create=create)
        #: analyses read duplicate documents and repeated passages too (default: each is counted once)
        self.include_duplicates = include_duplicates
        self._frames: dict[tuple, Any] | None = None  # passages_frame results inside `reading()`

    @classmethod
    def open(cls, directory: str | Path, *, include_duplicates: bool = False) -> Corpus:
        """Open an existing corpus (raises StoreError with a clear message when there is none)."""
        return cls(directory, create=False, include_duplicates=include_duplicates)

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
        ocr: str | bool = False,
        prune: bool = False,
        max_mb: float = DEFAULT_MAX_MB,
        executor: str | Executor = "process",
        scheduler: str | None = None,
    ) -> dict[str, int]:
        """Ingest files and folders; returns counts per status. Re-running is safe and skips unchanged files.

        ``ocr`` (True, or Tesseract languages such as "nor+eng") reads the image-only pages of PDFs with OCR
        (the ``[ocr]`` extra and Debian's tesseract-ocr-nor); the tools are checked once, before anything is read.

        A path that does not exist is reported as a failed file; when none of ``paths`` exists the call raises
        :class:`~policytekst.errors.UsageError` before anything (not even the corpus directory) is created.
        Stored sources under the given folders (or rows of the given tables) that are gone are reported as
        "vanished"; ``prune`` removes them. A document file over ``max_mb`` megabytes (or a DOCX inflating beyond
        it) fails with a clear message; 0 lifts the cap.

        ``executor`` "process" (the default) processes files here, or in ``workers`` local processes; "dask" sends
        them in batches to a Dask cluster: the one at ``scheduler`` (``tcp://host:8786``), else a LocalCluster of
        ``workers`` processes started for this call (the ``[dask]`` extra). An :class:`~policytekst.executors.Executor`
        object is used as it is and left open (e.g. one cluster for many calls). The stored corpus is the same.
        """
        if not paths:
            raise UsageError("nothing to ingest: no files or folders given")
        missing = [str(p) for p in paths if not Path(p).exists()]
        if len(missing) == len(paths):  # surely a typo: fail before a new corpus directory is made
            raise UsageError(f"nothing to ingest: {', '.join(missing)}: no such file or directory")
        if ocr:
            ocr = DEFAULT_LANG if ocr is True else str(ocr)
            check_ocr(ocr)  # one line saying what to install, instead of one failure per scanned file
        table = TableOptions(text_column, id_column, date_column, title_column, meta_columns, author_column)
        own = None
        if isinstance(executor, str):
            if executor != "process" or scheduler:  # the default stays the ingest's own process pool
                own = executor = make_executor(executor, workers, scheduler)
            else:
                executor = None
        try:
            ingester = Ingester(self.store, password=password, table=table, force=force, workers=workers,
                                progress=progress, prune=prune, max_mb=max_mb, ocr=ocr, executor=executor)
            return ingester.run([Path(p) for p in paths], on_result=on_result)
        finally:
            if own is not None:
                own.close()

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
            raise UnknownNameError(f"no document '{doc_id}' in {self.directory}")
        return doc

    def documents_frame(self) -> pd.DataFrame:
        """One row per document with its metadata (a table like quanteda's docvars)."""
        import pandas as pd
        rows = []
        for doc in self.store.documents():
            row = shallow_dict(doc)  # no deep copy: the fields below are dropped or only read
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
            raise UnknownNameError(f"no passage '{passage_id}' in {self.directory}")
        return passage

    def passages_frame(self, kinds: Sequence[str] | None = ANALYSIS_KINDS,
                       doc_vars: Sequence[str] = _DOC_VARS) -> pd.DataFrame:
        """Passages with document variables attached (title, year, genre, ...), one row per passage.

        The document's language is the column ``doc_language``; an unknown ``doc_vars`` name raises
        :class:`~policytekst.errors.UnknownNameError`.
        """
        key = (tuple(kinds) if kinds else None, tuple(doc_vars), self.include_duplicates)
        if self._frames is not None and key in self._frames:
            return self._frames[key].copy()  # a copy: callers may add columns; object cells are shared, not copied
        frame = self.store.passages_table(*key[:2], include_duplicates=self.include_duplicates)
        if self._frames is not None:
            self._frames[key] = frame.copy()
        return frame

    @contextmanager
    def reading(self) -> Iterator[Corpus]:
        """A block that only reads: :meth:`passages_frame` is read from the database once per set of arguments
        (the report's sections and their ten theme example lists each asked for all passages again). Nothing
        may write documents inside the block; the memo is dropped when it ends."""
        outer = self._frames is not None
        if not outer:
            self._frames = {}
        try:
            yield self
        finally:
            if not outer:
                self._frames = None

    def text(self, doc_id: str) -> str:
        text = self.store.text(doc_id)
        if text is None:
            raise UnknownNameError(f"no document '{doc_id}' in {self.directory}")
        return text

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Documents found to repeat another (same words, or near: see :mod:`policytekst.duplicates`), by the
        document that represents them in analyses."""
        return self.store.duplicate_groups()

    def passage_ids(self, kinds: Sequence[str] | None = ANALYSIS_KINDS) -> list[str]:
        """Ids of the passages analyses read, in document order (duplicates left out unless the corpus keeps them)."""
        return self.store.passage_ids(tuple(kinds) if kinds else None, self.include_duplicates)

    def status(self) -> dict[str, Any]:
        return {"corpus": str(self.directory), **self.store.counts(), "duplicate_groups": self.duplicate_groups(),
                "generation": self.generation,
                "last_run": self.store.last_run()}
