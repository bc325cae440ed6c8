"""Ingest: files and folders -> the store, streaming one document at a time.

Every source gets one :class:`IngestResult` (added, updated, unchanged, failed, skipped). Unchanged sources (same
content hash, same sidecar row, same pipeline version) are not even parsed, so a re-run is cheap and safe.
Documents can be processed in a pool of worker processes, or in batches on any :mod:`policytekst.executors`
executor (a Dask cluster); only this process writes to the store.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import signal
import sqlite3
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from policytekst.errors import PolicytekstError
from policytekst.executors import Executor, submit_to_pool
from policytekst.model import ProcessedDocument
from policytekst.store import Store

LOCK_NAME = ".ingest.lock"
LOCK_HOLDER_NAME = ".ingest.pid"  # beside the lock: a locked file cannot be read on Windows
# A document file larger than this (or a DOCX that inflates beyond it) is refused unless raised with --max-mb: one
# 1 GiB document would hold the whole machine's memory for minutes. Tables of texts are streamed and not capped.
DEFAULT_MAX_MB = 200
# Rows of a table of texts written per commit: each row stays all-or-nothing (a savepoint), a crash loses at most
# this many rows (the next, incremental run writes them again), and the commit no longer costs more than the row.
TABLE_BATCH = 500
ROWS_PER_TASK = 64  # table rows per task of a worker process (and per step without workers)
STATUSES = ("added", "updated", "unchanged", "failed", "skipped")
# Documents per executor task: enough to make a task's overhead (a few ms on Dask) small beside its work, few
# enough that 2 batches per worker in flight stay a few MB.
BATCH = 16


@dataclass
class IngestResult:
    path: str
    status: str  # added | updated | unchanged | failed | skipped | vanished | removed
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
            f"{directory}: another ingest (pid {holder}, {_process_state(holder)}) is writing to this corpus; "
            "wait for it to finish, then run again") from exc
    except OSError as exc:  # a lock file left by another user, a read-only folder
        raise CorpusLockedError(f"{directory / LOCK_NAME}: the ingest lock cannot be taken ({exc.strerror or exc}); "
                                "check who owns that file and the folder's permissions") from exc
    try:
        holder_file.write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        lock.release()


def _process_state(pid: str) -> str:
    """Whether the process holding the lock is alive, in words for the refusal message."""
    if not pid.isdigit():
        return "state unknown"
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return "no longer running; a process it started still holds the lock"
    except PermissionError:
        return "running, as another user"
    except OSError:
        return "state unknown"
    return "still running"


def display(path: Path | str) -> str:
    """A path as text that can always be printed and stored: bytes that are not UTF-8 shown as \\xNN escapes."""
    return os.fsencode(str(path)).decode("utf-8", errors="backslashreplace")


SEEN_IN_MEMORY = 50_000  # source keys an ingest keeps in memory before moving them to disk


class SeenKeys:
    """A set of strings (add, ``in``) that moves its members to a temporary SQLite file past ``limit`` of them.

    An ingest remembers every source key it meets, to tell afterwards which stored sources vanished; held in a
    Python set that costs ~150 bytes per document, so a million-document ingest would grow by ~150 MB for it.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._recent: set[str] = set()
        self._limit = limit or SEEN_IN_MEMORY
        self._db: sqlite3.Connection | None = None
        self._folder: Any = None  # tempfile.TemporaryDirectory, removed on close (or at exit)

    def add(self, key: str) -> None:
        self._recent.add(key)
        if len(self._recent) >= self._limit:
            self._spill()

    def __contains__(self, key: object) -> bool:
        if key in self._recent:
            return True
        return self._db is not None and self._db.execute(
            "SELECT 1 FROM seen WHERE key=?", (key,)).fetchone() is not None

    def _spill(self) -> None:
        if self._db is None:
            import tempfile
            self._folder = tempfile.TemporaryDirectory(prefix="policytekst-seen-")
            self._db = sqlite3.connect(os.path.join(self._folder.name, "seen.sqlite"), isolation_level=None)
            self._db.execute("PRAGMA journal_mode=OFF")  # scratch data: nothing to recover after a crash
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen(key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", ((key,) for key in self._recent))
        self._db.execute("COMMIT")
        self._recent.clear()

    def close(self) -> None:
        """Forget every key and remove the temporary file."""
        self._recent.clear()
        if self._db is not None:
            self._db.close()
            self._db = None
            self._folder.cleanup()


def discover(paths: Iterable[Path], exclude: Path | None = None,
             unlisted: list[tuple[Path, str]] | None = None) -> Iterator[tuple[Path, bool]]:
    """Yield (file, named_explicitly) in a stable order, walking folders lazily and skipping hidden entries.

    A sub-folder that cannot be listed is appended to ``unlisted`` as (folder, reason), so it can be reported.
    """
    def failed(exc: OSError) -> None:
        if unlisted is not None:
            unlisted.append((Path(exc.filename or "?"), exc.strerror or str(exc)))

    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path, onerror=failed):
                root_path = Path(root)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and (exclude is None or (root_path / d).resolve() != exclude))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield root_path / name, False
        else:
            yield path, True


