"""One vocabulary for selecting by year: ``2006``, ``2000..2010``, ``..2005``, ``2006..`` (``-`` is an alias of ``..``).

Search filters, compare groups, trend periods, theme tables and topic periods all parse years here, so a range
means the same everywhere and a reversed or malformed one is refused with the same message.

Examples
--------
>>> parse_years("2000..2010")
YearRange(low=2000, high=2010)
>>> parse_years("..2005").contains(1999)
True
>>> str(parse_years("2006-"))
'2006..'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policytekst.errors import UsageError

SYNTAX = "2006, 2000..2010, ..2005 or 2006.. ('-' works as '..')"
_RANGE = re.compile(r"(?P<low>\d{1,4})?\s*(?:\.\.|-|–)\s*(?P<high>\d{1,4})?|(?P<one>\d{1,4})")


@dataclass(frozen=True)
class YearRange:
    """Inclusive year range; ``None`` on a side means open."""

    low: int | None = None
    high: int | None = None

    def __post_init__(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise UsageError(f"year range {self.low}..{self.high} is reversed (did you mean {self.high}..{self.low}?)")

    @property
    def is_open(self) -> bool:
        """True when the range selects every year (no bound at all)."""
        return self.low is None and self.high is None

    def contains(self, year: Any) -> bool:
        if year is None or year != year:  # None or NaN: an undated document is in no bounded range
            return self.is_open
        year = int(year)
        return (self.low is None or year >= self.low) and (self.high is None or year <= self.high)

    def as_tuple(self) -> tuple[int | None, int | None]:
        return self.low, self.high

    @property
    def label(self) -> str:
        """A label for tables and plots: "1996-2005", "2006", "..2005", "2006.." (still valid input)."""
        if self.low is not None and self.high is not None and self.low != self.high:
            return f"{self.low}-{self.high}"
        return str(self)

    def __str__(self) -> str:
        if self.low is not None and self.low == self.high:
            return str(self.low)
        return f"{'' if self.low is None else self.low}..{'' if self.high is None else self.high}"


def parse_years(value: Any) -> YearRange:
    """A year selection from a string, an int, a (low, high) pair, a :class:`YearRange` or None (all years).

    Raises :class:`~policytekst.errors.UsageError` for anything else, and for a reversed range.
    """
    if value is None:
        return YearRange()
    if isinstance(value, YearRange):
        return value
    if isinstance(value, bool):
        raise UsageError(f"bad year selection {value!r} (use {SYNTAX})")
    if isinstance(value, int):
        return YearRange(value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = value
        return YearRange(_year(low, value), _year(high, value))
    text = str(value).strip()
    match = _RANGE.fullmatch(text)
    if not text or not match or text in ("-", "..", "–"):
        raise UsageError(f"bad year selection {value!r} (use {SYNTAX})")
    if match.group("one"):
        year = int(match.group("one"))
        return YearRange(year, year)
    low, high = match.group("low"), match.group("high")
    return YearRange(int(low) if low else None, int(high) if high else None)


def _year(part: Any, whole: Any) -> int | None:
    if part is None or (isinstance(part, str) and not part.strip()):
        return None
    try:
        return int(part)
    except (TypeError, ValueError):
        raise UsageError(f"bad year selection {whole!r} (use {SYNTAX})") from None


def parse_periods(value: str | Sequence[Any]) -> list[YearRange] | list[int]:
    """Periods for trends and tables: break years ("2006" or "2001,2006,2011") or ranges ("..2005,2006..").

    Break years come back as a sorted list of ints (each starts a period); anything else as ranges.
    """
    parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    parts = [p for p in parts if not (isinstance(p, str) and not p)]
    if not parts:
        raise UsageError(f"no periods given (use break years such as 2006 or 2001,2006, or ranges {SYNTAX})")
    if all(isinstance(p, int) or (isinstance(p, str) and p.isdigit()) for p in parts):
        return sorted(int(p) for p in parts)
    ranges = [parse_years(p) for p in parts]
    return ranges
