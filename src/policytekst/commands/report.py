"""Commands of the report area: `policytekst report --corpus DIR --out-dir DIR`.

The report package pulls in matplotlib and scikit-learn, so it is imported inside the command (keeps
`policytekst --help` fast).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from policytekst.commands.common import CorpusOption, JsonOption, emit_json, err, open_corpus, split_list
from policytekst.errors import PolicytekstError, UsageError


def report(
    corpus: Path = CorpusOption,
    out_dir: Path | None = typer.Option(None, "--out-dir", "-d", help="Folder for index.html, tables/*.csv and "
                                        "params.json."),
    old_out: Path | None = typer.Option(None, "--out", "-o", hidden=True,
                                        help="Deprecated spelling of --out-dir (--out names a table file elsewhere)."),
    split_year: int | None = typer.Option(None, help="First year of the 'after' period in the keyness "
                                          "comparison (default: the year that halves the corpus's words)."),
    k: int = typer.Option(10, "--k", min=2, help="Number of topics."),
    engine: str | None = typer.Option(None, help="Topic model engine: tomotopy, gensim or nmf."),
    seed: int = typer.Option(0, help="Random seed (topic model, bootstrap, layout)."),
    n_boot: int = typer.Option(1000, min=0, help="Bootstrap resamples for confidence intervals."),
    theme_method: str = typer.Option("model", help="Theme scoring: model (calibrated probabilities) or codebook."),
    n_examples: int = typer.Option(3, min=1, help="Example passages per theme and topic."),
    sections: str | None = typer.Option(None, help="Comma-separated sections to build (default: all)."),
    title: str | None = typer.Option(None, help="Report title."),
    free_y: bool = typer.Option(False, "--free-y", help="Give each small-multiple panel its own y-scale (default: "
                                "one shared scale, so panels compare by eye)."),
    exclude_names: bool = typer.Option(False, "--exclude-names", help="Leave proper names out of the keyness "
                                       "comparison (see `keyness --exclude-names`)."),
    min_docs: int = typer.Option(20, min=1, help="Mark years with fewer documents as sparse."),
    link_base: str | None = typer.Option(None, "--link-base", help="Address of `policytekst serve` on this corpus "
                                         "(e.g. http://127.0.0.1:8765): points and rows link to its pages instead "
                                         "of to passages inside the report."),
    strict: bool = typer.Option(False, help="Stop with exit code 1 when a section fails."),
    as_json: bool = JsonOption,
) -> None:
    """Build a self-contained HTML report (opens from disk): overview, themes and topics over time,
    keyness, similarity map, example passages with citations, and the parameters used."""
    from policytekst.report import SECTION_KEYS, ReportParams, build_report  # slow import: see the docstring

    if old_out is not None and out_dir is not None and old_out != out_dir:
        raise UsageError("give the report folder once, with --out-dir")
    if old_out is not None:
        err.print("[yellow]warning[/yellow] report --out is deprecated: use --out-dir DIR (elsewhere --out names a "
                  "table file)", highlight=False)
    folder = out_dir or old_out
    if folder is None:
        raise UsageError("give the folder for the report with --out-dir DIR")
    if theme_method not in ("codebook", "model"):
        raise UsageError(f"--theme-method must be 'codebook' or 'model', not '{theme_method}'")
    if engine is not None and engine not in ("tomotopy", "gensim", "nmf"):
        raise UsageError(f"--engine must be tomotopy, gensim or nmf, not '{engine}'")
    if link_base is not None and not link_base.startswith(("http://", "https://")):
        raise UsageError(f"--link-base {link_base!r}: give the web app's address, e.g. http://127.0.0.1:8765")
    wanted = tuple(split_list(sections)) if sections else None
    if wanted:
        unknown = [s for s in wanted if s not in SECTION_KEYS]
        if unknown:
            raise UsageError(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTION_KEYS)}")
    params = ReportParams(split_year=split_year, k=k, engine=engine, seed=seed, n_boot=n_boot,
                          theme_method=theme_method, n_examples=n_examples, sections=wanted, title=title,
                          free_y=free_y, min_docs=min_docs, link_base=link_base, exclude_names=exclude_names)
    with open_corpus(corpus) as opened:
        try:
            result = build_report(opened, folder, params, strict=strict, progress=sys.stderr.isatty())
        except PolicytekstError:
            raise
        except Exception as exc:  # --strict: the first failing section stops the run and is named as such
            raise PolicytekstError(f"report failed: {type(exc).__name__}: {exc}") from exc
    if as_json:
        emit_json(result.to_dict())
    for section in result.sections:
        if section.status == "failed":
            err.print(f"[red]failed[/red] {section.key}: {escape(section.note)}", highlight=False)
    err.print(f"report written in {result.seconds:.1f} s", highlight=False)
    if not as_json:
        sys.stdout.write(f"{result.path.resolve()}\n")
    if strict and any(s.status == "failed" for s in result.sections):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `report` command to the main app."""
    app.command("report")(report)
