"""Topics: a topic model's labels, top terms and representative passages, and topic prevalence over time."""

from __future__ import annotations

import pandas as pd

from policytekst import plots
from policytekst.compare import trend_table
from policytekst.report import html as h
from policytekst.report.base import NotEnoughData, ReportContext, Section
from policytekst.topics import TopicModel
from policytekst.topics import model as topic_model

KEY = "topics"
TRENDS_KEY = "topic_trends"


def fitted_model(ctx: ReportContext):
    """The topic model for this report (fitted once; the topic trend section reuses it)."""
    if "topic_model" not in ctx.cache:
        kwargs = {"k": ctx.params.k, "seed": ctx.params.seed, "max_passages": topic_model.MAX_PASSAGES}
        if ctx.params.engine:
            kwargs["engine"] = ctx.params.engine
        try:
            model = ctx.cache["topic_model"] = TopicModel(**kwargs).fit(ctx.corpus)
            ctx.cache["topic_engine"] = model.engine  # params.json records the engine used, not None
            ctx.cache["topic_model_facts"] = {"engine": model.engine, "k": model.k, "seed": ctx.params.seed}
        except ValueError as exc:
            # The topics package raises ValueError for corpora too small to model (empty vocabulary, ...).
            ctx.cache["topic_model"] = NotEnoughData(str(exc))
    if isinstance(ctx.cache["topic_model"], NotEnoughData):
        raise ctx.cache["topic_model"]
    return ctx.cache["topic_model"]


def build(ctx: ReportContext) -> Section:
    section = Section(KEY, "Emner (topic-modell)", "Topics")
    model = fitted_model(ctx)
    terms = model.top_terms(n=ctx.params.n_terms)
    section.tables["top_terms"] = terms
    overview = model.topic_table(n=ctx.params.n_terms)  # label, prevalence (mean share), top terms per topic
    section.tables["topics"] = overview
    parts = [f'<p class="lead">En emnemodell ({h.esc(model.engine)}, K = {h.esc(model.k)}, '
             f"seed = {ctx.params.seed}) deler tekstavsnittene inn i emner ut fra hvilke ord som opptrer sammen. "
             "Navnene er laget av de mest typiske ordene; les eksempelavsnittene før du tolker et emne.</p>"]
    if model.info_.get("sampled"):  # a big corpus is modelled on a seeded uniform sample (bounded memory)
        parts.append(f"<p>Modellen er tilpasset et tilfeldig utvalg av {model.info_['n_units']:,} av "
                     f"{model.info_['corpus_passages']:,} avsnitt (frø {ctx.params.seed}); andelene og "
                     "utviklingen over tid gjelder utvalget.</p>".replace(",", "\u202f"))
    svg = plots.bar_chart(overview["label"], overview["prevalence"], horizontal=True,
                          ylabel="andel av tekstmassen")
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
    labels = list(model.labels_)
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
    # Rising and falling topics: the same trend table over two periods (first and second half of the years).
    periods = sorted(matrix.columns)
    if len(periods) >= 2:
        split = int(periods[len(periods) // 2])
        halves = trend_table(ctx.corpus, shares, by="year", periods=[split], n_boot=ctx.params.n_boot,
                             seed=ctx.params.seed)
        section.tables["halves"] = halves
        first, second = list(dict.fromkeys(halves["period"]))
        wide = halves.pivot_table(index="item", columns="period", values="mean")
        moves = pd.DataFrame({"topic": wide.index, "before": wide[first].to_numpy(),
                              "after": wide[second].to_numpy()})
        moves["change"] = moves["after"] - moves["before"]
        moves = moves.sort_values("change").reset_index(drop=True)
        parts.append(f"<h3>Størst endring · biggest shifts ({h.esc(first)} mot {h.esc(second)})</h3>")
        parts.append(h.table_html(pd.concat([moves.tail(3).iloc[::-1], moves.head(3)]).drop_duplicates())
                     + h.csv_link(ctx.csv_name(TRENDS_KEY, "halves")))
    section.html = "".join(parts)
    return section
