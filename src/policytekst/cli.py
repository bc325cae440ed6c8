"""The `policytekst` command: the app, its global options, and the one place that turns failures into exit codes.

Each area registers its own commands from ``policytekst.commands.<area>`` (each has ``register(app)``); this module
only assembles them. Commands raise :mod:`policytekst.errors` types and never print their own errors:

* :class:`~policytekst.errors.UsageError` (a bad request) -> exit 2, ``error: <message>`` on stderr;
* any other :class:`~policytekst.errors.PolicytekstError` (no corpus, a locked corpus, ...) or an ``OSError``
  (a file that cannot be read or written) -> exit 1, one line;
* anything else is a bug -> exit 1, ``error: internal error: <Type>: <message> (rerun with --debug ...)``.

``policytekst --debug COMMAND ...`` (or ``POLICYTEKST_DEBUG=1``) lets the traceback through instead. Click's own
usage errors (a missing option, a bad integer) keep their exit code 2.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from policytekst import __version__
from policytekst.commands import common, compare, corpus, interop, nlp, report, search, themes, topics, web
from policytekst.commands.common import err
from policytekst.errors import PolicytekstError, UsageError
from policytekst.store import diagnose_damage

# SQLite's result codes for a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB): a fact about the data, not a bug
_DAMAGED = (11, 26)
INTERNAL_HINT = "rerun with --debug for the traceback"


def error_line(exc: BaseException) -> tuple[str, int]:
    """The one line and the exit code for a failure, chosen by its type (never by its text)."""
    message = " ".join(str(exc).split())  # one line, whatever the message holds
    if isinstance(exc, UsageError):
        return message, 2
    if isinstance(exc, (PolicytekstError, OSError)):
        return message, 1
    if isinstance(exc, sqlite3.DatabaseError):
        damage = diagnose_damage(exc)  # an SQLite error from a damaged corpus file is a fact about the data
        if damage is not None:
            return " ".join(str(damage).split()), 1
        if getattr(exc, "sqlite_errorcode", None) in _DAMAGED:
            return (f"the corpus database is damaged ({message}); restore a copy or re-ingest into a new corpus "
                    "folder"), 1
    return f"internal error: {type(exc).__name__}: {message} ({INTERNAL_HINT})", 1


class PolicytekstGroup(TyperGroup):
    """The top-level command group: runs a command and reports its failure in one line with the right exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # an exit code chosen on purpose, or a usage error of the parser with its own message
        except BrokenPipeError:
            # the reader of our stdout went away (`... | head`): stop quietly, as Python's docs recommend
            _silence_stdout()
            raise typer.Exit(1) from None
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            message, code = error_line(exc)
            err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
            raise typer.Exit(code) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise BrokenPipeError again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (a test runner's buffer): nothing to silence
        pass


app = typer.Typer(cls=PolicytekstGroup, help="Corpus analytics for Norwegian policy and research texts.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"policytekst {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", envvar="POLICYTEKST_DEBUG",
                               help="Show the full traceback when a command fails."),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
    include_duplicates: bool = typer.Option(False, "--include-duplicates",
                                            help="Let analyses read duplicate documents and repeated passages "
                                                 "(by default each is counted once; see `policytekst status`)."),
) -> None:
    """Corpus analytics for Norwegian policy and research texts."""
    common.OPEN_OPTIONS["include_duplicates"] = include_duplicates


for area in (corpus, themes, topics, compare, search, report, nlp, interop, web):
    area.register(app)


def main() -> None:
    """Entry point of the `policytekst` console script."""
    app()


if __name__ == "__main__":
    main()
