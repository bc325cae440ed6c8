"""Commands of the compare area: `trends`, `keyness`, `similar`."""

from __future__ import annotations

from pathlib import Path

import typer

from policytekst.commands.common import CorpusOption, JsonOption, OutOption, PlotOption, check_plot
from policytekst.commands.common import cli as _cli
from policytekst.commands.common import print_table as _print


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _theme_scores(corpus, themes: list[str], method: str):
    from policytekst.commands.themes import score_progress
    from policytekst.themes import theme_scores

    with score_progress() as on_progress:
        return theme_scores(corpus, themes, method=method, on_progress=on_progress)


def trends(
    corpus: Path = CorpusOption,
    terms: str | None = typer.Option(None, help="Terms (lemmas or globs), comma-separated: nav,aetat,trygdeetat*. "
                                     "Pool spellings with NAME=a|b: old=aetat|trygdeetat*."),
    themes: str | None = typer.Option(None, help="Themes from the codebook/classifier, comma-separated."),
    theme_method: str = typer.Option("codebook", help="Theme scores from the codebook or the model."),
    topics: bool = typer.Option(False, "--topics", help="Topic shares of the saved model (see --model)."),
    model: Path | None = typer.Option(None, "--model", "-m", help="Saved topic model (default CORPUS/topics/default)."),
    by: str = typer.Option("year", help="Document variable to group by (year, genre, cabinet_name, ...)."),
    periods: str | None = typer.Option(None, help="Break years (2006 or 2001,2006,2011) or ranges "
                                       "(..2005,2006..2010,2011..). Default: every value."),
    per: str = typer.Option("count", help="Term scores: count (occurrences per passage) or share (0/1)."),
    n_boot: int = typer.Option(1000, help="Bootstrap resamples (documents are resampled)."),
    seed: int = typer.Option(0, help="Random seed for the bootstrap."),
    min_docs: int = typer.Option(20, help="Flag periods with fewer documents as sparse."),
    smooth: bool = typer.Option(False, help="Add a natural-spline trend over the numeric variable."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Prevalence of terms, themes or topics per year/period, with document-bootstrap CIs and sparse flags."""
    from policytekst.compare import parse_periods, smooth_trend, term_scores, trend_table

    cli = _cli()
    check_plot(plot)
    chosen = [name for name, on in (("--terms", terms), ("--themes", themes), ("--topics", topics)) if on]
    if len(chosen) != 1:
        cli.fail("give exactly one of --terms, --themes or --topics", code=2)
    if per not in ("count", "share"):
        cli.fail(f"--per {per!r}: choose count or share", code=2)
    try:
        spec = parse_periods(periods) if periods else None
    except ValueError as exc:
        cli.fail(str(exc), code=2)
    with cli.open_corpus(corpus) as c:
        if terms:
            groups = {}
            for item in _split(terms):
                name, _, patterns = item.partition("=")
                groups[name.strip()] = [p.strip() for p in (patterns or name).split("|") if p.strip()]
            scores = term_scores(c, groups, binary=per == "share")
        elif themes:
            scores = _theme_scores(c, _split(themes), theme_method)
        else:
            from policytekst.commands.topics import _load

            fitted = _load(corpus, model)
            if fitted.is_stale(c):
                cli.err.print("[yellow]warning[/yellow] the corpus changed since the topic model was fitted")
            scores = fitted.doc_topics_.rename(columns=lambda t: f"{t}: {fitted.labels_[t]}")
        try:
            table = trend_table(c, scores, by=by, periods=spec, n_boot=n_boot, seed=seed, min_docs=min_docs)
            curve = smooth_trend(c, scores, by=by, seed=seed) if smooth else None
        except KeyError as exc:
            cli.fail(str(exc.args[0]), code=2)
        except ValueError as exc:
            cli.fail(str(exc))
    if table["sparse"].any():
        sparse = ", ".join(dict.fromkeys(table.loc[table["sparse"], "period"].astype(str)))
        cli.err.print(f"[yellow]sparse[/yellow] fewer than {min_docs} documents in: {sparse}", highlight=False)
    if plot is not None:
        from policytekst.compare.plots import plot_trends

        plot_trends(table, plot, smooth=curve)
    if curve is not None and out is not None:
        from policytekst.compare.output import write_table

        write_table(curve, out.with_name(out.stem + "_smooth" + out.suffix))
    _print(table, as_json, out)


def keyness(
    corpus: Path = CorpusOption,
    a: str = typer.Option(..., "--a", help="Group A, e.g. year=..2005 or genre=masteroppgave."),
    b: str = typer.Option(..., "--b", help="Group B, e.g. year=2006.."),
    n: int = typer.Option(30, help="Rows shown (the file written with --out has all terms)."),
    min_count: int = typer.Option(5, help="Leave out terms rarer than this in both groups together."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Key terms of group A vs group B: G2, p-value, Log Ratio and the passages behind each term."""
    from policytekst.compare import keyness as run_keyness
    from policytekst.compare import parse_group

    cli = _cli()
    check_plot(plot)
    try:
        group_a, group_b = parse_group(a), parse_group(b)
    except ValueError as exc:
        cli.fail(str(exc), code=2)
    with cli.open_corpus(corpus) as c:
        try:
            table = run_keyness(c, group_a, group_b, min_count=min_count)
        except KeyError as exc:
            cli.fail(str(exc.args[0]), code=2)
        except ValueError as exc:
            cli.fail(str(exc))
    if plot is not None:
        from policytekst.compare.plots import plot_keyness

        plot_keyness(table, plot, label_a=a, label_b=b)
    if out is not None:
        from policytekst.compare.output import write_table

        write_table(table, out)
    shown = table.head(n).copy()
    if not as_json:
        shown["passages"] = shown["passages"].map(lambda ids: "; ".join(ids[:2]))
    _print(shown, as_json, None)


def similar(
    doc_id: str = typer.Argument(..., help="Document id (see `policytekst docs`)."),
    corpus: Path = CorpusOption,
    n: int = typer.Option(5, help="Number of documents."),
    method: str = typer.Option("tfidf", help="tfidf (shared vocabulary) or topics (same topic mix)."),
    model: Path | None = typer.Option(None, "--model", "-m", help="Topic model for --method topics."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
) -> None:
    """Documents like this one."""
    from policytekst.compare import similar_documents

    cli = _cli()
    if method not in ("tfidf", "topics"):
        cli.fail(f"--method {method!r}: choose tfidf or topics", code=2)
    with cli.open_corpus(corpus) as c:
        try:
            table = similar_documents(c, doc_id, n=n, method=method, model=model)
        except (KeyError, FileNotFoundError) as exc:
            cli.fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    _print(table, as_json, out)


def register(app: typer.Typer) -> None:
    """Add `trends`, `keyness` and `similar` to the main app."""
    app.command("trends")(trends)
    app.command("keyness")(keyness)
    app.command("similar")(similar)
