"""The one error catalogue: what the library raises when the caller, not the code, is at fault.

The command line maps these by type, never by message text: :class:`UsageError` (a bad theme name, year range,
``k``, query or file format) exits 2; any other :class:`PolicytekstError` (no corpus here, a locked corpus, a broken
file) exits 1 with its one-line message. Anything else is a bug and is reported as such (``--debug`` shows it).
"""

from __future__ import annotations


class PolicytekstError(Exception):
    """A failure the user can act on; the message names the thing (file, corpus, theme) and the problem."""


class UsageError(PolicytekstError, ValueError):
    """The request itself is wrong: an unknown name, a bad range or number, a query that cannot be parsed.

    It is a ``ValueError`` too, so code that validated with ``ValueError`` before keeps working.
    """


class UnknownNameError(UsageError, KeyError):
    """A name (theme, topic model, document variable, document id) that is not there; says which ones are."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def unknown(what: str, name: object, known: object) -> UnknownNameError:
    """``unknown("theme", "kasteballl", names)`` -> "unknown theme 'kasteballl' (known: a, b, c)"."""
    names = ", ".join(str(k) for k in known) if not isinstance(known, str) else known
    return UnknownNameError(f"unknown {what} {name!r} (known: {names or 'none'})")


class NotEnoughData(PolicytekstError):
    """The corpus is too small or too thin for an analysis (a fact about the data, not a bug): too few documents
    for a map, no years for a trend. The report shows it as an "empty" section; the command line exits 1."""
