"""Commands of the topics area: `topics fit|sweep|show|passages`."""

from __future__ import annotations

from pathlib import Path

import typer

from policytekst.commands.common import CorpusOption, JsonOption, OutOption, PlotOption, check_plot
from policytekst.commands.common import cli as _cli
from policytekst.commands.common import print_table as _print

topics_app = typer.Typer(help="Topic models over passages: fit, choose K, read topics and their passages.",
                         no_args_is_help=True)

ModelOption = typer.Option(None, "--model", "-m",
                           help="Saved model directory (default: CORPUS/topics/default).")

def _model_dir(corpus: Path | None, model: Path | None) -> Path:
    if model is not None:
        return model
    if corpus is None:
        _cli().fail("give --model DIR or --corpus DIR (whose default model is CORPUS/topics/default)", code=2)
    from policytekst.compare.similarity import DEFAULT_MODEL_DIR

    return corpus / DEFAULT_MODEL_DIR


def _load(corpus: Path | None, model: Path | None):
    from policytekst.topics import TopicModel

    path = _model_dir(corpus, model)
    try:
        return TopicModel.load(path)
    except FileNotFoundError as exc:
        _cli().fail(f"{exc}; fit one with `policytekst topics fit --corpus DIR`")


def _parse_seed_words(items: list[str]) -> dict[str, list[str]]:
    seeds: dict[str, list[str]] = {}
    for item in items:
        if "=" not in item:
            _cli().fail(f"--seed-words {item!r}: expected LABEL=word1,word2 (globs allowed: brukermedvirk*)",
                        code=2)
        label, words = item.split("=", 1)
        seeds[label.strip()] = [w.strip() for w in words.split(",") if w.strip()]
    return seeds


