"""What every report section shares: parameters, the build context, the section result, availability checks.

A section is a small function ``(ctx) -> Section``: HTML plus the tables behind it. A section whose analysis is
not installed raises :class:`Unavailable` (the report then says so plainly instead of showing made-up content).
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from policytekst.model import ANALYSIS_KINDS


@dataclass
class ReportParams:
    """Everything that decides the report's numbers; recorded in the report and in ``params.json``.

    Parameters
    ----------
    split_year : first year of the "after" group in the keyness comparison; None picks the year that splits the
        corpus's words most evenly.
    k : number of topics.
    engine : topic model engine (None = the topics package's default).
    seed : random seed for topic models, bootstraps and layouts.
    n_boot : bootstrap resamples for confidence intervals.
    theme_method : "codebook" (dictionary hits, traceable) or "model" (the shipped classifier).
    n_examples : example passages per theme / topic.
    n_terms : terms per topic and per keyness side.
    sections : which sections to build (None = all).
    """

    split_year: int | None = None
    k: int = 10
    engine: str | None = None
    seed: int = 0
    n_boot: int = 1000
    theme_method: str = "codebook"
    n_examples: int = 3
    n_terms: int = 12
    sections: tuple[str, ...] | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sections"] = list(self.sections) if self.sections else None
        return data


class Unavailable(Exception):
    """The analysis behind a section is not part of this installation (yet)."""


class NotEnoughData(Exception):
    """The corpus is too small or too thin for this analysis (a fact about the data, not a bug)."""


def require(module: str, *names: str) -> Any:
    """Import ``names`` from ``module`` or raise :class:`Unavailable` naming what is missing."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not available ({exc})") from exc
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise Unavailable(f"{module} does not provide {', '.join(missing)} yet")
    values = [getattr(mod, n) for n in names]
    return values[0] if len(values) == 1 else values


@dataclass
class Section:
    """One built section: its HTML, the tables behind it (name -> DataFrame), and how it went."""

    key: str
    title_nb: str
    title_en: str
    html: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    status: str = "ok"  # ok | empty | unavailable | failed
    note: str = ""
    seconds: float = 0.0
    figures: int = 0


@dataclass
class ReportContext:
    """The corpus, the parameters and results shared between sections (computed once, used by several)."""

    corpus: Any
    params: ReportParams
    out_dir: Path
    cache: dict[str, Any] = field(default_factory=dict)

    def passages(self) -> pd.DataFrame:
        """Analysis passages with document variables (cached)."""
        if "passages" not in self.cache:
            self.cache["passages"] = self.corpus.passages_frame(kinds=ANALYSIS_KINDS)
        return self.cache["passages"]

    def documents(self) -> pd.DataFrame:
        if "documents" not in self.cache:
            self.cache["documents"] = self.corpus.documents_frame()
        return self.cache["documents"]

    def csv_name(self, section: str, table: str) -> str:
        return f"{section}_{table}.csv"


def cite(ctx: ReportContext, passage_id: str) -> str:
    """A citation for a passage: the search package's format when it is there, else a plain local one."""
    try:
        citation = require("policytekst.search", "citation")
        return str(citation(ctx.corpus, passage_id))
    except Unavailable:
        pass
    passage = ctx.corpus.passage(passage_id)
    doc = ctx.corpus.document(passage.doc_id)
    who = "; ".join(doc.authors) if doc.authors else (doc.title or doc.doc_id)
    pages = str(passage.page_start) if passage.page_end == passage.page_start else \
        f"{passage.page_start}-{passage.page_end}"
    parts = [f"{who} ({doc.year or 'u.å.'})"]
    if doc.authors and doc.title:
        parts[0] += f": {doc.title}"
    parts.append(f"s. {pages}")
    if passage.section:
        parts.append(f"kap. {passage.section}")
    return ", ".join(parts)
