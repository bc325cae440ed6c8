"""The HTML report: a corpus in, a self-contained report folder out (index.html, tables/*.csv, params.json).

>>> from policytekst.report import build_report, ReportParams              # doctest: +SKIP
>>> build_report("build/demo/corpus", "build/demo/report", ReportParams(k=8, seed=1)).path   # doctest: +SKIP
"""

from policytekst.report.base import NotEnoughData, ReportParams, Section
from policytekst.report.builder import SECTION_KEYS, ReportResult, build_report

__all__ = ["SECTION_KEYS", "NotEnoughData", "ReportParams", "ReportResult", "Section", "build_report"]
