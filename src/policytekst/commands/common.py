"""Options and output helpers shared by the command areas.

The main app imports every area module at start-up, so the cli module is reached lazily through :func:`cli`.
"""

from __future__ import annotations

from pathlib import Path

import typer

CorpusOption = typer.Option(..., "--corpus", "-c", help="Corpus directory (holds corpus.sqlite).")
JsonOption = typer.Option(False, "--json", help="Print JSON Lines instead of a table.")
OutOption = typer.Option(None, "--out", "-o", help="Also write the table to FILE (.csv, .json or .jsonl).")
PlotOption = typer.Option(None, "--plot", help="Write a plot to FILE (.png or .svg).")


def cli():
    """The cli module (emit_json, fail, open_corpus, out, err), imported when a command runs."""
    from policytekst import cli as module

    return module


def print_table(frame, as_json: bool, out: Path | None, columns: list[str] | None = None) -> None:
    """Write ``frame`` to ``out`` (when given), then print it as JSON Lines or as a rich table."""
    from rich.table import Table

    from policytekst.compare.output import records, write_table

    main = cli()
    if out is not None:
        try:
            write_table(frame, out)
        except ValueError as exc:
            main.fail(str(exc), code=2)
    if as_json:
        for record in records(frame):
            main.emit_json(record)
        return
    shown = frame[columns] if columns else frame
    table = Table(*[str(c) for c in shown.columns])
    for row in shown.itertuples(index=False):
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    main.out.print(table)


def check_plot(plot: Path | None) -> None:
    """Refuse (exit 2) a plot path whose format we cannot write."""
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        cli().fail(f"{plot}: unsupported plot format {plot.suffix or '(none)'}; use .png or .svg", code=2)
