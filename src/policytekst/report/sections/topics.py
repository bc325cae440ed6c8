"""Topics: a topic model's labels, top terms and representative passages, and topic prevalence over time."""

from __future__ import annotations

import pandas as pd

from policytekst import plots
from policytekst.compare import trend_table
from policytekst.report import html as h
from policytekst.report.base import NotEnoughData, ReportContext, Section
from policytekst.topics import TopicModel

KEY = "topics"
TRENDS_KEY = "topic_trends"


def fitted_model(ctx: ReportContext):
    """The topic model for this report (fitted once; the topic trend section reuses it)."""
    if "topic_model" not in ctx.cache:
        kwargs = {"k": ctx.params.k, "seed": ctx.params.seed}
        if ctx.params.engine:
            kwargs["engine"] = ctx.params.engine
        try:
            ctx.cache["topic_model"] = TopicModel(**kwargs).fit(ctx.corpus)
        except ValueError as exc:
            # The topics package raises ValueError for corpora too small to model (empty vocabulary, ...).
            ctx.cache["topic_model"] = NotEnoughData(str(exc))
    if isinstance(ctx.cache["topic_model"], NotEnoughData):
        raise ctx.cache["topic_model"]
    return ctx.cache["topic_model"]


def _labels(model: TopicModel) -> list[str]:
    return list(model.labels_)


def build(ctx: ReportContext) -> Section:
    section = Section(KEY, "Emner (topic-modell)", "Topics")
    model = fitted_model(ctx)
    labels = _labels(model)
    terms = model.top_terms(n=ctx.params.n_terms)
    section.tables["top_terms"] = terms
    shares = model.doc_topics_.mean(axis=0).to_numpy()
    topic_ids = list(dict.fromkeys(terms["topic"])) if "topic" in terms else list(range(len(labels)))
    overview = pd.DataFrame({
        "topic": topic_ids[: len(labels)],
        "label": labels[: len(topic_ids)],
        "share": shares[: len(topic_ids)],
        "top_terms": [", ".join(terms.loc[terms["topic"] == t].sort_values("rank")["term"].astype(str))
                      for t in topic_ids[: len(labels)]],
    })
    section.tables["topics"] = overview
    parts = [f'<p class="lead">En emnemodell ({h.esc(model.engine)}, K = {h.esc(model.k)}, '
             f"seed = {ctx.params.seed}) deler tekstavsnittene inn i emner ut fra hvilke ord som opptrer sammen. "
             "Navnene er laget av de mest typiske ordene; les eksempelavsnittene før du tolker et emne.</p>"]
    svg = plots.bar_chart(overview["label"], overview["share"], horizontal=True, ylabel="andel av tekstmassen")
    parts.append(h.figure_html(svg, "Emnenes andel av alle analyseavsnitt (snitt av avsnittenes emnefordeling).",
                               csv_name=ctx.csv_name(KEY, "topics"), table=h.table_html(overview),
                               figure_id="fig-topics-share"))
    section.figures += 1
    examples = []
    for position, topic in enumerate(overview["topic"]):
        label = overview["label"].iloc[position]
        topic_terms = terms.loc[terms["topic"] == topic].sort_values("rank")
        parts.append(f"<h3>{h.esc(label)}</h3>")
        parts.append('<p class="terms">' + "".join(
            f'<span title="vekt {float(w):.3f}">{h.esc(t)}</span>'
            for t, w in zip(topic_terms["term"], topic_terms["weight"], strict=False)) + "</p>")
        reps = model.representative_passages(ctx.corpus, topic, n=ctx.params.n_examples)
        examples.append(reps.assign(topic=topic, label=label))
        highlight_terms = list(topic_terms["term"].astype(str))[:8]
        shown = [h.passage_html(record.text, record.citation, terms=highlight_terms,
                                extra=f"emneandel {float(record.score):.2f}") for record in reps.itertuples(index=False)]
        # One passage in view keeps the section scannable; the others fold out.
        parts.extend(shown[:1])
        if len(shown) > 1:
            parts.append(f"<details><summary>{len(shown) - 1} eksempler til · more examples</summary>"
                         + "".join(shown[1:]) + "</details>")
    section.tables["passages"] = pd.concat(examples, ignore_index=True) if examples else pd.DataFrame()
    parts.append(h.csv_link(ctx.csv_name(KEY, "top_terms")) + " " + h.csv_link(ctx.csv_name(KEY, "passages")))
    section.html = "".join(parts)
    return section


def build_trends(ctx: ReportContext) -> Section:
    section = Section(TRENDS_KEY, "Emner over tid", "Topic prevalence over time")
    model = fitted_model(ctx)
    labels = _labels(model)
    shares = model.doc_topics_.copy()
    shares.columns = labels
    years = ctx.passages().set_index("passage_id")["year"]
    shares = shares[years.reindex(shares.index).notna().to_numpy()]
    if shares.empty:
        raise NotEnoughData("no document has a year, so topics cannot be followed over time")
    trends = trend_table(ctx.corpus, shares, by="year", n_boot=ctx.params.n_boot, seed=ctx.params.seed)
    section.tables["by_year"] = trends
    matrix = trends.pivot_table(index="item", columns="period", values="mean").reindex(labels)
    section.tables["matrix"] = matrix.reset_index()
    parts = ['<p class="lead">Hvor stor del av hvert års tekstmasse hvert emne utgjør. Mørkere celle = større '
             "andel. Tabellen under har konfidensintervall og antall dokumenter per år.</p>"]
    svg = plots.heatmap(matrix, xlabel="år", value_label="andel")
    parts.append(h.figure_html(svg, "Emnenes gjennomsnittlige andel per år.", csv_name=ctx.csv_name(
        TRENDS_KEY, "by_year"), table=h.table_html(trends, max_rows=300), figure_id="fig-topics-years"))
    section.figures += 1
    # Rising and falling topics: the change between the first and the second half of the years, in points.
    periods = sorted(matrix.columns)
    if len(periods) >= 2:
        half = len(periods) // 2
        change = (matrix[periods[half:]].mean(axis=1) - matrix[periods[:half]].mean(axis=1)).sort_values()
        moves = pd.DataFrame({"topic": change.index, "change": change.to_numpy()})
        section.tables["change"] = moves
        parts.append(f"<h3>Størst endring · biggest shifts ({h.esc(periods[0])}–{h.esc(periods[half - 1])} mot "
                     f"{h.esc(periods[half])}–{h.esc(periods[-1])})</h3>")
        parts.append(h.table_html(pd.concat([moves.tail(3).iloc[::-1], moves.head(3)]).drop_duplicates()))
    section.html = "".join(parts)
    return section
