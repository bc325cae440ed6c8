"""Commands of the report area: `policytekst report --corpus DIR --out DIR`."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the `report` command to the main app."""

    @app.command("report")
    def report(
        corpus: Path = typer.Option(..., "--corpus", "-c", help="Corpus directory (holds corpus.sqlite)."),
        out: Path = typer.Option(..., "--out", "-o", help="Folder for index.html, tables/*.csv and params.json."),
        split_year: int | None = typer.Option(None, help="First year of the 'after' period in the keyness "
                                              "comparison (default: the year that halves the corpus's words)."),
        k: int = typer.Option(10, "--k", min=2, help="Number of topics."),
        engine: str | None = typer.Option(None, help="Topic model engine: tomotopy, gensim or nmf."),
        seed: int = typer.Option(0, help="Random seed (topic model, bootstrap, layout)."),
        n_boot: int = typer.Option(1000, min=0, help="Bootstrap resamples for confidence intervals."),
        theme_method: str = typer.Option("codebook", help="Theme scoring: codebook or model."),
        n_examples: int = typer.Option(3, min=1, help="Example passages per theme and topic."),
        sections: str | None = typer.Option(None, help="Comma-separated sections to build (default: all)."),
        title: str | None = typer.Option(None, help="Report title."),
        strict: bool = typer.Option(False, help="Stop with exit code 1 when a section fails."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON line with the outcome."),
    ) -> None:
        """Build a self-contained HTML report (opens from disk): overview, themes and topics over time,
        keyness, similarity map, example passages with citations, and the parameters used."""
        import sys

        from policytekst.cli import emit_json, err, fail, open_corpus
        from policytekst.report import SECTION_KEYS, ReportParams, build_report

        if theme_method not in ("codebook", "model"):
            fail(f"--theme-method must be 'codebook' or 'model', not '{theme_method}'", code=2)
        if engine is not None and engine not in ("tomotopy", "gensim", "nmf"):
            fail(f"--engine must be tomotopy, gensim or nmf, not '{engine}'", code=2)
        wanted = tuple(s.strip() for s in sections.split(",") if s.strip()) if sections else None
        if wanted:
            unknown = [s for s in wanted if s not in SECTION_KEYS]
            if unknown:
                fail(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTION_KEYS)}", code=2)
        params = ReportParams(split_year=split_year, k=k, engine=engine, seed=seed, n_boot=n_boot,
                              theme_method=theme_method, n_examples=n_examples, sections=wanted, title=title)
        with open_corpus(corpus) as opened:
            try:
                result = build_report(opened, out, params, strict=strict, progress=sys.stderr.isatty())
            except Exception as exc:  # --strict: the first failing section stops the run
                fail(f"report failed: {type(exc).__name__}: {exc}")
        if as_json:
            emit_json(result.to_dict())
        for section in result.sections:
            if section.status in ("unavailable", "failed"):
                colour = "yellow" if section.status == "unavailable" else "red"
                err.print(f"[{colour}]{section.status}[/{colour}] {section.key}: {section.note}", highlight=False)
        err.print(f"report written in {result.seconds:.1f} s", highlight=False)
        if not as_json:
            sys.stdout.write(f"{result.path.resolve()}\n")
        if strict and any(s.status == "failed" for s in result.sections):
            raise typer.Exit(1)