def _process_file(path: str, password: str | None, doc_id: str, sidecar: dict | None, digest: str,
                  max_bytes: int | None = None, ocr: str | bool = False) -> ProcessedDocument:
    """Worker body: read and process one file (pure; runs in any process)."""
    from policytekst.pipeline import process
    from policytekst.read import read_file
    raw = read_file(Path(path), password=password, max_bytes=max_bytes, ocr=ocr)
    raw.source = display(path)  # stored and printed: must be valid text even when the file name is not
    return process(raw, doc_id, sidecar, content_hash=digest)


def _process_batch(jobs: list[tuple]) -> list[tuple[ProcessedDocument | None, BaseException | None]]:
    """Worker body for a batch of files: each one's document or its error; one bad file does not fail the rest."""
    outcomes: list[tuple[ProcessedDocument | None, BaseException | None]] = []
    for args in jobs:
        try:
            # pages and blocks are not stored: left behind, so the trip back to the writer carries only what is
            outcomes.append((replace(_process_file(*args), pages=[], blocks=[]), None))
        except Exception as exc:  # noqa: BLE001 - reported per file by the writer, as in one process
            outcomes.append((None, _portable(exc)))
    return outcomes


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling (the trip back from a worker), else its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any unpicklable exception
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class _Batch:
    """Up to BATCH files sent to the executor as one task: (path, doc_id, digest, updated, args) each."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Path, str, str, bool, tuple]] = []
        self.future: Any = None  # a concurrent.futures or distributed future, dropped once resolved
        self.sent = False
        self.outcomes: list[tuple[ProcessedDocument | None, BaseException | None]] | None = None

    def submit(self, executor: Executor) -> None:
        self.future = executor.submit(_process_batch, [job[4] for job in self.jobs])
        self.sent = True

    def done(self) -> bool:
        return self.outcomes is not None or self.future.done()

    def resolve(self, executor: Executor) -> None:
        """Wait for the outcomes. A worker that died (out of memory, killed) on this batch gets each of its files
        retried alone, so only the file that kills a worker fails."""
        try:
            self.outcomes = self.future.result()
        except Exception as exc:  # noqa: BLE001 - sorted below: a lost worker, or workers that cannot run ingest
            if not executor.lost_worker(exc):
                raise PolicytekstError(f"the {executor.name} workers could not run ingest ({type(exc).__name__}: "
                                       f"{str(exc)[:200]}); is policytekst installed where they run?") from exc
            self.outcomes = [self._alone(executor, job) for job in self.jobs]
        self.future = None  # released: a distributed future keeps its result on the cluster until dropped

    @staticmethod
    def _alone(executor: Executor, job: tuple) -> tuple[ProcessedDocument | None, BaseException | None]:
        try:
            return executor.submit(_process_batch, [job[4]]).result()[0]
        except Exception as exc:  # noqa: BLE001
            if not executor.lost_worker(exc):
                raise
            from policytekst.read import ReadError
            return None, ReadError("the worker reading it died (out of memory or killed); the other files go on")


def _worker_init() -> None:
    """Ingest workers end with their parent: a killed ingest must leave no worker behind (Linux: PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # not glibc: the closed call pipe still ends the worker
            pass
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    """A worker pool that inherits nothing of the parent's open files.

    ``spawn`` (not ``fork``): forked workers would share the parent's ``.ingest.lock`` descriptor, so the flock
    outlived a killed ingest for as long as its workers did, and every later ingest was refused.
    """
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init)


