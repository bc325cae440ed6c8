"""Keyness before/after a chosen year: the words typical of each period, with the passages behind them."""

from __future__ import annotations

import pandas as pd

from policytekst import plots
from policytekst.citation import citation
from policytekst.compare import keyness
from policytekst.report import html as h
from policytekst.report import links
from policytekst.report.base import NotEnoughData, ReportContext, Section
from policytekst.report.sections.themes import split_year

KEY = "keyness"


def build(ctx: ReportContext) -> Section:
    section = Section(KEY, "Nøkkelord før og etter", "Keyness before/after a year")
    year = split_year(ctx)
    if year is None:
        raise NotEnoughData("the corpus has fewer than two distinct years, so there is nothing to compare")
    before, after = {"year": (None, year - 1)}, {"year": (year, None)}
    table = keyness(ctx.corpus, before, after, exclude_names=ctx.params.exclude_names)
    section.tables["terms"] = table
    passages = ctx.passages()
    n_before = int((passages["year"] < year).sum())
    n_after = int((passages["year"] >= year).sum())
    label_a, label_b = f"før {year}", f"{year} og senere"
    parts = [f'<p class="lead">Ord som er typiske for perioden før {year} ({n_before:,} avsnitt) sammenlignet '
             f"med {year} og senere ({n_after:,} avsnitt). Rangert etter log-likelihood (G²); log-ratio viser "
             "hvor mange ganger vanligere (log2) ordet er i den ene perioden. Avsnittene under viser ordene i "
             "bruk.</p>".replace(",", "\u202f")]
    if ctx.params.exclude_names:
        n_names = f'{len(table.attrs.get("excluded_names", [])):,}'.replace(",", "\u202f")
        parts.append(f'<p class="lead">Egennavn er utelatt ({n_names} ord som skrives med stor forbokstav inne i '
                     "setninger, eller som står på navnelistene).</p>")
    if table.empty:
        section.status = "empty"
        parts.append(h.notice("Ingen ord skiller periodene signifikant. (No key terms.)"))
        section.html = "".join(parts)
        return section
    ranked = table.sort_values("g2", ascending=False)
    side_a = ranked[ranked["log_ratio"] > 0].head(ctx.params.n_terms)
    side_b = ranked[ranked["log_ratio"] < 0].head(ctx.params.n_terms)
    svg = plots.diverging_terms(side_a, side_b, value="g2", left_label=label_a, right_label=label_b,
                                xlabel="G² (log-likelihood)")
    shown = ranked.head(60)
    urls = [links.passages_url(ctx, f"term-{i}", f"«{term}»", list(ids)[:2], KEY,
                               note="Avsnittene der ordet er hyppigst, i perioden det er typisk for.")
            for i, (term, ids) in enumerate(zip(shown["term"], shown["passages"], strict=True))]
    adjusted = ("p_adjusted er justert for at mange ord testes samtidig (Benjamini-Hochberg)."
                if "p_adjusted" in ranked else "")
    parts.append(h.figure_html(svg, f"Nøkkelord {label_a} (venstre) og {label_b} (høyre), målt med G². {adjusted} "
                               "Ordene i tabellen lenker til avsnittene bak dem.",
                               csv_name=ctx.csv_name(KEY, "terms"),
                               table=h.table_html(shown.drop(columns=["passages"], errors="ignore"), max_rows=60,
                                                  links={"term": urls}),
                               figure_id="fig-keyness"))
    section.figures += 1
    behind = []
    for label, side in ((label_a, side_a), (label_b, side_b)):
        parts.append(f"<h3>Avsnittene bak ordene · passages behind the terms: {h.esc(label)}</h3>")
        for record in side.head(5).itertuples(index=False):
            ids = list(record.passages)  # keyness lists, per term, the passages where it is most frequent
            if not ids:
                continue
            cited = citation(ctx.corpus, ids[0])
            text = ctx.corpus.passage(ids[0]).text
            behind.append({"group": label, "term": record.term, "passage_id": ids[0], "citation": cited})
            parts.append(h.passage_html(text, cited, terms=[str(record.term)],
                                        extra=f"«{record.term}», G² {float(record.g2):.1f}", max_words=90))
    section.tables["passages"] = pd.DataFrame(behind, columns=["group", "term", "passage_id", "citation"])
    section.html = "".join(parts)
    return section
