"""Parameters, versions and seeds: what a reader needs to reproduce or question the report's numbers."""

from __future__ import annotations

import platform
import sys
from typing import Any

import pandas as pd

from policytekst.report import html as h
from policytekst.report.base import ReportContext, Section

KEY = "provenance"


def build(ctx: ReportContext, sections: list[Section], record: dict[str, Any]) -> Section:
    """The last section; it needs every other section's outcome, so the builder passes them in."""
    section = Section(KEY, "Parametere, versjoner og frø", "Parameters, versions and seeds")
    chosen = set(record.get("left_to_defaults", ()))
    params = pd.DataFrame([{"parameter": k, "value": ("" if v is None else
                                                      ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                            + (" (valgt automatisk · chosen automatically)" if k in chosen else "")}
                           for k, v in record["params"].items()])
    found = pd.DataFrame([{"package": k, "version": v} for k, v in record["versions"].items()])
    runs = pd.DataFrame([{"section": s.key, "status": s.status, "seconds": round(s.seconds, 2),
                          "note": s.note} for s in sections])
    corpus = pd.DataFrame([{"key": k, "value": str(v)} for k, v in record["corpus"].items()])
    section.tables.update({"params": params, "versions": found, "sections": runs, "corpus": corpus})
    section.html = "".join([
        '<p class="lead">Med samme korpus, parametere og versjoner gir rapporten de samme tallene (frø: '
        f"{ctx.params.seed}). Alt står også i <code>params.json</code> ved siden av rapporten.</p>",
        '<div class="grid2"><div><h3>Parametere · parameters</h3>', h.table_html(params, max_rows=50),
        "<h3>Korpus · corpus</h3>", h.table_html(corpus), "</div><div><h3>Versjoner · versions</h3>",
        h.table_html(found, max_rows=50), "</div></div>",
        "<h3>Seksjoner · sections</h3>", h.table_html(runs, max_rows=50),
        f'<p class="lead">Bygget {h.esc(record["built"])} med Python {h.esc(sys.version.split()[0])} på '
        f"{h.esc(platform.platform(terse=True))}.</p>",
    ])
    return section
