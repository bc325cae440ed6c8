"""Options and output helpers shared by every command: the corpus commands and each feature area.

Commands never print errors or choose exit codes themselves: they raise :mod:`policytekst.errors` types and the app
in :mod:`policytekst.cli` turns those into one line on stderr and an exit code. Output goes through here, so a
table means the same everywhere: ``--json`` gives JSON Lines (lists stay lists, booleans stay booleans), ``--out
FILE`` writes the whole table with :func:`policytekst.tables.write_table`, a terminal gets a rich table and a pipe
gets tab-separated values with a header, full width.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from policytekst.errors import UnknownNameError
from policytekst.tables import PLOT_SUFFIXES, TABLE_SUFFIXES

if TYPE_CHECKING:
    import pandas as pd

    from policytekst.corpus import Corpus

CorpusOption = typer.Option(..., "--corpus", "-c", help="Corpus directory (holds corpus.sqlite).")
JsonOption = typer.Option(False, "--json", help="Print JSON Lines instead of a table.")
OutOption = typer.Option(None, "--out", "-o",
                         help=f"Also write the whole table to FILE ({', '.join(TABLE_SUFFIXES)}).")
PlotOption = typer.Option(None, "--plot", help=f"Write a plot to FILE ({', '.join(PLOT_SUFFIXES)}).")
# where per-passage work runs (lemma cache, theme scores); ingest has its own wording for files
ExecutorOption = typer.Option("process", help="'process' (here, or --workers local processes) or 'dask' (a Dask "
                              "cluster; needs the \\[dask] extra).")
SchedulerOption = typer.Option(None, help="With --executor dask: an existing cluster's scheduler (tcp://HOST:PORT); "
                               "without it a LocalCluster.")

# Rich reads sys.stdout/sys.stderr when it prints, so test runners that swap the streams see the output.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one message, one line


def emit_json(record: dict[str, Any]) -> None:
    """One JSON object per line on stdout (the stable machine interface)."""
    from policytekst.tables import plain
    sys.stdout.write(json.dumps(plain(record), ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


# Options of the whole command line that change how a corpus is read (set by the app's callback).
OPEN_OPTIONS: dict[str, Any] = {"include_duplicates": False}


def open_corpus(directory: Path) -> Corpus:
    """An existing corpus; a missing one raises StoreError, which the app reports in one line."""
    from policytekst.corpus import Corpus
    return Corpus.open(directory, **OPEN_OPTIONS)


def check_document(corpus: Corpus, doc_id: str) -> None:
    """Refuse (exit 2) a document id that is not in the corpus, naming a few that are."""
    if corpus.store.document(doc_id) is None:
        raise UnknownNameError(f"no document {doc_id!r} in {corpus.directory} (see `policytekst docs`)")


def check_out(path: Path | None) -> None:
    """Refuse (exit 2) an --out file whose format the table writer cannot write, before any work is done."""
    from policytekst.tables import check_suffix
    if path is not None:
        check_suffix(path, TABLE_SUFFIXES, "table")


def check_plot(plot: Path | None) -> None:
    """Refuse (exit 2) a plot path whose format we cannot write, before any work is done."""
    from policytekst.tables import check_suffix
    if plot is not None:
        check_suffix(plot, PLOT_SUFFIXES, "plot")


def write_out(frame: pd.DataFrame, path: Path | None) -> None:
    """Write the whole table to ``path`` (when given) and say so on stderr."""
    from policytekst.tables import write_table
    if path is not None:
        write_table(frame, path)
        err.print(f"wrote {len(frame)} rows to {path}", highlight=False)


def _tsv_cell(value: Any) -> str:
    # full precision for a pipe; one row per line and one cell per tab, whatever the captured text holds
    from policytekst.tables import cell_text
    return cell_text(value, round_floats=False).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _rich_cell(value: Any) -> str:
    from policytekst.tables import cell_text
    return escape(cell_text(value))  # captured text is data, never rich markup


def print_table(frame: pd.DataFrame, as_json: bool, path: Path | None = None, columns: list[str] | None = None,
                *, cell: Callable[[str, Any], str | None] | None = None, wide: tuple[str, ...] = (),
                max_rows: int = 200) -> None:
    """Write ``frame`` to ``path`` (when given), then print it.

    ``--json`` prints every column as JSON Lines; otherwise ``columns`` (default: all) are shown, as a rich table on
    a terminal and as tab-separated values with a header line when stdout is a pipe or a file, so nothing is cut
    and ids can be copied. ``cell(column, value)`` may style a terminal cell (rich markup; None = default),
    ``wide`` names columns of running text that get most of the terminal's width, and a terminal shows at most
    ``max_rows`` rows.
    """
    from policytekst.tables import records
    write_out(frame, path)
    if as_json:
        for record in records(frame):
            emit_json(record)
        return
    shown = frame[columns] if columns else frame
    if not out.is_terminal:
        sys.stdout.write("\t".join(str(c) for c in shown.columns) + "\n")
        for row in shown.itertuples(index=False):
            sys.stdout.write("\t".join(_tsv_cell(v) for v in row) + "\n")
        sys.stdout.flush()
        return
    table = Table(show_lines=bool(wide))
    for column in shown.columns:
        table.add_column(str(column), ratio=3 if column in wide else 1, overflow="fold")
    for row in shown.head(max_rows).itertuples(index=False):
        styled = [cell(str(c), v) if cell else None for c, v in zip(shown.columns, row, strict=True)]
        table.add_row(*[s if s is not None else _rich_cell(v) for s, v in zip(styled, row, strict=True)])
    out.print(table)
    if len(shown) > max_rows:
        err.print(f"({len(shown) - max_rows} more rows; a pipe, --json or --out FILE gives them all)",
                  highlight=False)


@contextmanager
def score_progress(label: str = "theme scores") -> Iterator[Callable[[int, int], None] | None]:
    """An ``on_progress`` callback drawing a bar on stderr while a first scoring pass runs; None (no bar) when
    stderr is not a terminal. Cached scores make no calls, so the transient bar then never shows."""
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def split_list(text: str | None) -> list[str]:
    """"a, b,c" -> ["a", "b", "c"] (empty items dropped)."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]
