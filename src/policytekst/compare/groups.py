"""Passage tables with document variables, and group filters such as {"year": (None, 2005)}."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from policytekst.errors import UnknownNameError
from policytekst.model import ANALYSIS_KINDS

Group = Mapping[str, Any]


def passage_table(corpus, columns: Sequence[str] = (), kinds: Sequence[str] = ANALYSIS_KINDS) -> pd.DataFrame:
    """passage_id, doc_id, year, genre, ... plus any document meta columns asked for (fromParty, cabinet_name)."""
    frame = corpus.passages_frame(kinds)[["passage_id", "doc_id", "title", "year", "genre", "format",
                                          "doc_language", "n_words"]]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        docs = corpus.documents_frame()
        unknown = [c for c in missing if c not in docs.columns]
        if unknown:
            known = sorted(set(frame.columns) | set(docs.columns) - {"content_hash", "path"})
            raise UnknownNameError(f"no document variable {', '.join(unknown)} in {corpus.directory} "
                                   f"(known: {', '.join(known)})")
        frame = frame.merge(docs[["doc_id", *missing]], on="doc_id", how="left")
    return frame


def _condition(series: pd.Series, value: Any) -> pd.Series:
    if callable(value):
        return series.map(value).fillna(False).astype(bool)
    if isinstance(value, tuple) and len(value) == 2:
        low, high = value
        mask = series.notna()
        if low is not None:
            mask &= series >= low
        if high is not None:
            mask &= series <= high
        return mask.fillna(False).astype(bool)
    if isinstance(value, (list, set, frozenset)):
        return series.isin(list(value))
    return (series == value).fillna(False).astype(bool)


def group_mask(frame: pd.DataFrame, group: Group | Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
    """Rows matching every condition: a (low, high) tuple is an inclusive range (None = open), a list a set
    of values, a callable a predicate on the value, anything else equality."""
    if callable(group):
        return group(frame).astype(bool)
    mask = pd.Series(True, index=frame.index)
    for column, value in group.items():
        if column not in frame.columns:
            raise KeyError(f"group filter on unknown variable {column!r}")
        mask &= _condition(frame[column], value)
    return mask


def describe_group(group: Group) -> str:
    """A readable label for a group filter: "year 1996-2005", "genre=masteroppgave"."""
    if callable(group):
        return getattr(group, "__name__", "custom")
    parts = []
    for column, value in group.items():
        if isinstance(value, tuple) and len(value) == 2:
            low, high = value
            parts.append(f"{column} {'..' if low is None else low}-{'..' if high is None else high}")
        else:
            parts.append(f"{column}={value}")
    return ", ".join(parts) or "all"


def parse_group(text: str) -> dict[str, Any]:
    """Parse a command-line group: "year=..2005", "year=2006..", "year=1996..2005", "genre=masteroppgave",
    several joined by commas; "year<=2005" and "year>=2006" work too."""
    group: dict[str, Any] = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        for op in ("<=", ">=", "="):
            if op in part:
                key, value = (s.strip() for s in part.split(op, 1))
                break
        else:
            raise ValueError(f"group {text!r}: expected variable=value (e.g. year=..2005, genre=rapport)")
        if not key:
            raise ValueError(f"group {text!r}: missing variable name before {op!r}")
        if op == "<=":
            group[key] = (None, _number(value))
        elif op == ">=":
            group[key] = (_number(value), None)
        elif ".." in value:
            low, high = value.split("..", 1)
            group[key] = (_number(low) if low else None, _number(high) if high else None)
        elif "|" in value:
            group[key] = [_number(v) for v in value.split("|")]
        else:
            group[key] = _number(value)
    return group


def _number(value: str) -> Any:
    value = value.strip()
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value
