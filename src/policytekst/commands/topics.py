"""Commands of the topics area: `topics fit|sweep|show|passages|list`.

Fitted models are kept side by side under ``CORPUS/topics/NAME`` (``--name``, default "default"); ``--model DIR``
names any saved model directory instead. Fitting never replaces a saved model unless ``--overwrite`` says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from policytekst.commands.common import (
    CorpusOption,
    JsonOption,
    OutOption,
    PlotOption,
    check_out,
    check_plot,
    err,
    open_corpus,
    out,
    print_table,
)
from policytekst.errors import PolicytekstError, UsageError, unknown

if TYPE_CHECKING:
    import pandas as pd

    from policytekst.topics import TopicModel

topics_app = typer.Typer(help="Topic models over passages: fit, choose K, read topics and their passages.",
                         no_args_is_help=True)

DEFAULT_NAME = "default"
ModelOption = typer.Option(None, "--model", "-m", help="A saved model directory (instead of --name).")
NameOption = typer.Option(None, "--name", help=f"The corpus' saved model of this name, in CORPUS/topics/NAME "
                                              f"(default: {DEFAULT_NAME}).")


def models_root(corpus: Path) -> Path:
    """The folder holding a corpus' named topic models (the parent of the default model's directory)."""
    # compare.similarity defines where the default model lives; it pulls in scikit-learn, so it is imported only
    # when a model path is needed (keeps `policytekst --help` fast)
    from policytekst.compare.similarity import DEFAULT_MODEL_DIR

    return corpus / DEFAULT_MODEL_DIR.parent


def saved_names(corpus: Path) -> list[str]:
    """Names of the topic models saved in a corpus."""
    root = models_root(corpus)
    return sorted(p.name for p in root.iterdir() if (p / "model.json").is_file()) if root.is_dir() else []


def model_dir(corpus: Path | None, model: Path | None, name: str | None) -> Path:
    """Where a model is (or will be): ``--model DIR`` as given, else ``CORPUS/topics/NAME``."""
    if model is not None and name is not None:
        raise UsageError("give --model DIR or --name NAME, not both")
    if model is not None:
        return model
    if corpus is None:
        raise UsageError("give --corpus DIR (whose models are in CORPUS/topics/NAME) or --model DIR")
    if not name or Path(name).name != name or name.startswith("."):
        raise UsageError(f"--name {name!r}: use a plain name such as 'k20' (letters, digits, - and _)")
    return models_root(corpus) / name


def load_model(corpus: Path | None, model: Path | None, name: str | None) -> TopicModel:
    """The saved model asked for: an unknown --name lists the saved ones; a --model DIR must hold a model."""
    from policytekst.topics import TopicModel
    path = model_dir(corpus, model, name if model is not None else (name or DEFAULT_NAME))
    if model is None and not (path / "model.json").is_file():
        known = saved_names(corpus) if corpus is not None else []
        raise unknown("topic model", name or DEFAULT_NAME, known or "none yet; fit one with `policytekst topics "
                      "fit --corpus DIR`")
    try:
        return TopicModel.load(path)
    except FileNotFoundError as exc:
        raise PolicytekstError(f"{exc}; fit one with `policytekst topics fit --corpus DIR --save DIR`") from exc


def _parse_seed_words(items: list[str]) -> dict[str, list[str]]:
    seeds: dict[str, list[str]] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--seed-words {item!r}: expected LABEL=word1,word2 (globs allowed: brukermedvirk*)")
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
    max_passages: int = typer.Option(200_000, "--max-passages", min=1,
                                     help="Fit on a seeded uniform sample of this many passages when the corpus "
                                          "has more (memory and time stay bounded)."),
    name: str | None = NameOption,
    save_to: Path | None = typer.Option(None, "--save", help="Save in this directory instead of CORPUS/topics/NAME."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a saved model of the same name."),
    n: int = typer.Option(8, help="Top terms shown per topic."),
    as_json: bool = JsonOption,
    out_file: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Fit a topic model on the corpus' passages and save it (parameters, versions, corpus generation)."""
    from policytekst.topics import DEFAULT_ENGINE, TopicModel, codebook_seed_words
    check_plot(plot)
    check_out(out_file)
    if save_to is not None and name is not None:
        raise UsageError("give --save DIR or --name NAME, not both")
    target = save_to if save_to is not None else model_dir(corpus, None, name or DEFAULT_NAME)
    if target.exists() and not target.is_dir():  # refused before the fit, not after minutes of work
        raise UsageError(f"--save {target}: it is a file; give a folder for the model")
    if (target / "model.json").is_file() and not overwrite:
        raise UsageError(f"a topic model is already saved in {target}; add --overwrite to replace it, or give "
                         "another --name to keep both")
    seeds = _parse_seed_words(seed_words)
    if seed_theme:
        seeds = {**codebook_seed_words(seed_theme, codebook), **seeds}
    engine = engine or DEFAULT_ENGINE
    params = {}
    if iterations is not None:
        params[{"tomotopy": "iterations", "gensim": "iterations", "nmf": "max_iter"}.get(engine, "iterations")] = \
            iterations
    with open_corpus(corpus) as c:
        model = TopicModel(k=k, engine=engine, seed=seed, seed_words=seeds or None, min_df=min_df,
                           max_df=max_df, workers=workers, max_passages=max_passages, **params)
        err.print(f"fitting {engine} k={k} on {corpus} ...", highlight=False)
        model.fit(c)
        path = model.save(target)
    sampled = (f" of {model.info_['corpus_passages']:,}, a seeded random sample (--max-passages)"
               if model.info_.get("sampled") else "")
    err.print(f"saved model to {path} ({model.info_['n_units']:,} passages{sampled}, {model.info_['n_terms']} terms, "
              f"{model.info_['fit_seconds']} s)", highlight=False)
    if plot is not None:
        from policytekst.plots import plot_top_terms  # matplotlib: only when a plot is asked for

        plot_top_terms(model.top_terms(n), model.labels_, plot)
    print_table(_topic_table(model, n), as_json, out_file, ["topic", "label", "prevalence", "terms", "seeded"])


