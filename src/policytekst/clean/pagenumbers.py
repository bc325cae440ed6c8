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


# -- printed page labels (for citations) ---------------------------------------------------------------------
_EDGE_LINES = 2  # lines looked at on each edge of a page for its printed number
_HEADER_NUMBER = re.compile(r"^(\d{1,4})\s+\S.*$|^.*\S\s+(\d{1,4})$")  # "29 Prop. 1 LS" / "Prop. 1 LS 29"


def _page_number_token(line: str) -> str | None:
    line = line.strip()
    if is_page_number(line):
        match = re.search(rf"\d{{1,4}}|\b{_ROMAN}\b", line, re.IGNORECASE)
        return match.group(0) if match else None
    match = _HEADER_NUMBER.match(line) if len(line) <= 120 else None
    return (match.group(1) or match.group(2)) if match else None


def printed_labels(pages: list[str], min_share: float = 0.3) -> list[str] | None:
    """The page number printed on each physical page, for citing pages as the reader sees them.

    Arabic numbers are trusted only through a constant offset to the physical page that most numbered pages
    agree on (so years and chapter numbers in running headers do not count); pages before the first arabic
    page keep a roman numeral where one is printed. Returns None when no offset is well supported.
    """
    from collections import Counter

    arabic: dict[int, set[int]] = {}  # every number at a page's edge: the offset vote picks the right one
    roman: dict[int, str] = {}
    for index, text in enumerate(pages):
        lines = [line for line in text.split("\n") if line.strip()]
        for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]:
            token = _page_number_token(line)
            if token is None:
                continue
            if token.isdigit():
                arabic.setdefault(index, set()).add(int(token))
            elif roman_value(token):
                roman.setdefault(index, token.lower())
    offsets = Counter(value - index for index, values in arabic.items() for value in values)
    if not offsets:
        return None
    offset, support = offsets.most_common(1)[0]
    if support < max(3, min_share * len(pages)):
        return None
    first = min(i for i, values in arabic.items() if i + offset in values)
    # front matter is usually counted in roman numerals from the title page on, printed or not
    front = Counter(roman_value(token) - index for index, token in roman.items() if index < first)
    roman_offset = front.most_common(1)[0][0] if front else None
    labels = []
    for index in range(len(pages)):
        if index + offset >= 1 and (index >= first or roman_offset is None and index not in roman):
            labels.append(str(index + offset))  # counted in the same run, printed or not (a title page)
        elif index in roman:
            labels.append(roman[index])
        elif roman_offset is not None and index < first and index + roman_offset >= 1:
            labels.append(to_roman(index + roman_offset))
        else:
            labels.append("")
    return labels


def to_roman(value: int) -> str:
    """A positive integer as a lower-case roman numeral (front-matter page labels)."""
    out = []
    for number, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, value = divmod(value, number)
        out.append(letters * count)
    return "".join(out)
