"""Theme prevalence by year (with bootstrap confidence intervals and document counts) and example passages."""

from __future__ import annotations

import pandas as pd

from policytekst.compare import trend_table
from policytekst.report import figures
from policytekst.report import html as h
from policytekst.report.base import ReportContext, Section
from policytekst.search import examples
from policytekst.themes import DEFAULT_THEMES, theme_scores
from policytekst.themes.coding import provenance_line, theme_provenance

KEY = "themes"
EXAMPLES_KEY = "examples"


def theme_scores_frame(ctx: ReportContext) -> pd.DataFrame:
    """Passages x themes scores in [0, 1] from :func:`policytekst.themes.theme_scores` (all themes in one pass,
    cached in the corpus and in the context: prevalence and examples both use it)."""
    if "theme_scores" not in ctx.cache:
        ctx.cache["theme_scores"] = theme_scores(ctx.corpus, list(DEFAULT_THEMES), method=ctx.params.theme_method)
    return ctx.cache["theme_scores"]


def split_year(ctx: ReportContext) -> int | None:
    """The chosen split year, or the year that halves the corpus's words (so both sides have material)."""
    if ctx.params.split_year is not None:
        return ctx.params.split_year
    if "split_year" not in ctx.cache:
        passages = ctx.passages().dropna(subset=["year"])
        if passages.empty or passages["year"].nunique() < 2:
            ctx.cache["split_year"] = None
        else:
            words = passages.groupby("year")["n_words"].sum().sort_index()
            cumulative = words.cumsum() / words.sum()
            years = list(words.index)
            # First year whose start leaves at least half the words before it; never the very first year.
            chosen = next((int(y) for y, share in zip(years[1:], cumulative.iloc[:-1], strict=True) if share >= 0.5),
                          int(years[-1]))
            ctx.cache["split_year"] = chosen
    return ctx.cache["split_year"]


def build(ctx: ReportContext) -> Section:
    section = Section(KEY, "Temaer over tid", "Theme prevalence by year")
    scores = theme_scores_frame(ctx)
    passages = ctx.passages().set_index("passage_id")
    scores = scores[scores.index.isin(passages.index)]
    if scores.empty:
        section.status = "empty"
        section.html = h.notice("Ingen analyseavsnitt å kode. (No analysis passages to score.)")
        return section
    method = ctx.params.theme_method
    explain = ("kodebokskåre: 0 = ingen treff, 0,5 = temaets minstekrav til treff, mot 1 = mange treff"
               if method == "codebook" else "kalibrert sannsynlighet fra klassifiseringsmodellen; summen er "
               "forventet antall avsnitt om temaet")
    provenance = provenance_line(theme_provenance(method))
    summary = pd.DataFrame({
        "theme": scores.columns,
        "mean_score": [float(scores[c].mean()) for c in scores.columns],
        **({"expected_passages": [float(scores[c].sum()) for c in scores.columns]} if method == "model" else {}),
        "passages_at_least_0_5": [int((scores[c] >= 0.5).sum()) for c in scores.columns],
        "documents_at_least_0_5": [int(passages.loc[scores.index[scores[c] >= 0.5], "doc_id"].nunique())
                                   for c in scores.columns],
    }).sort_values("mean_score", ascending=False)
    section.tables["summary"] = summary
    parts = [f'<p class="lead">Temaene måles per tekstavsnitt ({h.esc(explain)}; metode: {h.esc(method)}), og '
             "gjennomsnittet per år vises med 95 % bootstrap-konfidensintervall (dokumenter trekkes på nytt, så "
             "usikkerheten gjelder dokumenter, ikke enkeltavsnitt). Hule punkter: år med få dokumenter.</p>",
             f'<p class="note">{h.esc(provenance)}</p>',
             "<h3>Samlet · overall</h3>",
             h.table_html(summary.assign(theme=summary["theme"].map(figures.theme_labels(list(summary["theme"])))))
             + h.csv_link(ctx.csv_name(KEY, "summary"))]

    dated = scores[passages.loc[scores.index, "year"].notna().to_numpy()]
    if dated.empty:
        parts.append(h.notice("Ingen dokumenter har år, så utvikling over tid kan ikke vises. "
                              "(No document has a year.)"))
    else:
        trends = trend_table(ctx.corpus, dated, by="year", n_boot=ctx.params.n_boot, seed=ctx.params.seed,
                             expected=method == "model")
        section.tables["by_year"] = trends
        labels = figures.theme_labels(list(summary["theme"]))
        svg = figures.trend_figure(ctx, trends, dated, items=list(summary["theme"]), ylabel="snittskåre",
                                   section=KEY, labels=labels, marker_year=split_year(ctx))
        parts.append("<h3>Utvikling per år · by year</h3>")
        parts.append(h.figure_html(
            svg, "Temaenes gjennomsnitt per år med 95 % konfidensintervall; stiplet linje = valgt skilleår. "
            + ("Hvert panel har sin egen y-skala." if ctx.params.free_y else
               "Alle panelene har samme y-skala, så temaene kan sammenlignes direkte.")
            + " Hule punkter: år med få dokumenter; brudd i linja: år uten dokumenter. Klikk et punkt for "
            "avsnittene bak det.",
            csv_name=ctx.csv_name(KEY, "by_year"), table=h.table_html(trends, max_rows=200),
            figure_id="fig-themes-years"))
        section.figures += 1
        counts = (trends.groupby("period")[["n_docs", "n_passages"]].max().reset_index())
        parts.append("<details><summary>Dokumenter og avsnitt per år · documents and passages per year"
                     "</summary>" + h.table_html(counts, max_rows=100) + "</details>")
    section.html = "".join(parts)
    return section


def build_examples(ctx: ReportContext) -> Section:
    section = Section(EXAMPLES_KEY, "Eksempelavsnitt per tema", "Example passages per theme")
    parts = ['<p class="lead">Avsnitt som viser temaet tydelig og kan brukes i undervisning, med kildehenvisning '
             "(dokument, side, kapittel). Temaskåre = hvor sterkt avsnittet uttrykker temaet; brukbarhet = hvor "
             "godt det står alene som eksempel.</p>"]
    frames = []
    for theme in DEFAULT_THEMES:
        found = examples(ctx.corpus, theme, n=ctx.params.n_examples, method=ctx.params.theme_method)
        found = found.assign(theme=theme)
        frames.append(found)
        parts.append(f"<h3>{h.esc(figures.theme_labels([theme])[theme])}</h3>")
        if found.empty:
            parts.append("<p>Ingen avsnitt i korpuset uttrykker dette temaet tydelig.</p>")
            continue
        shown = []
        for record in found.itertuples(index=False):
            extra = f"temaskåre {float(record.theme_score):.2f}"
            if hasattr(record, "usability"):
                extra += f", brukbarhet {float(record.usability):.2f}"
            shown.append(h.passage_html(record.text, record.citation, extra=extra, max_words=160))
        parts.extend(shown[:1])
        if len(shown) > 1:
            parts.append(f"<details><summary>{len(shown) - 1} eksempler til · more examples</summary>"
                         + "".join(shown[1:]) + "</details>")
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    section.tables["passages"] = table
    if table.empty:
        section.status = "empty"
    parts.append(h.csv_link(ctx.csv_name(EXAMPLES_KEY, "passages")))
    section.html = "".join(parts)
    return section