def _topic_table(model: TopicModel, n: int, by: str = "prob", lam: float = 0.6) -> pd.DataFrame:
    """The model's topic table with ``terms``, the top ``n`` terms ranked ``by``, as a list."""
    top = model.top_terms(n, by=by, lam=lam)
    table = model.topic_table(n)
    terms = top.groupby("topic")["term"].apply(list)
    table.insert(3, "terms", [terms.get(t, []) for t in table["topic"]])
    return table


def sweep(
    corpus: Path = CorpusOption,
    ks: str = typer.Option("5,10,15", help="Comma-separated K values."),
    engine: str = typer.Option(None, help="tomotopy, gensim or nmf (default: the benchmark's choice)."),
    seed: int = typer.Option(0, help="Random seed."),
    as_json: bool = JsonOption,
    out_file: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Fit one model per K and report c_v, NPMI, diversity, exclusivity and fit seconds."""
    from policytekst.topics import DEFAULT_ENGINE
    from policytekst.topics import sweep as run_sweep
    check_plot(plot)
    check_out(out_file)
    try:
        values = [int(v) for v in ks.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"--ks {ks!r}: expected comma-separated integers such as 5,10,15") from None
    if not values or min(values) < 1:
        raise UsageError(f"--ks {ks!r}: K values must be positive integers")
    with open_corpus(corpus) as c:
        table = run_sweep(c, ks=values, engine=engine or DEFAULT_ENGINE, seed=seed, progress=not as_json)
    if plot is not None:
        from policytekst.plots import plot_sweep  # matplotlib: only when a plot is asked for

        plot_sweep(table, plot)
    print_table(table, as_json, out_file)


def show(
    corpus: Path | None = typer.Option(None, "--corpus", "-c", help="Corpus whose saved model to show."),
    name: str | None = NameOption,
    model: Path | None = ModelOption,
    n: int = typer.Option(10, help="Terms per topic."),
    by: str = typer.Option("prob", help="Rank terms by prob, relevance or frex."),
    lam: float = typer.Option(0.6, "--lambda", help="Relevance weight lambda (1 = probability)."),
    long: bool = typer.Option(False, "--long", help="One row per topic and term (topic, rank, term, weight)."),
    as_json: bool = JsonOption,
    out_file: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Show topics: label, prevalence and top terms (by probability, relevance or FREX)."""
    from policytekst.topics.labels import RANKINGS
    check_plot(plot)
    check_out(out_file)
    if by not in RANKINGS:
        raise UsageError(f"--by {by!r}: choose one of {', '.join(RANKINGS)}")
    fitted = load_model(corpus, model, name)
    top = fitted.top_terms(n, by=by, lam=lam)
    if plot is not None:
        from policytekst.plots import plot_top_terms  # matplotlib: only when a plot is asked for

        plot_top_terms(top, fitted.labels_, plot)
    if long:
        print_table(top, as_json, out_file)
        return
    table = _topic_table(fitted, n, by, lam)
    print_table(table[["topic", "label", "prevalence", "terms", "seeded"]], as_json, out_file)


def passages(
    topic: int = typer.Option(..., "--topic", "-t", help="Topic number (see `topics show`)."),
    corpus: Path = CorpusOption,
    name: str | None = NameOption,
    model: Path | None = ModelOption,
    n: int = typer.Option(3, help="Passages to show."),
    as_json: bool = JsonOption,
    out_file: Path | None = OutOption,
) -> None:
    """The most representative passages of a topic, with citations."""
    check_out(out_file)
    fitted = load_model(corpus, model, name)
    with open_corpus(corpus) as c:
        if fitted.is_stale(c):
            err.print("[yellow]warning[/yellow] the corpus changed since this model was fitted; "
                      "refit with `policytekst topics fit --overwrite`")
        table = fitted.representative_passages(c, topic, n)
    if as_json or out_file is not None:
        print_table(table, as_json, out_file)
        if as_json:
            return
    out.print(f"topic {topic}: {fitted.labels_[topic]}", style="bold", highlight=False, markup=False)
    for row in table.itertuples(index=False):
        out.print(f"{row.passage_id} share {row.score:.2f} — {row.citation}", highlight=False, markup=False)
        out.print(row.text, highlight=False, markup=False)
        out.print()


def list_models(corpus: Path = CorpusOption, as_json: bool = JsonOption, out_file: Path | None = OutOption) -> None:
    """The topic models saved in a corpus: name, engine, k, when fitted, and whether the corpus changed since."""
    import pandas as pd

    from policytekst.topics import TopicModel
    check_out(out_file)
    rows = []
    with open_corpus(corpus) as c:
        for saved in saved_names(corpus):
            fitted = TopicModel.load(models_root(corpus) / saved)
            rows.append({"name": saved, "engine": fitted.engine, "k": fitted.k,
                         "fitted_at": fitted.info_.get("fitted_at"), "stale": fitted.is_stale(c)})
    print_table(pd.DataFrame(rows, columns=["name", "engine", "k", "fitted_at", "stale"]), as_json, out_file)


def register(app: typer.Typer) -> None:
    """Add `topics fit|sweep|show|passages|list` to the main app."""
    topics_app.command("fit")(fit)
    topics_app.command("sweep")(sweep)
    topics_app.command("show")(show)
    topics_app.command("passages")(passages)
    topics_app.command("list")(list_models)
    app.add_typer(topics_app, name="topics")
