"""What every report section shares: parameters, the build context and the section result.

A section is a small function ``(ctx) -> Section``: HTML plus the tables behind it. The report only presents:
every number it shows comes from a library function a user can call (themes, topics, compare). A corpus too thin
for an analysis raises :class:`NotEnoughData` (the section then says so plainly instead of showing made-up
content); anything else that goes wrong is a failure, shown as such.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from policytekst.errors import NotEnoughData
from policytekst.model import ANALYSIS_KINDS

__all__ = ["NotEnoughData", "ReportContext", "ReportParams", "Section"]


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
    theme_method : "model" (the shipped classifier: calibrated probabilities, expected counts) or "codebook"
        (dictionary hits, traceable).
    n_examples : example passages per theme / topic.
    n_terms : terms per topic and per keyness side.
    sections : which sections to build (None = all).
    title : the report's title (None = "Korpusrapport: <corpus name>").
    min_docs : years (periods) with fewer documents are marked sparse, in the overview and in every trend.
    free_y : small multiples get one y-scale per panel (default: one shared scale, so panels compare by eye).
    exclude_names : leave proper names out of the keyness comparison (``keyness --exclude-names``).
    link_base : address of ``policytekst serve`` on the same corpus (http://127.0.0.1:8765): points and rows then
        link to the web app's pages; None links to the passages inside the report.
    """

    split_year: int | None = None
    k: int = 10
    engine: str | None = None
    seed: int = 0
    n_boot: int = 1000
    theme_method: str = "model"
    n_examples: int = 3
    n_terms: int = 12
    sections: tuple[str, ...] | None = None
    title: str | None = None
    min_docs: int = 20
    free_y: bool = False
    exclude_names: bool = False
    link_base: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sections"] = list(self.sections) if self.sections else None
        return data


@dataclass
class Section:
    """One built section: its HTML, the tables behind it (name -> DataFrame), and how it went."""

    key: str
    title_nb: str
    title_en: str
    html: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    status: str = "ok"  # ok | empty (NotEnoughData) | failed
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
