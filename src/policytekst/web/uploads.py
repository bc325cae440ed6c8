"""Adding documents from the browser: safe file names under ``<corpus>/uploads/``, ingest in the background.

An upload is stored under a name made from the client's file name (its last path part, reduced to letters, digits,
``-``, ``_`` and ``.``; never a path the client chose), refused when its suffix is not one the readers know or it is
larger than the limit, and then ingested by the same pipeline as `policytekst ingest` (:meth:`Corpus.ingest`) in a
thread with its own connection, so pages keep answering. The job records each file's result as it comes, which the
upload page polls.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from policytekst.corpus import Corpus
from policytekst.errors import UnknownNameError, UsageError

ALLOWED_SUFFIXES = (".pdf", ".html", ".htm", ".txt", ".md", ".docx", ".csv")
CHUNK = 1 << 20


def safe_name(filename: str | None) -> str:
    """A file name that cannot leave the upload folder: last path part only, harmless characters, no dot-files."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = re.sub(r"[^\w.-]+", "_", base, flags=re.UNICODE).lstrip(".")
    return base[:120] or "upload"


async def save_upload(item: UploadFile, folder: Path, max_bytes: int) -> Path:
    """Store one uploaded file in ``folder``; UsageError (nothing left behind) for a bad type or a too-large file."""
    name = safe_name(item.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UsageError(f"{item.filename}: files of type {suffix or '(none)'} are not accepted "
                         f"(allowed: {', '.join(ALLOWED_SUFFIXES)})")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    n = 1
    while target.exists():  # never overwrite an earlier upload
        target = folder / f"{Path(name).stem}-{n}{suffix}"
        n += 1
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with open(partial, "wb") as out:
            while chunk := await item.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UsageError(f"{item.filename}: larger than the limit of {max_bytes / 2**20:.0f} MB")
                out.write(chunk)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass
class UploadJob:
    """One upload's ingest: per-file results (the records of `policytekst ingest --json`) as they arrive."""

    job_id: str
    paths: list[str]
    refused: list[str]
    results: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "files": self.paths, "refused": self.refused, "results": list(self.results),
                "done": self.done, "error": self.error, "n_done": len(self.results), "n_files": len(self.paths)}


class UploadJobs:
    """Background ingests of uploaded files, one at a time (the store has one writer)."""

    def __init__(self, corpus_dir: Path, *, include_duplicates: bool = False) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.include_duplicates = include_duplicates
        self._jobs: dict[str, UploadJob] = {}
        self._writer = threading.Lock()

    def start(self, paths: list[Path], refused: list[str]) -> UploadJob:
        job = UploadJob(secrets.token_hex(8), [p.name for p in paths], refused)
        self._jobs[job.job_id] = job
        if not paths:
            job.done = True
            return job
        threading.Thread(target=self._run, args=(job, paths), daemon=True, name=f"ingest-{job.job_id}").start()
        return job

    def get(self, job_id: str) -> UploadJob:
        if job_id not in self._jobs:
            raise UnknownNameError(f"no upload job {job_id!r}")
        return self._jobs[job_id]

    def _run(self, job: UploadJob, paths: list[Path]) -> None:
        def on_result(result: Any) -> None:
            record = result.to_dict() if hasattr(result, "to_dict") else dict(vars(result))
            record["path"] = Path(str(record.get("path", ""))).name  # the page shows names, not server paths
            job.results.append(record)

        try:
            with self._writer, Corpus.open(self.corpus_dir, include_duplicates=self.include_duplicates) as corpus:
                corpus.ingest(paths, progress=False, on_result=on_result)
                for record in job.results:  # duplicates are found as documents are stored: say so per file
                    doc = corpus.store.document(record["doc_id"]) if record.get("doc_id") else None
                    record["duplicate_of"] = doc.duplicate_of if doc is not None else None
        except Exception as exc:  # shown on the page; the server keeps running
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.done = True
