"""Ingest: files and folders -> the store, streaming one document at a time.

Every source gets one :class:`IngestResult` (added, updated, unchanged, failed, skipped). Unchanged sources (same
content hash, same sidecar row, same pipeline version) are not even parsed, so a re-run is cheap and safe.
Documents can be processed in a pool of worker processes; only this process writes to the store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from policytekst.errors import PolicytekstError
from policytekst.model import ProcessedDocument
from policytekst.pipeline import PIPELINE_VERSION, content_hash, process
from policytekst.read import ReadError, format_of, iter_table, read_file
from policytekst.sidecar import is_sidecar, load_sidecar
from policytekst.store import Store

LOCK_NAME = ".ingest.lock"
LOCK_HOLDER_NAME = ".ingest.pid"  # beside the lock: a locked file cannot be read on Windows


@dataclass
class IngestResult:
    path: str
    status: str  # added | updated | unchanged | failed | skipped
    doc_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    rows: dict[str, int] | None = None  # for tables of texts: counts per status

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["rows"] is None:
            del data["rows"]
        return data


@dataclass
class TableOptions:
    text_column: str | None = None
    id_column: str | None = None
    date_column: str | None = None
    title_column: str | None = None
    meta_columns: list[str] | None = None
    author_column: str | None = None


class CorpusLockedError(PolicytekstError):
    """Another process is ingesting into the same corpus."""


@contextmanager
def ingest_lock(directory: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock per corpus: a second ingest stops with a clear message.

    ``filelock`` uses flock on POSIX and msvcrt on Windows; the OS drops the lock when the holder dies, so a
    killed ingest never leaves the corpus locked.
    """
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(directory / LOCK_NAME, timeout=0)
    holder_file = directory / LOCK_HOLDER_NAME
    try:
        lock.acquire()
    except Timeout as exc:
        try:
            holder = holder_file.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            holder = "unknown"
        raise CorpusLockedError(
            f"{directory}: another ingest (pid {holder}) is writing to this corpus; "
            "wait for it to finish, then run again") from exc
    try:
        holder_file.write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        lock.release()