def _slug(stem: str) -> str:
    import re

    slug = re.sub(r"[^\w.-]+", "-", stem.strip()).strip("-").lower()
    return slug[:60] or "document"


class Ingester:
    """One ingest run into a store; yields results as documents finish."""

    def __init__(self, store: Store, *, password: str | None = None, table: TableOptions | None = None,
                 force: bool = False, workers: int = 1, progress: bool = True, prune: bool = False,
                 max_mb: float = DEFAULT_MAX_MB, ocr: str | bool = False, executor: Executor | None = None) -> None:
        self.store = store
        #: when given (e.g. a Dask cluster), files are processed there in batches instead of in ``workers`` processes
        self.executor = executor
        self._claimed: set[str] = set()  # doc ids given to documents still being processed (not yet stored)
        self.password = password
        #: OCR the image-only pages of PDFs: False, or Tesseract's language(s) such as "nor+eng"
        self.ocr = ocr
        self.table = table or TableOptions()
        self.force = force
        self.workers = max(1, workers)
        self.progress = progress
        self.prune = prune
        self.max_bytes = int(max_mb * 1024 * 1024) if max_mb and max_mb > 0 else None
        self._sidecars: dict[Path, dict[str, dict]] = {}
        self._notes: list[str] = []  # sidecar problems, told with the next result
        self._seen = SeenKeys()  # source keys met in this run (files, table rows), on disk past a bound
        self._partial_tables: set[str] = set()  # tables read only in part: their unseen rows did not vanish
        self._tables_read: set[str] = set()  # tables read to their end: an unseen row of theirs is gone

    def _sidecar_for(self, path: Path) -> dict | None:
        from policytekst.sidecar import load_sidecar
        folder = path.parent.resolve()
        if folder not in self._sidecars:
            entries, problems = load_sidecar(folder)
            self._sidecars[folder] = entries
            self._notes.extend(problems)
        return self._sidecars[folder].get(str(path.resolve()))

    def run(self, paths: list[Path], on_result: Callable[[IngestResult], None] | None = None) -> dict[str, int]:
        """Ingest ``paths``; returns counts per status (``vanished``/``removed`` only when there are any)."""
        from policytekst.pipeline import PIPELINE_VERSION
        counts = dict.fromkeys(STATUSES, 0)
        with ingest_lock(self.store.directory):
            run_id = self.store.start_run({"paths": [display(p) for p in paths], "force": self.force,
                                           "workers": self.workers,
                                           "executor": self.executor.describe() if self.executor else "process",
                                           "pipeline_version": PIPELINE_VERSION,
                                           "table": asdict(self.table), "prune": self.prune})

            def tell(result: IngestResult) -> None:
                if self._notes:  # sidecar problems found while preparing this result
                    result.warnings[:0] = self._notes
                    self._notes = []
                counts[result.status] = counts.get(result.status, 0) + 1
                if result.status == "failed":
                    self.store.record_failure(run_id, result.path, result.error or "")
                if on_result:
                    on_result(result)

            console = Console(stderr=True)
            columns = (TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.description}"))
            unlisted: list[tuple[Path, str]] = []
            try:
                with Progress(*columns, console=console, disable=not self.progress, transient=True) as bar:
                    exclude = self.store.directory.resolve()
                    # Two walks instead of one list: the first only counts (for the progress bar), so memory does
                    # not grow with the number of files (a million paths held as Path objects is ~0.5 GB).
                    total = sum(1 for _ in discover(paths, exclude=exclude, unlisted=unlisted))
                    for folder, reason in unlisted:
                        tell(IngestResult(display(folder), "failed",
                                          error=f"{display(folder)}: folder cannot be listed ({reason}); "
                                                "its files were not ingested"))
                    task = bar.add_task("", total=total)
                    for result in self._results(discover(paths, exclude=exclude), bar, task):
                        tell(result)
                for result in self._vanished(paths, [folder for folder, _ in unlisted]):
                    tell(result)
            except sqlite3.OperationalError as exc:  # disk full, I/O error: the store cannot take more
                raise PolicytekstError(f"{self.store.path}: cannot write to the corpus ({exc}); the documents "
                                       "reported before this line are stored, run again when fixed") from exc
            if self._notes and on_result:  # sidecar problems with no result after them: told, not counted
                on_result(IngestResult(display(paths[-1]), "skipped", warnings=self._notes))
            self._seen.close()
            self.duplicates = self.store.update_duplicates()
            self.store.finish_run(run_id, counts)
        return counts

    def _vanished(self, paths: list[Path], unlisted: list[Path]) -> Iterator[IngestResult]:
        """Stored sources under the ingested paths that this run did not meet: deleted or renamed files, rows that
        left a table (or a table re-read with another --id-column). Reported; removed with ``prune``."""
        from policytekst.read import format_of
        roots = []
        for path in paths:
            try:
                resolved = display(path.resolve())
            except (OSError, RuntimeError):
                continue
            if path.is_dir():
                roots.append(resolved.rstrip(os.sep) + os.sep)
            elif format_of(path) == "table":
                roots.append(resolved + "#")
        if not roots:
            return
        blind = tuple(display(p.resolve()).rstrip(os.sep) + os.sep for p in unlisted)  # not seen is not gone
        gone = [(key, doc_id, path) for key, doc_id, path in self.store.source_keys()
                if key.startswith(tuple(roots)) and key not in self._seen and not key.startswith(blind or ("\0",))
                and not self._still_there(key)]
        if not gone:
            return
        if self.prune:
            self.store.remove_sources([key for key, _, _ in gone])
        for _key, doc_id, path in gone:
            if self.prune:
                yield IngestResult(path, "removed", doc_id=doc_id,
                                   warnings=["source no longer exists under the ingested paths: removed (--prune)"])
            else:
                yield IngestResult(path, "vanished", doc_id=doc_id,
                                   warnings=["source no longer exists under the ingested paths; still in the corpus "
                                             "(ingest again with --prune to remove it)"])

    def _still_there(self, key: str) -> bool:
        """Whether an unseen source may still exist: a file this walk skips (hidden, or named explicitly before),
        or a row of a table that was not read to its end in this run. Only what is surely gone is "vanished"."""
        if os.path.lexists(key):
            return True
        table, _, _ = key.rpartition("#")
        if not table:
            return False
        return table in self._partial_tables or (table not in self._tables_read and os.path.lexists(table))

    def _results(self, files: Iterable[tuple[Path, bool]], bar: Progress, task) -> Iterator[IngestResult]:
        if self.executor is not None:
            yield from self._batched_results(files, bar, task)
            return
        pool = _new_pool(self.workers) if self.workers > 1 else None
        pending: list[tuple[Path, str, str, bool, tuple, Future]] = []

        def collect(item: tuple[Path, str, str, bool, tuple, Future]) -> IngestResult:
            nonlocal pool
            p, d, h, u, args, fut = item
            self._claimed.discard(d)  # stored (or failed) below, before the next file is prepared
            try:
                fut.exception()  # wait; a worker that died (OOM killer, kill -9) breaks the whole pool
            except BrokenProcessPool:
                pass
            if not isinstance(fut.exception(), BrokenProcessPool):
                return self._finish(p, d, h, u, fut.result)
            # The dead worker may have held any of the pending files: give this one a fresh pool of its own; if
            # that breaks too it is the culprit. The other pending files are resubmitted to a fresh pool.
            pool.shutdown(wait=False, cancel_futures=True)
            alone = _new_pool(1)
            try:
                retry = alone.submit(_process_file, *args)
                try:
                    retry.exception()
                except BrokenProcessPool:
                    pass
                broken = isinstance(retry.exception(), BrokenProcessPool)
            finally:
                alone.shutdown(wait=True, cancel_futures=True)
            pool = _new_pool(self.workers)
            for index, (p2, d2, h2, u2, args2, _) in enumerate(pending):
                pending[index] = (p2, d2, h2, u2, args2, submit_to_pool(pool, _process_file, *args2))
            if broken:
                return IngestResult(display(p), "failed", error=f"{display(p)}: the worker reading it died "
                                    "(out of memory or killed); the other files go on")
            return self._finish(p, d, h, u, retry.result)

        try:
            for path, explicit in files:
                bar.update(task, description=display(path.name)[:40])
                result, job = self._prepare(path, explicit, bar)
                if result is not None:
                    bar.advance(task)
                    yield result
                    continue
                if job is None:  # a table: rows were handled inline
                    continue
                doc_id, digest, updated, sidecar = job
                args = (str(path), self.password, doc_id, sidecar, digest, self.max_bytes, self.ocr)
                if pool is None:
                    yield self._finish(path, doc_id, digest, updated, partial(_process_file, *args))
                    bar.advance(task)
                    continue
                self._claimed.add(doc_id)  # two new files with one stem in flight must not get the same id
                pending.append((path, doc_id, digest, updated, args, submit_to_pool(pool, _process_file, *args)))
                while len(pending) >= 2 * self.workers:  # bounded in-flight work keeps memory flat
                    yield collect(pending.pop(0))
                    bar.advance(task)
            while pending:
                yield collect(pending.pop(0))
                bar.advance(task)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)

    def _prepare(self, path: Path, explicit: bool, bar: Progress):
        """Decide what to do with one path: an immediate result, a table (handled here), or a job to process."""
        from policytekst.pipeline import content_hash
        from policytekst.read import format_of
        from policytekst.sidecar import is_sidecar
        name = display(path)
        try:
            source_key = str(path.resolve())
            info = path.stat()  # follows symlinks: a link to /dev/zero is judged by what it points at
        except FileNotFoundError:
            return IngestResult(name, "failed", error=f"{name}: no such file or directory"), None
        except (OSError, RuntimeError) as exc:  # permission on a parent folder, a symlink loop
            return IngestResult(name, "failed", error=f"{name}: cannot be read ({_reason(exc)})"), None
        self._seen.add(source_key)
        if not stat.S_ISREG(info.st_mode):
            # a named pipe would block the read for ever, a device read until memory is gone
            return IngestResult(name, "skipped", error=f"{name}: not a regular file ({_file_kind(info.st_mode)}), "
                                "not read"), None
        if source_key != display(source_key):
            # kept under an escaped name (stored text must be valid UTF-8), so the user can find and rename it
            source_key = display(source_key)
            self._seen.add(source_key)
        if is_sidecar(path):
            return IngestResult(name, "skipped", warnings=["metadata sidecar (applied to its folder)"]), None
        if not explicit and path.stem.upper() in ("README", "LESMEG"):  # a folder's notes about itself
            return IngestResult(name, "skipped", warnings=["folder README (documentation, not a document)"]), None
        fmt = format_of(path)
        if fmt is None:
            status = "failed" if explicit else "skipped"
            return IngestResult(name, status, error=f"{name}: unsupported format "
                                f"'{display(path.suffix) or '(no extension)'}'"), None
        if fmt == "table":
            return self._ingest_table(path, bar), None
        if self.max_bytes is not None and info.st_size > self.max_bytes:
            return IngestResult(name, "failed", error=f"{name}: file too large ({info.st_size / 2**20:.0f} MB; "
                                f"the limit is {self.max_bytes / 2**20:.0f} MB, raise it with --max-mb)"), None
        try:
            data = path.read_bytes()
        except OSError as exc:
            return IngestResult(name, "failed", error=f"{name}: cannot be read ({_reason(exc)})"), None
        sidecar = self._sidecar_for(path)
        # OCR changes what is read from a scanned PDF: a file first ingested without it is not "unchanged"
        digest = content_hash(data, {**(sidecar or {}), "__ocr__": self.ocr} if self.ocr and fmt == "pdf" else sidecar)
        known = self.store.known_hash(source_key)
        if known and known[1] == digest and not self.force:
            return IngestResult(name, "unchanged", doc_id=known[0]), None
        doc_id = known[0] if known else self.store.free_doc_id(_slug(path.stem), source_key, self._claimed)
        return None, (doc_id, digest, known is not None, sidecar)

    def _batched_results(self, files: Iterable[tuple[Path, bool]], bar: Progress, task) -> Iterator[IngestResult]:
        """Files processed on ``self.executor`` in batches of BATCH, stored here one transaction each, and told in
        input order, so the corpus and the results are the same as from one process.

        At most two batches per worker are in flight, and results wait in order behind them: memory stays flat.
        """
        executor = self.executor
        assert executor is not None
        from policytekst.read import format_of
        order: deque[IngestResult | tuple[_Batch, int]] = deque()  # told in this order
        batch = _Batch()
        in_flight = 0

        def send() -> None:
            nonlocal batch, in_flight
            batch.submit(executor)
            in_flight += 1
            batch = _Batch()

        def tell_head() -> IngestResult:
            nonlocal in_flight
            entry = order.popleft()
            if isinstance(entry, IngestResult):
                return entry
            owner, index = entry
            if not owner.sent:  # the batch being filled (all before it are sent): send it before waiting for it
                send()
            if owner.outcomes is None:
                owner.resolve(executor)
                in_flight -= 1
            path, doc_id, digest, updated, _args = owner.jobs[index]
            processed, error = owner.outcomes[index]
            owner.outcomes[index] = (None, None)  # the writer holds one finished document at a time

            def compute() -> ProcessedDocument:
                if error is not None:
                    raise error
                return processed

            try:
                return self._finish(path, doc_id, digest, updated, compute)
            finally:
                self._claimed.discard(doc_id)

        def ready() -> bool:
            head = order[0]
            return isinstance(head, IngestResult) or (head[0].sent and head[0].done())

        for path, explicit in files:
            bar.update(task, description=display(path.name)[:40])
            if format_of(path) == "table":  # its rows are stored right here: the files before it go first
                while order:
                    yield tell_head()
                    bar.advance(task)
            result, job = self._prepare(path, explicit, bar)
            if result is not None:
                order.append(result)
            elif job is not None:
                doc_id, digest, updated, sidecar = job
                self._claimed.add(doc_id)
                args = (str(path), self.password, doc_id, sidecar, digest, self.max_bytes, self.ocr)
                order.append((batch, len(batch.jobs)))
                batch.jobs.append((path, doc_id, digest, updated, args))
                if len(batch.jobs) >= BATCH:
                    send()
            # bounded: block on the oldest batch when enough are in flight or too many results wait behind it
            while order and (in_flight >= 2 * executor.slots or len(order) > 64 * BATCH or ready()):
                yield tell_head()
                bar.advance(task)
        while order:
            yield tell_head()
            bar.advance(task)

    def _finish(self, path: Path, doc_id: str, digest: str, updated: bool, compute) -> IngestResult:
        from policytekst.read import ReadError
        name = display(path)
        try:
            processed = compute()
        except ReadError as exc:
            return IngestResult(name, "failed", error=f"{name}: {exc}")
        except MemoryError:
            return IngestResult(name, "failed", error=f"{name}: out of memory while reading it")
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
            return IngestResult(name, "failed", error=f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
        if processed.doc.n_passages == 0:
            return IngestResult(name, "failed", error=f"{name}: no text passages after cleaning",
                                warnings=processed.doc.warnings)
        source_key = display(path.resolve())
        warnings = list(processed.doc.warnings)
        if not updated:
            same = self.store.sources_with_hash(digest, source_key)
            if same:
                warnings.append(f"same content as {same[0][0]} ({same[0][1]}), already in the corpus: a copy or a "
                                "renamed file? (--prune removes sources that no longer exist)")
        self.store.write_document(processed, source_key)
        return IngestResult(name, "updated" if updated else "added", doc_id=doc_id, warnings=warnings)

    def _ingest_table(self, path: Path, bar: Progress) -> IngestResult:
        """Every row of a table of texts is a document; the table's result counts them ("N rows stored, M failed").

        Rows are decided in table order (unchanged, or which doc_id), processed (in worker processes with
        ``workers`` > 1, a chunk of rows per task) and written in table order, TABLE_BATCH rows per commit. Rows
        decided but not yet written are remembered, so the decisions are those of a row-by-row ingest.
        """
        from policytekst.pipeline import content_hash
        from policytekst.read import ReadError, iter_table
        rows = {s: 0 for s in ("added", "updated", "unchanged", "failed")}
        warnings: list[str] = []
        told = 0  # row problems told one by one; the rest are counted
        copies = {"count": 0, "first": ""}  # new rows whose content is already stored under another source
        name = display(path)
        stack = ExitStack()
        row_task = bar.add_task(f"rows of {display(path.name)}", total=None)
        table_key = display(path.resolve())
        # rows decided and not yet written: what the store will know once they are (source -> (doc_id, hash))
        waiting_sources: dict[str, tuple[str, str]] = {}
        waiting_ids: dict[str, str] = {}
        waiting_hashes: dict[str, str] = {}
        chunk: list[_RowJob] = []
        in_flight: list[tuple[list[_RowJob], Future | None]] = []
        pool = _new_pool(self.workers) if self.workers > 1 else None
        if pool is not None:
            stack.callback(pool.shutdown, cancel_futures=True)
        # without workers each row is processed and written before the next is decided: a row-by-row ingest
        per_task = ROWS_PER_TASK if pool is not None else 1

        def problem(text: str) -> None:
            nonlocal told
            if told < 20:
                warnings.append(text)
                told += 1

        def known_hash(source_key: str) -> tuple[str, str] | None:
            return waiting_sources.get(source_key) or self.store.known_hash(source_key)

        def free_doc_id(wanted: str, source_key: str) -> str:
            holder = waiting_ids.get(wanted)
            if holder is not None:
                return wanted if holder == source_key else self.store.suffixed_doc_id(wanted, source_key)
            return self.store.free_doc_id(wanted, source_key)

        def write(jobs: list[_RowJob], outcomes: list) -> None:
            for job, outcome in zip(jobs, outcomes, strict=True):
                if isinstance(outcome, str):  # the row's processing failed: its message
                    rows["failed"] += 1
                    problem(f"row {job.row} ({job.row_id}): {outcome}")
                else:
                    if job.copy_of:
                        copies["count"] += 1
                        copies["first"] = copies["first"] or job.copy_of
                    if batch.written >= TABLE_BATCH:
                        batch.commit()
                    self.store.write_document(outcome, job.source_key)
                    rows["updated" if job.known else "added"] += 1
                waiting_sources.pop(job.source_key, None)
                if waiting_ids.get(job.doc_id) == job.source_key:
                    del waiting_ids[job.doc_id]
                if waiting_hashes.get(job.digest) == job.source_key:
                    del waiting_hashes[job.digest]

        def send(jobs: list[_RowJob]) -> None:
            in_flight.append((jobs, submit_to_pool(pool, _process_rows, jobs) if pool is not None else None))
            while in_flight and (pool is None or len(in_flight) > 2 * self.workers):  # bounded work in flight
                finish(*in_flight.pop(0))

        def finish(jobs: list[_RowJob], future: Future | None) -> None:
            outcomes = None
            if future is not None:
                try:
                    outcomes = future.result()
                except BrokenProcessPool:  # a worker died: these rows are processed here instead
                    outcomes = None
            write(jobs, outcomes if outcomes is not None else _process_rows(jobs))

        try:
            table_defaults = self._sidecar_for(path) or {}
            batch = stack.enter_context(self.store.batch())  # commits every TABLE_BATCH rows, and on leaving
            for raw in iter_table(path, **asdict(self.table)):
                bar.advance(row_task)
                raw.source = display(raw.source)
                source_key = table_key + "#" + (raw.doc_id or "")
                self._seen.add(source_key)
                for note in raw.warnings:
                    problem(note)
                text = raw.pages[0].text
                if not text.strip():
                    rows["failed"] += 1
                    problem(f"row {raw.facts['row']} ({raw.doc_id}): empty text cell")
                    continue
                defaults = {k: v for k, v in table_defaults.items() if k not in raw.meta}
                payload = json.dumps([text, raw.meta, defaults], ensure_ascii=False, sort_keys=True, default=str)
                digest = content_hash(payload.encode())
                known = known_hash(source_key)
                if known and known[1] == digest and not self.force:
                    rows["unchanged"] += 1
                    continue
                doc_id = known[0] if known else free_doc_id(raw.doc_id or _slug(path.stem), source_key)
                copy_of = None
                if not known:
                    waiting = waiting_hashes.get(digest)
                    if waiting is not None and waiting != source_key:
                        copy_of = waiting_sources[waiting][0]
                    else:
                        same = self.store.sources_with_hash(digest, source_key)
                        copy_of = same[0][0] if same else None
                chunk.append(_RowJob(raw, doc_id, defaults or None, digest, source_key, known is not None, copy_of,
                                     raw.facts["row"], raw.doc_id))
                waiting_sources[source_key] = (doc_id, digest)
                waiting_ids.setdefault(doc_id, source_key)
                waiting_hashes.setdefault(digest, source_key)
                if len(chunk) >= per_task:
                    send(chunk)
                    chunk = []
            if chunk:
                send(chunk)
                chunk = []
            while in_flight:
                finish(*in_flight.pop(0))
        except ReadError as exc:
            # the rows before the fault are stored; the rows after it were never read, so none of them vanished
            while in_flight:
                finish(*in_flight.pop(0))
            if chunk:
                write(chunk, _process_rows(chunk))
            self._partial_tables.add(table_key)
            stored = rows["added"] + rows["updated"] + rows["unchanged"]
            error = f"{name}: {exc}"
            if stored or rows["failed"]:
                error += f"; {stored} rows stored, {rows['failed']} failed before reading stopped"
            return IngestResult(name, "failed", error=error, warnings=warnings, rows=rows)
        finally:
            stack.close()  # the last rows' commit (also when reading stopped), then the workers' end
            bar.remove_task(row_task)
        self._tables_read.add(table_key)
        if copies["count"]:
            warnings.append(f"{copies['count']} new rows have the same content as documents already in the corpus "
                            f"(e.g. {copies['first']}): the table ingested before under other row ids (--id-column)? "
                            "--prune removes the rows that are gone")
        if rows["failed"] > told:
            warnings.append(f"... and {rows['failed'] - told} more rows failed")
        if rows["failed"]:
            stored = rows["added"] + rows["updated"] + rows["unchanged"]
            warnings.append(f"{stored} rows stored, {rows['failed']} failed")
        if not any(rows.values()):
            return IngestResult(name, "failed", error=f"{name}: no rows (the table has only its header)",
                                warnings=warnings, rows=rows)
        status = ("added" if rows["added"] else "updated" if rows["updated"] else
                  "unchanged" if rows["unchanged"] else "failed")
        error = f"{name}: no row could be stored ({rows['failed']} failed)" if status == "failed" else None
        return IngestResult(name, status, warnings=warnings, rows=rows, error=error)


@dataclass
class _RowJob:
    """One table row decided and waiting to be processed and written."""

    raw: Any
    doc_id: str
    defaults: dict | None
    digest: str
    source_key: str
    known: bool
    copy_of: str | None  # the stored (or waiting) document with the same content, for the warning
    row: Any
    row_id: str | None


def _process_rows(jobs: list[_RowJob]) -> list:
    """Worker body for table rows (pure; runs in any process): each row's ProcessedDocument, or the one-line
    reason its processing failed."""
    from policytekst.pipeline import process

    out: list = []
    for job in jobs:
        try:
            out.append(process(job.raw, job.doc_id, job.defaults, content_hash=job.digest))
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the table
            out.append(f"{type(exc).__name__}: {str(exc)[:160]}")
    return out


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "not a plain file"
