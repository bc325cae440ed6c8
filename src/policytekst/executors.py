"""Where per-document work runs: in this process, a local process pool, or a Dask cluster.

The pure per-document functions (read, clean, segment, describe, lemmatise) are sent in batches to an
:class:`Executor`; the results come back in submission order, with a bounded number of batches in flight so memory
stays flat however large the corpus. Only the caller (the single writer) touches the store.

``dask[distributed]`` is the optional ``[dask]`` extra: :func:`make_executor` asks whether it is installed and
says in one line what to install when it is not. Without a scheduler address a :class:`DaskExecutor` starts a
LocalCluster of worker processes; with one (``tcp://host:8786``) it joins an existing cluster, whose workers must
have policytekst installed and see the files under the same paths.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from policytekst.errors import PolicytekstError, UsageError

EXECUTORS = ("process", "dask")
DASK_HINT = "pip install 'policytekst[dask]' (or: pip install 'dask[distributed]')"


class Pending(Protocol):
    """What ``submit`` returns: a concurrent.futures or a distributed future."""

    def result(self, timeout: float | None = None) -> Any: ...


class Executor:
    """Runs ``fn(*args)`` somewhere; ``slots`` is how many calls can run at once."""

    name = "serial"
    slots = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller at .result(), like a pool would
            future.set_exception(exc)
        return future

    def lost_worker(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the process running the call died (killed, out of memory), not the call failed."""
        return False

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any], window: int | None = None) -> Iterator[Any]:
        """``fn(item)`` for each item, in order, with at most ``window`` (default 2 per slot) calls in flight."""
        limit = window or 2 * self.slots
        pending: deque[Pending] = deque()
        for item in items:
            pending.append(self.submit(fn, item))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name} ({self.slots} worker{'s' if self.slots != 1 else ''})"


def submit_to_pool(pool: ProcessPoolExecutor, fn: Callable[..., Any], *args: Any) -> Future:
    """``pool.submit(fn, *args)``; a pool a dead worker has already broken gives a future holding that error
    instead of raising it, so the caller retries the call (or does it itself) like the calls the dead worker held.
    """
    try:
        return pool.submit(fn, *args)
    except BrokenProcessPool as exc:
        broken: Future = Future()
        broken.set_exception(exc)
        return broken


class ProcessExecutor(Executor):
    """A local pool of ``workers`` processes (``spawn``: they inherit no open files, such as the ingest lock)."""

    name = "process"

    def __init__(self, workers: int) -> None:
        self.slots = max(1, workers)
        self._pool = ProcessPoolExecutor(self.slots, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        return submit_to_pool(self._pool, fn, *args)

    def lost_worker(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster of ``workers`` processes, or the existing cluster at ``scheduler``."""

    name = "dask"

    def __init__(self, workers: int = 1, scheduler: str | None = None, *, connect_timeout: float = 20) -> None:
        require_dask()
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            if "://" not in scheduler and ":" not in scheduler:
                raise UsageError(f"--scheduler {scheduler!r}: give the scheduler's address, e.g. tcp://host:8786")
            try:
                self.client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise PolicytekstError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); is it running, "
                                       "and is the address right?") from exc
        else:
            # one thread per worker process: the pipeline is pure Python (GIL-bound), so processes give parallelism
            # no dashboard; the scheduler's small HTTP server (health checks) binds to 127.0.0.1 and takes another
            # port when 8787 is busy: its warning about that is noise on the command line
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Port .* is already in use")
                self._cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self._cluster, set_as_default=False)
        threads = self.client.nthreads()
        self.slots = max(1, sum(threads.values()) if threads else workers)
        self.scheduler = self.client.scheduler.address

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        return self.client.submit(fn, *args, pure=False)  # pure=False: the same batch twice is two tasks

    def lost_worker(self, exc: BaseException) -> bool:
        from distributed import KilledWorker

        return isinstance(exc, KilledWorker)

    def worker_peaks_mb(self) -> dict[str, float]:
        """Peak resident memory of each worker process (MB), measured by the worker itself."""
        return self.client.run(_peak_rss_mb)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> str:
        where = "LocalCluster" if self._cluster is not None else self.scheduler
        return f"dask {where} ({self.slots} worker thread{'s' if self.slots != 1 else ''})"


def _peak_rss_mb() -> float:
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux


def dask_installed() -> bool:
    # asked, not imported in a try block: importing distributed takes a second and starts nothing we need yet
    return importlib.util.find_spec("distributed") is not None and importlib.util.find_spec("dask") is not None


def require_dask() -> None:
    if not dask_installed():
        raise UsageError(f"--executor dask needs the [dask] extra, which is not installed: {DASK_HINT}")


def check_executor(kind: str, scheduler: str | None = None) -> None:
    """Refuse an unknown executor, a scheduler without Dask, or Dask without its extra, before anything starts."""
    if kind not in EXECUTORS:
        raise UsageError(f"unknown executor {kind!r} (known: {', '.join(EXECUTORS)})")
    if scheduler and kind != "dask":
        raise UsageError("--scheduler is the address of a Dask cluster: use it with --executor dask")
    if kind == "dask":
        require_dask()


def make_executor(kind: str = "process", workers: int = 1, scheduler: str | None = None) -> Executor:
    """The executor named ``kind``: "process" (serial for one worker) or "dask"."""
    check_executor(kind, scheduler)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    return ProcessExecutor(workers) if workers > 1 else Executor()
