"""Printed page numbers: lone numbers at a page's top or bottom ("12", "- 12 -", "Side 12", "12 av 40", roman
numerals in front matter), and numbers glued to the start or end of a page in page-per-line transcripts."""

from __future__ import annotations

import re

_ROMAN = r"[ivxlcdm]{1,7}"
PAGE_NUMBER = re.compile(
    rf"^(?:(?:side|page|s\.|p\.|pg\.)\s*)?[-–—(\[]?\s*(\d{{1,4}}|{_ROMAN})\s*[-–—)\]]?"
    rf"(?:\s*(?:av|of|/|de)\s*\d{{1,4}})?$",
    re.IGNORECASE,
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def is_page_number(line: str) -> bool:
    """True for a line that is nothing but a printed page number."""
    line = line.strip()
    return bool(line) and len(line) <= 16 and PAGE_NUMBER.match(line) is not None


def roman_value(token: str) -> int | None:
    """The value of a lower- or upper-case roman numeral, or None."""
    token = token.lower()
    if not token or any(c not in _ROMAN_VALUES for c in token):
        return None
    total = 0
    for i, c in enumerate(token):
        value = _ROMAN_VALUES[c]
        total += -value if i + 1 < len(token) and _ROMAN_VALUES[token[i + 1]] > value else value
    return total


def strip_edge_numbers(lines: list[str], depth: int = 2) -> list[str]:
    """Remove page-number lines among the first and last ``depth`` non-empty lines of a page."""
    keep = list(lines)
    idx = [i for i, line in enumerate(keep) if line.strip()]
    edges = set(idx[:depth]) | set(idx[-depth:])
    return [line for i, line in enumerate(keep) if not (i in edges and is_page_number(line))]


_LEADING = re.compile(r"^\s*(\d{1,4})(?=\s|$)")
_TRAILING = re.compile(r"(?:^|\s)(\d{1,4}|[ivxlc]{1,6})\s*$")


def glued_numbers(lines: list[str]) -> str | None:
    """Where a page-per-line transcript glues its page numbers: "start", "end" or None.

    A side qualifies when most long lines carry a number there and the numbers mostly increase by one
    from line to line (page 9, 10, 11 ...), which ordinary sentences never do.
    """
    long_lines = [line for line in lines if len(line) > 200]
    if len(long_lines) < 3:
        return None
    best, best_score = None, 0.0
    for side, pattern in (("start", _LEADING), ("end", _TRAILING)):
        values = []
        for line in long_lines:
            match = pattern.search(line)
            token = match.group(1) if match else ""
            values.append(int(token) if token.isdigit() else None)
        numbered = [v for v in values if v is not None]
        # consecutive numbered lines (other long lines, such as teasers of other documents, are skipped)
        steps = sum(1 for a, b in zip(numbered, numbered[1:], strict=False) if 0 < b - a <= 3)
        score = steps / max(1, len(numbered) - 1) if len(numbered) >= 3 else 0.0
        if score > best_score:
            best, best_score = side, score
    return best if best_score >= 0.5 else None


def split_glued(line: str, side: str) -> tuple[int | None, str]:
    """(page number, text) of one transcript line whose page number is glued at ``side``."""
    stripped = line.strip()
    if is_page_number(stripped):
        token = PAGE_NUMBER.match(stripped).group(1)
        return (int(token) if token.isdigit() else -(roman_value(token) or 0)), ""
    pattern = _LEADING if side == "start" else _TRAILING
    match = pattern.search(stripped)
    if not match:
        return None, stripped
    token = match.group(1)
    number = int(token) if token.isdigit() else -(roman_value(token) or 0)
    text = stripped[match.end():] if side == "start" else stripped[:match.start()]
    return number, text.strip()
