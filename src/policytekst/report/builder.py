"""Build the report: run each section, write ``index.html``, one CSV per table and ``params.json``.

The output folder is self-contained: ``index.html`` holds its styling and plots (inline SVG) and opens from disk;
``tables/`` holds every table behind a plot or list as CSV; ``params.json`` records parameters, versions, seeds,
the corpus generation and each section's status.

The folder is written whole to a temporary sibling and renamed into place, so an interrupted build (kill -9, disk
full) leaves the previous report as it was, never an old ``index.html`` beside half-new tables. A folder that holds
other files than a report's is not replaced: the report's files are then each replaced in place, index last.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policytekst.corpus import Corpus
from policytekst.errors import UnknownNameError
from policytekst.report import html as h
from policytekst.report import links
from policytekst.report.base import NotEnoughData, ReportContext, ReportParams, Section
from policytekst.report.sections import keyness, overview, provenance, similarity, themes, topics
from policytekst.tables import spreadsheet_safe
from policytekst.versions import versions

# Order of the report, with bilingual titles (used also when a section cannot be built).
SECTIONS: dict[str, tuple[str, str, Callable[[ReportContext], Section]]] = {
    overview.KEY: ("Korpusoversikt", "Corpus overview", overview.build),
    themes.KEY: ("Temaer over tid", "Theme prevalence by year", themes.build),
    topics.KEY: ("Emner (topic-modell)", "Topics", topics.build),
    topics.TRENDS_KEY: ("Emner over tid", "Topic prevalence over time", topics.build_trends),
    keyness.KEY: ("Nøkkelord før og etter", "Keyness before/after a year", keyness.build),
    similarity.KEY: ("Dokumentlikhet", "Document similarity map", similarity.build),
    themes.EXAMPLES_KEY: ("Eksempelavsnitt per tema", "Example passages per theme", themes.build_examples),
}
SECTION_KEYS = (*SECTIONS, provenance.KEY)
# What a report folder holds: a folder with only these may be replaced whole by a new report.
REPORT_FILES = frozenset({"index.html", "params.json", "errors.log", "tables"})


@dataclass
class ReportResult:
    """Where the report went and how each section fared."""

    path: Path
    out_dir: Path
    sections: list[Section] = field(default_factory=list)
    seconds: float = 0.0
    tables: list[Path] = field(default_factory=list)

    def status(self) -> dict[str, str]:
        return {s.key: s.status for s in self.sections}

    def to_dict(self) -> dict[str, Any]:
        return {"report": str(self.path), "seconds": round(self.seconds, 2), "sections": self.status(),
                "notes": {s.key: s.note for s in self.sections if s.note},
                "tables": [str(p) for p in self.tables]}


def _run(key: str, build: Callable[[ReportContext], Section], ctx: ReportContext, strict: bool,
         log: list[str]) -> Section:
    title_nb, title_en, _ = SECTIONS[key]
    started = time.perf_counter()
    try:
        # a section reads all passages more than once (examples: once per theme): from the database only once
        with getattr(ctx.corpus, "reading", nullcontext)():
            section = build(ctx)
    except NotEnoughData as exc:
        section = Section(key, title_nb, title_en, status="empty", note=str(exc))
        section.html = h.notice(f"For lite materiale · not enough data: {exc}")
    except Exception as exc:  # a failing analysis must not take the whole report down, but it must show
        if strict:
            raise
        log.append(f"[{key}]\n{traceback.format_exc()}")
        section = Section(key, title_nb, title_en, status="failed", note=f"{type(exc).__name__}: {exc}")
        section.html = h.notice(f"Denne delen feilet · this section failed: {type(exc).__name__}: {exc} "
                                "(detaljer i errors.log)", failed=True)
    section.seconds = time.perf_counter() - started
    return section


def build_report(corpus: Any, out_dir: str | Path, params: ReportParams | None = None, *,
                 strict: bool = False, progress: bool = False) -> ReportResult:
    """Build the HTML report of a corpus into ``out_dir`` (created if needed).

    Parameters
    ----------
    corpus : a :class:`policytekst.Corpus` or the path of a corpus directory.
    out_dir : folder for ``index.html``, ``tables/*.csv``, ``params.json`` (and ``errors.log`` if a part failed).
    params : analysis parameters (K, seed, split year, ...); defaults are deterministic.
    strict : raise the first error of a section instead of reporting it inside the page.
    progress : show a progress bar on stderr.

    Returns
    -------
    ReportResult with the path of ``index.html`` and each section's status.

    Examples
    --------
    >>> from policytekst import Corpus                                                   # doctest: +SKIP
    >>> result = build_report(Corpus.open("build/demo/corpus"), "build/demo/report")    # doctest: +SKIP
    >>> result.status()["overview"]                                                      # doctest: +SKIP
    'ok'
    """
    params = params or ReportParams()
    owned = not hasattr(corpus, "passages_frame")
    if owned:
        corpus = Corpus.open(corpus)
    wanted = params.sections or tuple(SECTIONS)
    unknown = [k for k in wanted if k not in SECTION_KEYS]
    if unknown:
        raise UnknownNameError(f"unknown report section(s): {', '.join(unknown)} (known: {', '.join(SECTION_KEYS)})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out}: the report folder is a file; give a folder name")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ctx = ReportContext(corpus=corpus, params=params, out_dir=out)
    log: list[str] = []
    sections: list[Section] = []
    try:
        keys = [k for k in SECTIONS if k in wanted]
        if progress:
            from rich.console import Console
            from rich.progress import Progress

            with Progress(console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("report", total=len(keys))
                for key in keys:
                    bar.update(task, description=f"report: {key}")
                    sections.append(_run(key, SECTIONS[key][2], ctx, strict, log))
                    bar.advance(task)
        else:
            sections.extend(_run(key, SECTIONS[key][2], ctx, strict, log) for key in keys)
        if links.has_links(ctx):
            started_links = time.perf_counter()
            behind = links.build(ctx, {k: v[0] for k, v in SECTIONS.items()})
            behind.seconds = time.perf_counter() - started_links
            sections.append(behind)
        record = _record(ctx, sections)
        last = provenance.build(ctx, sections, record)
        sections.append(last)
        result = _write(ctx, sections, record, log)
    finally:
        if owned:
            corpus.close()
    result.seconds = time.perf_counter() - started
    return result


def _record(ctx: ReportContext, sections: list[Section]) -> dict[str, Any]:
    status = ctx.corpus.status()
    params = ctx.params.to_dict()
    # the values the numbers were made with, not the defaults asked for: None means "let the code choose", and a
    # reader of params.json must see what it chose (engine, split year, sections)
    requested = {k: v for k, v in params.items() if v is None}
    if "topic_engine" in ctx.cache:
        params["engine"] = ctx.cache["topic_engine"]
    if ctx.cache.get("split_year") is not None:
        params["split_year"] = ctx.cache["split_year"]
    params["sections"] = [s.key for s in sections]
    record: dict[str, Any] = {
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "params": params,
        "left_to_defaults": sorted(k for k in requested if params.get(k) is not None),
        "versions": versions(),
        "corpus": {"path": str(Path(ctx.corpus.directory).resolve()), "documents": status["documents"],
                   "passages": status["passages"], "words": status["words"], "generation": status["generation"]},
        "sections": {s.key: {"status": s.status, "note": s.note, "seconds": round(s.seconds, 3)} for s in sections},
    }
    if "split_year" in ctx.cache:
        record["split_year_used"] = ctx.cache["split_year"]
    if "topic_model_facts" in ctx.cache:
        record["topic_model"] = ctx.cache["topic_model_facts"]
    return record


def _write(ctx: ReportContext, sections: list[Section], record: dict[str, Any], log: list[str]) -> ReportResult:
    out = ctx.out_dir
    # mkdir, not mkdtemp: the folder becomes the report and keeps the user's usual permissions (umask)
    stage = out.parent / f".{out.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    stage.mkdir()
    try:
        tables = _write_files(ctx, stage, sections, record, log)
        if _replaceable(out):
            _swap(stage, out)
        else:
            _merge(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return ReportResult(path=out / "index.html", out_dir=out, sections=sections,
                        tables=[out / "tables" / t.name for t in tables])


def _replaceable(out: Path) -> bool:
    """True when ``out`` is missing or holds nothing but an earlier report (safe to replace whole)."""
    if not out.exists():
        return True
    return all(p.name in REPORT_FILES for p in out.iterdir())


def _swap(stage: Path, out: Path) -> None:
    """Put the finished ``stage`` folder at ``out``; the old report is moved aside first and removed after."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _merge(stage: Path, out: Path) -> None:
    """Move the report's files into a folder that also holds other files: tables first, index.html last."""
    (out / "tables").mkdir(parents=True, exist_ok=True)
    for stale in (out / "tables").glob("*.csv"):  # tables of an earlier run that this run may not produce
        if not (stage / "tables" / stale.name).exists():
            stale.unlink()
    for table in (stage / "tables").glob("*.csv"):
        os.replace(table, out / "tables" / table.name)
    if not (stage / "errors.log").exists():
        (out / "errors.log").unlink(missing_ok=True)
    for name in ("errors.log", "params.json", "index.html"):
        if (stage / name).exists():
            os.replace(stage / name, out / name)


def _write_files(ctx: ReportContext, out: Path, sections: list[Section], record: dict[str, Any],
                 log: list[str]) -> list[Path]:
    """Write the report's files into ``out`` (the staging folder); returns the table paths there."""
    (out / "tables").mkdir(parents=True, exist_ok=True)
    tables = []
    for section in sections:
        for name, frame in section.tables.items():
            path = out / "tables" / ctx.csv_name(section.key, name)
            # captured text (titles, genres, key terms) must not run as a formula in a spreadsheet
            spreadsheet_safe(frame).to_csv(path, index=False)
            tables.append(path)
    body = "\n".join(h.section_html(s.key, s.title_nb, s.title_en, s.html, status=s.status) for s in sections)
    toc = [(s.key, s.title_nb) for s in sections]
    corpus = record["corpus"]
    where = Path(corpus["path"])
    # "build/demo/corpus" is better called "demo": the folder name "corpus" says nothing.
    name = where.parent.name if where.name.lower() in ("corpus", "korpus") and where.parent.name else where.name
    title = ctx.params.title or f"Korpusrapport: {name}"
    subtitle = [f"{corpus['documents']:,} dokumenter, {corpus['passages']:,} tekstavsnitt, {corpus['words']:,} ord"
                .replace(",", "\u202f"),
                f"Korpus: {corpus['path']} · generasjon {corpus['generation']} · bygget {record['built']}"]
    missing = [s.title_nb for s in sections if s.status == "failed"]
    if missing:
        subtitle.append("Ikke med i denne rapporten: " + ", ".join(missing))
    page = h.page_html(title, subtitle, toc, body,
                       footer=f"policytekst {record['versions'].get('policytekst', '')} · frø {ctx.params.seed}")
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    (out / "params.json").write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if log:
        (out / "errors.log").write_text("\n".join(log), encoding="utf-8")
    return tables