def discover(paths: Iterable[Path], exclude: Path | None = None) -> Iterator[tuple[Path, bool]]:
    """Yield (file, named_explicitly) in a stable order, walking folders lazily and skipping hidden entries."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                root_path = Path(root)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and (exclude is None or (root_path / d).resolve() != exclude))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield root_path / name, False
        else:
            yield path, True


def _process_file(path: str, password: str | None, doc_id: str, sidecar: dict | None, digest: str,
                  ocr: str | bool = False) -> ProcessedDocument:
    """Worker body: read and process one file (pure; runs in any process)."""
    raw = read_file(Path(path), password=password, ocr=ocr)
    return process(raw, doc_id, sidecar, content_hash=digest)


def _slug(stem: str) -> str:
    import re

    slug = re.sub(r"[^\w.-]+", "-", stem.strip()).strip("-").lower()
    return slug[:60] or "document"


class Ingester:
    """One ingest run into a store; yields results as documents finish."""

    def __init__(self, store: Store, *, password: str | None = None, table: TableOptions | None = None,
                 force: bool = False, workers: int = 1, progress: bool = True, ocr: str | bool = False) -> None:
        self.store = store
        self.password = password
        #: OCR the image-only pages of PDFs: False, or Tesseract's language(s) such as "nor+eng"
        self.ocr = ocr
        self.table = table or TableOptions()
        self.force = force
        self.workers = max(1, workers)
        self.progress = progress
        self._sidecars: dict[Path, dict[str, dict]] = {}

    def _sidecar_for(self, path: Path) -> dict | None:
        folder = path.parent.resolve()
        if folder not in self._sidecars:
            self._sidecars[folder] = load_sidecar(folder)
        return self._sidecars[folder].get(str(path.resolve()))

    def run(self, paths: list[Path], on_result: Callable[[IngestResult], None] | None = None) -> dict[str, int]:
        counts = {s: 0 for s in ("added", "updated", "unchanged", "failed", "skipped")}
        with ingest_lock(self.store.directory):
            run_id = self.store.start_run({"paths": [str(p) for p in paths], "force": self.force,
                                           "workers": self.workers, "pipeline_version": PIPELINE_VERSION,
                                           "table": asdict(self.table)})
            console = Console(stderr=True)
            columns = (TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.description}"))
            with Progress(*columns, console=console, disable=not self.progress, transient=True) as bar:
                files = list(discover(paths, exclude=self.store.directory.resolve()))
                task = bar.add_task("", total=len(files))
                for result in self._results(files, bar, task):
                    counts[result.status] += 1
                    if result.status == "failed":
                        self.store.record_failure(run_id, result.path, result.error or "")
                    if on_result:
                        on_result(result)
            self.duplicates = self.store.update_duplicates()
            self.store.finish_run(run_id, counts)
        return counts

    def _results(self, files: list[tuple[Path, bool]], bar: Progress, task) -> Iterator[IngestResult]:
        pool = ProcessPoolExecutor(self.workers) if self.workers > 1 else None
        pending: list[tuple[Path, str, str, bool, Future]] = []
        try:
            for path, explicit in files:
                bar.update(task, description=path.name[:40])
                result, job = self._prepare(path, explicit, bar)
                if result is not None:
                    bar.advance(task)
                    yield result
                    continue
                if job is None:  # a table: rows were handled inline
                    continue
                doc_id, digest, updated, sidecar = job
                if pool is None:
                    yield self._finish(path, doc_id, digest, updated, partial(
                        _process_file, str(path), self.password, doc_id, sidecar, digest, self.ocr))
                    bar.advance(task)
                    continue
                pending.append((path, doc_id, digest, updated,
                                pool.submit(_process_file, str(path), self.password, doc_id, sidecar, digest, self.ocr)))
                while len(pending) >= 2 * self.workers:  # bounded in-flight work keeps memory flat
                    p, d, h, u, fut = pending.pop(0)
                    yield self._finish(p, d, h, u, fut.result)
                    bar.advance(task)
            for p, d, h, u, fut in pending:
                yield self._finish(p, d, h, u, fut.result)
                bar.advance(task)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)

    def _prepare(self, path: Path, explicit: bool, bar: Progress):
        """Decide what to do with one path: an immediate result, a table (handled here), or a job to process."""
        if not path.exists():
            return IngestResult(str(path), "failed", error=f"{path}: no such file or directory"), None
        if is_sidecar(path):
            return IngestResult(str(path), "skipped", warnings=["metadata sidecar (applied to its folder)"]), None
        if not explicit and path.stem.upper() in ("README", "LESMEG"):  # a folder's notes about itself
            return IngestResult(str(path), "skipped", warnings=["folder README (documentation, not a document)"]), None
        fmt = format_of(path)
        if fmt is None:
            status = "failed" if explicit else "skipped"
            return IngestResult(str(path), status, error=f"{path}: unsupported format "
                                f"'{path.suffix or '(no extension)'}'"), None
        if fmt == "table":
            return self._ingest_table(path, bar), None
        try:
            data = path.read_bytes()
        except OSError as exc:
            return IngestResult(str(path), "failed", error=f"{path}: cannot be read ({exc.strerror})"), None
        sidecar = self._sidecar_for(path)
        # OCR changes what is read from a scanned PDF: a file first ingested without it is not "unchanged"
        digest = content_hash(data, {**(sidecar or {}), "__ocr__": self.ocr} if self.ocr and fmt == "pdf" else sidecar)
        source_key = str(path.resolve())
        known = self.store.known_hash(source_key)
        if known and known[1] == digest and not self.force:
            return IngestResult(str(path), "unchanged", doc_id=known[0]), None
        doc_id = known[0] if known else self.store.free_doc_id(_slug(path.stem), source_key)
        return None, (doc_id, digest, known is not None, sidecar)

    def _finish(self, path: Path, doc_id: str, digest: str, updated: bool, compute) -> IngestResult:
        try:
            processed = compute()
        except ReadError as exc:
            return IngestResult(str(path), "failed", error=f"{path}: {exc}")
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
            return IngestResult(str(path), "failed", error=f"{path}: {type(exc).__name__}: {str(exc)[:200]}")
        if processed.doc.n_passages == 0:
            return IngestResult(str(path), "failed", error=f"{path}: no text passages after cleaning",
                                warnings=processed.doc.warnings)
        self.store.write_document(processed, str(path.resolve()))
        return IngestResult(str(path), "updated" if updated else "added", doc_id=doc_id,
                            warnings=processed.doc.warnings)

    def _ingest_table(self, path: Path, bar: Progress) -> IngestResult:
        rows = {s: 0 for s in ("added", "updated", "unchanged", "failed")}
        warnings: list[str] = []
        row_task = bar.add_task(f"rows of {path.name}", total=None)
        table_key = str(path.resolve())
        # a sidecar row for the table gives defaults for all its rows (e.g. genre); the row's own columns win
        table_defaults = self._sidecar_for(path) or {}
        try:
            for raw in iter_table(path, **asdict(self.table)):
                bar.advance(row_task)
                source_key = table_key + "#" + (raw.doc_id or "")
                text = raw.pages[0].text
                if not text.strip():
                    rows["failed"] += 1
                    if len(warnings) < 20:
                        warnings.append(f"row {raw.facts['row']} ({raw.doc_id}): empty text cell")
                    continue
                defaults = {k: v for k, v in table_defaults.items() if k not in raw.meta}
                payload = json.dumps([text, raw.meta, defaults], ensure_ascii=False, sort_keys=True, default=str)
                digest = content_hash(payload.encode())
                known = self.store.known_hash(source_key)
                if known and known[1] == digest and not self.force:
                    rows["unchanged"] += 1
                    continue
                doc_id = known[0] if known else self.store.free_doc_id(raw.doc_id or _slug(path.stem), source_key)
                try:
                    processed = process(raw, doc_id, defaults or None, content_hash=digest)
                except Exception as exc:  # noqa: BLE001
                    rows["failed"] += 1
                    if len(warnings) < 20:
                        warnings.append(f"row {raw.facts['row']} ({raw.doc_id}): {type(exc).__name__}: {exc}")
                    continue
                self.store.write_document(processed, source_key)
                rows["updated" if known else "added"] += 1
        except ReadError as exc:
            return IngestResult(str(path), "failed", error=f"{path}: {exc}", warnings=warnings, rows=rows)
        finally:
            bar.remove_task(row_task)
        if rows["failed"] > len(warnings):
            warnings.append(f"... {rows['failed'] - len(warnings)} more rows failed")
        status = "added" if rows["added"] else "updated" if rows["updated"] else "unchanged"
        return IngestResult(str(path), status, warnings=warnings, rows=rows)