def fit(
    corpus: Path = CorpusOption,
    k: int = typer.Option(10, "--k", "-k", help="Number of topics."),
    engine: str = typer.Option(None, help="tomotopy, gensim or nmf (default: the benchmark's choice)."),
    seed: int = typer.Option(0, help="Random seed (same seed + one worker = same model)."),
    seed_theme: list[str] = typer.Option([], "--seed-theme", help="Anchor a topic to a codebook theme "
                                         "(repeatable), e.g. --seed-theme kasteball."),
    seed_words: list[str] = typer.Option([], "--seed-words", help="Anchor a topic to words: LABEL=w1,w2*."),
    codebook: Path | None = typer.Option(None, help="Codebook YAML for --seed-theme (default: the shipped one)."),
    iterations: int | None = typer.Option(None, help="Engine iterations (tomotopy iterations, gensim "
                                          "passes' inner iterations, NMF max_iter)."),
    min_df: int = typer.Option(3, help="Drop terms in fewer passages."),
    max_df: float = typer.Option(0.4, help="Drop terms in a larger share of passages."),
    workers: int = typer.Option(1, help="Workers (>1 is faster but not bit-for-bit reproducible)."),
    save_to: Path | None = typer.Option(None, "--save", help="Model directory (default: CORPUS/topics/default)."),
    n: int = typer.Option(8, help="Top terms shown per topic."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Fit a topic model on the corpus' passages and save it (parameters, versions, corpus generation)."""
    from policytekst.topics import DEFAULT_ENGINE, TopicModel, codebook_seed_words

    cli = _cli()
    check_plot(plot)
    seeds = _parse_seed_words(seed_words)
    if seed_theme:
        try:
            seeds = {**codebook_seed_words(seed_theme, codebook), **seeds}
        except (LookupError, FileNotFoundError) as exc:
            cli.fail(str(exc.args[0] if isinstance(exc, KeyError) else exc), code=2)
    engine = engine or DEFAULT_ENGINE
    params = {}
    if iterations is not None:
        params[{"tomotopy": "iterations", "gensim": "iterations", "nmf": "max_iter"}.get(engine, "iterations")] = iterations
    with cli.open_corpus(corpus) as c:
        try:
            model = TopicModel(k=k, engine=engine, seed=seed, seed_words=seeds or None, min_df=min_df,
                               max_df=max_df, workers=workers, **params)
            cli.err.print(f"fitting {engine} k={k} on {corpus} ...", highlight=False)
            model.fit(c)
        except ValueError as exc:
            cli.fail(str(exc), code=2 if "unknown" in str(exc) or "must be" in str(exc) else 1)
        path = model.save(save_to or corpus / _default_dir())
    cli.err.print(f"saved model to {path} ({model.info_['n_units']} passages, {model.info_['n_terms']} terms, "
                  f"{model.info_['fit_seconds']} s)", highlight=False)
    table = model.topic_table(n)
    if plot is not None:
        from policytekst.plots import plot_top_terms

        plot_top_terms(model.top_terms(n), model.labels_, plot)
    _print(table, as_json, out, ["topic", "label", "prevalence", "top_prob", "seeded"])


def _default_dir() -> Path:
    from policytekst.compare.similarity import DEFAULT_MODEL_DIR

    return DEFAULT_MODEL_DIR


def sweep(
    corpus: Path = CorpusOption,
    ks: str = typer.Option("5,10,15", help="Comma-separated K values."),
    engine: str = typer.Option(None, help="tomotopy, gensim or nmf (default: the benchmark's choice)."),
    seed: int = typer.Option(0, help="Random seed."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Fit one model per K and report c_v, NPMI, diversity, exclusivity and fit seconds."""
    from policytekst.topics import DEFAULT_ENGINE
    from policytekst.topics import sweep as run_sweep

    cli = _cli()
    check_plot(plot)
    try:
        values = [int(v) for v in ks.split(",") if v.strip()]
    except ValueError:
        cli.fail(f"--ks {ks!r}: expected comma-separated integers such as 5,10,15", code=2)
    if not values or min(values) < 1:
        cli.fail(f"--ks {ks!r}: K values must be positive integers", code=2)
    with cli.open_corpus(corpus) as c:
        try:
            table = run_sweep(c, ks=values, engine=engine or DEFAULT_ENGINE, seed=seed, progress=not as_json)
        except ValueError as exc:
            cli.fail(str(exc), code=2 if "unknown" in str(exc) else 1)
    if plot is not None:
        from policytekst.plots import plot_sweep

        plot_sweep(table, plot)
    _print(table, as_json, out)


def show(
    corpus: Path | None = typer.Option(None, "--corpus", "-c", help="Corpus whose default model to show."),
    model: Path | None = ModelOption,
    n: int = typer.Option(10, help="Terms per topic."),
    by: str = typer.Option("prob", help="Rank terms by prob, relevance or frex."),
    lam: float = typer.Option(0.6, "--lambda", help="Relevance weight lambda (1 = probability)."),
    long: bool = typer.Option(False, "--long", help="One row per topic and term (topic, rank, term, weight)."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Show topics: label, prevalence and top terms (by probability, relevance or FREX)."""
    from policytekst.topics.labels import RANKINGS

    cli = _cli()
    check_plot(plot)
    if by not in RANKINGS:
        cli.fail(f"--by {by!r}: choose one of {', '.join(RANKINGS)}", code=2)
    fitted = _load(corpus, model)
    top = fitted.top_terms(n, by=by, lam=lam)
    if plot is not None:
        from policytekst.plots import plot_top_terms

        plot_top_terms(top, fitted.labels_, plot)
    if long:
        _print(top, as_json, out)
        return
    table = fitted.topic_table(n)
    table["terms"] = [", ".join(top[top["topic"] == t]["term"]) for t in table["topic"]]
    _print(table[["topic", "label", "prevalence", "terms", "seeded"]], as_json, out)


def passages(
    topic: int = typer.Option(..., "--topic", "-t", help="Topic number (see `topics show`)."),
    corpus: Path = CorpusOption,
    model: Path | None = ModelOption,
    n: int = typer.Option(3, help="Passages to show."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
) -> None:
    """The most representative passages of a topic, with citations."""
    cli = _cli()
    fitted = _load(corpus, model)
    with cli.open_corpus(corpus) as c:
        if fitted.is_stale(c):
            cli.err.print("[yellow]warning[/yellow] the corpus changed since this model was fitted; "
                          "refit with `policytekst topics fit`")
        try:
            table = fitted.representative_passages(c, topic, n)
        except ValueError as exc:
            cli.fail(str(exc), code=2)
        except KeyError as exc:
            cli.fail(f"{exc.args[0]} (the model was fitted on another state of the corpus; refit it)")
    if as_json or out is not None:
        _print(table, as_json, out)
        if as_json:
            return
    cli.out.print(f"[bold]topic {topic}: {fitted.labels_[topic]}[/bold]", highlight=False)
    for row in table.itertuples(index=False):
        cli.out.print(f"[bold]{row.passage_id}[/bold] share {row.score:.2f} — {row.citation}", highlight=False)
        cli.out.print(row.text, highlight=False, markup=False)
        cli.out.print()


def register(app: typer.Typer) -> None:
    """Add `topics fit|sweep|show|passages` to the main app."""
    topics_app.command("fit")(fit)
    topics_app.command("sweep")(sweep)
    topics_app.command("show")(show)
    topics_app.command("passages")(passages)
    app.add_typer(topics_app, name="topics")
