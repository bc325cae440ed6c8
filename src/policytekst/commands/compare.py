"""Commands of the compare area: `trends`, `keyness`, `similar`.

``policytekst.compare`` pulls in scikit-learn and SciPy, so it is imported inside the commands (keeps
`policytekst --help` fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from policytekst.commands.common import (
    CorpusOption,
    JsonOption,
    OutOption,
    PlotOption,
    check_document,
    check_out,
    check_plot,
    err,
    open_corpus,
    print_table,
    score_progress,
    split_list,
    write_out,
)
from policytekst.commands.topics import NameOption
from policytekst.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from policytekst.corpus import Corpus

THEME_METHODS = ("codebook", "model")


def _theme_scores(corpus: Corpus, themes: list[str], method: str) -> pd.DataFrame:
    """One column of scores per theme, all in one pass (an unknown theme is a UsageError naming the known ones)."""
    from policytekst.themes import theme_scores
    if method not in THEME_METHODS:
        raise UsageError(f"--theme-method {method!r}: choose {' or '.join(THEME_METHODS)}")
    with score_progress() as on_progress:
        return theme_scores(corpus, themes, method=method, on_progress=on_progress)


def trends(
    corpus: Path = CorpusOption,
    terms: str | None = typer.Option(None, help="Terms (lemmas or globs), comma-separated: nav,aetat,trygdeetat*. "
                                     "Pool spellings with NAME=a|b: old=aetat|trygdeetat*. A word also counts its "
                                     "compounds and its nynorsk form unless --exact."),
    exact: bool = typer.Option(False, "--exact", help="Count term lemmas only (no compounds)."),
    themes: str | None = typer.Option(None, help="Themes from the codebook/classifier, comma-separated."),
    theme_method: str = typer.Option("model", help="Theme scores from the model (calibrated probabilities: "
                                     "mean = share, expected = expected passages) or the codebook."),
    topics: bool = typer.Option(False, "--topics", help="Topic shares of a saved model (see --name, --model)."),
    name: str | None = NameOption,
    model: Path | None = typer.Option(None, "--model", "-m", help="A saved topic model directory (instead of "
                                      "--name)."),
    by: str = typer.Option("year", help="Document variable to group by (year, genre, cabinet_name, ...)."),
    periods: str | None = typer.Option(None, help="With --by year: break years (2006 or 2001,2006,2011) or "
                                       "ranges (..2005,2006..2010,2011..). Default: every value."),
    split: str | None = typer.Option(None, "--split", help="Cross with a second document variable (fromParty, "
                                     "genre, ...): one trend per group, each with its own intervals; the table "
                                     "gets a 'group' column and --plot draws one panel per group."),
    split_groups: str | None = typer.Option(None, "--groups", help="With --split: only these groups, in this order "
                                      "(comma-separated), e.g. A,H,FrP."),
    free_y: bool = typer.Option(False, "--free-y", help="With --split --plot: give each panel its own y-scale "
                                "(default: one shared scale, so panels compare by eye)."),
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
    from policytekst.commands.topics import load_model
    from policytekst.compare import (  # slow import: see the docstring
        crossed_trend_table,
        smooth_trend,
        term_scores,
        trend_table,
    )
    from policytekst.selection import parse_periods

    check_plot(plot)
    check_out(out)
    chosen = [option for option, on in (("--terms", terms), ("--themes", themes), ("--topics", topics)) if on]
    if len(chosen) != 1:
        raise UsageError("give exactly one of --terms, --themes or --topics")
    if per not in ("count", "share"):
        raise UsageError(f"--per {per!r}: choose count or share")
    if periods is not None and by != "year":
        raise UsageError(f"--periods groups years, so it needs --by year (not --by {by}); to cross years with "
                         f"{by}, use --by year --periods {periods} --split {by}")
    if split_groups is not None and split is None:
        raise UsageError("--groups picks groups of --split; give --split COLUMN too")
    spec = parse_periods(periods) if periods is not None else None
    with open_corpus(corpus) as c:
        if terms:
            groups = {}
            for item in split_list(terms):
                label, _, patterns = item.partition("=")
                groups[label.strip()] = [p.strip() for p in (patterns or label).split("|") if p.strip()]
            scores = term_scores(c, groups, binary=per == "share", exact=exact)
        elif themes:
            from policytekst.themes.coding import provenance_line, theme_provenance

            scores = _theme_scores(c, split_list(themes), theme_method)
            err.print(provenance_line(theme_provenance(theme_method)), highlight=False)
        else:
            fitted = load_model(corpus, model, name)
            if fitted.is_stale(c):
                err.print("[yellow]warning[/yellow] the corpus changed since the topic model was fitted")
            scores = fitted.doc_topics_.rename(columns=lambda t: f"{t}: {fitted.labels_[t]}")
        # theme probabilities: the period's sum is the expected number of passages about the theme
        expected = bool(themes) and theme_method == "model"
        if split is not None:
            if smooth:
                raise UsageError("--smooth draws one curve per item; it does not go with --split")
            table = crossed_trend_table(c, scores, split=split, by=by, periods=spec, n_boot=n_boot, seed=seed,
                                        min_docs=min_docs, groups=split_list(split_groups) if split_groups else None,
                                        expected=expected)
        else:
            table = trend_table(c, scores, by=by, periods=spec, n_boot=n_boot, seed=seed, min_docs=min_docs,
                                expected=expected)
        curve = smooth_trend(c, scores, by=by, seed=seed) if smooth else None
        labels = _theme_labels(split_list(themes)) if themes else {}
    if table["sparse"].any():
        where = table.loc[table["sparse"]]
        named = (where["group"].astype(str) + " " + where["period"].astype(str)) if "group" in where else \
            where["period"].astype(str)
        named = list(dict.fromkeys(named))
        sparse = ", ".join(named[:12]) + (f", … ({len(named)} in all; the table's sparse column has them)"
                                          if len(named) > 12 else "")
        err.print(f"[yellow]sparse[/yellow] fewer than {min_docs} documents in: {sparse}", highlight=False)
    if plot is not None:
        from policytekst.plots import plot_trends  # matplotlib: only when a plot is asked for

        plot_trends(table, plot, smooth=curve, free_y=free_y, labels=labels)
    if curve is not None and out is not None:
        write_out(curve, out.with_name(out.stem + "_smooth" + out.suffix))
    print_table(table, as_json, out)


def _theme_labels(names: list[str]) -> dict[str, str]:
    """Codebook labels of themes ("Skjønn og handlingsrom" for skjonn_og_handlingsrom), for plot titles."""
    from policytekst.themes.codebook import Codebook

    book = Codebook.load()
    return {name: theme.label for name, theme in book.themes.items() if name in names}


def keyness(
    corpus: Path = CorpusOption,
    a: str = typer.Option(..., "--a", help="Group A, e.g. year=..2005 or genre=masteroppgave."),
    b: str = typer.Option(..., "--b", help="Group B, e.g. year=2006.."),
    n: int = typer.Option(30, help="Rows shown (the file written with --out has all terms)."),
    min_count: int = typer.Option(5, "--min-freq", "--min-count", help="Minimum frequency: leave out terms rarer "
                                  "than this in both groups together."),
    exclude_names: bool = typer.Option(False, "--exclude-names", help="Leave out proper names: words written with "
                                       "a capital inside sentences (90%+ of the time; not all-caps acronyms such as "
                                       "NAV) and names on the name lists (POLICYTEKST_NAMES adds your own)."),
    adjust: str = typer.Option("bh", "--adjust", help="Multiple-testing correction of p_adjusted: bh "
                               "(Benjamini-Hochberg), bonferroni or none."),
    terms: str | None = typer.Option(None, "--terms", help="Look up these terms only (comma-separated; each counts "
                                     "its compounds and nynorsk form unless --exact)."),
    exact: bool = typer.Option(False, "--exact", help="With --terms: count the term lemmas only."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
    plot: Path | None = PlotOption,
) -> None:
    """Key terms of group A vs group B: G2, p-value (and adjusted for testing many terms), Log Ratio and the
    passages behind each term. Groups use the vocabulary of trends --split: --a fromParty=A --b fromParty=H."""
    from policytekst.compare import keyness as run_keyness  # slow import: see the module docstring
    from policytekst.compare.groups import parse_group

    check_plot(plot)
    check_out(out)
    group_a, group_b = parse_group(a), parse_group(b)
    with open_corpus(corpus) as c:
        table = run_keyness(c, group_a, group_b, min_count=min_count,
                            terms=split_list(terms) if terms else None, exact=exact, exclude_names=exclude_names,
                            adjust=adjust)
    if exclude_names:
        err.print(f"left out {len(table.attrs['excluded_names'])} names (see --exclude-names)", highlight=False)
    if plot is not None:
        from policytekst.plots import plot_keyness  # matplotlib: only when a plot is asked for

        plot_keyness(table, plot, label_a=a, label_b=b)
    write_out(table, out)  # every term; the screen and --json get the top n
    print_table(table.head(n), as_json, cell=_first_passages)


def _first_passages(column: str, value: Any) -> str | None:
    """On a terminal the passages column shows two ids (a pipe, --json and --out get them all)."""
    return "; ".join(value[:2]) if column == "passages" and isinstance(value, list) else None


def similar(
    doc_id: str = typer.Argument(..., help="Document id (see `policytekst docs`)."),
    corpus: Path = CorpusOption,
    n: int = typer.Option(5, help="Number of documents."),
    method: str = typer.Option("tfidf", help="tfidf (shared vocabulary) or topics (same topic mix)."),
    name: str | None = NameOption,
    model: Path | None = typer.Option(None, "--model", "-m", help="A saved topic model directory for --method "
                                      "topics (instead of --name)."),
    as_json: bool = JsonOption,
    out: Path | None = OutOption,
) -> None:
    """Documents like this one."""
    from policytekst.commands.topics import load_model
    from policytekst.compare import similar_documents  # slow import: see the module docstring

    check_out(out)
    if method not in ("tfidf", "topics"):
        raise UsageError(f"--method {method!r}: choose tfidf or topics")
    if method == "tfidf" and (name is not None or model is not None):
        raise UsageError("--name and --model choose a topic model; they go with --method topics")
    with open_corpus(corpus) as c:
        check_document(c, doc_id)
        fitted = load_model(corpus, model, name) if name is not None or model is not None else None
        table = similar_documents(c, doc_id, n=n, method=method, model=fitted)
    print_table(table, as_json, out)


def register(app: typer.Typer) -> None:
    """Add `trends`, `keyness` and `similar` to the main app."""
    app.command("trends")(trends)
    app.command("keyness")(keyness)
    app.command("similar")(similar)
