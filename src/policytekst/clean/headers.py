"""Running headers and footers: lines that repeat at the top or bottom of many pages, numbers allowed to change
("2025–2026 Prop. 1 LS 29" and "30 Prop. 1 LS 2025–2026" are the same header on odd and even pages)."""

from __future__ import annotations

import re
from collections import Counter

from policytekst.clean.pagenumbers import is_page_number

_DIGITS = re.compile(r"\d+")
_ROMAN_TOKEN = re.compile(r"\b[ivxlcdm]{1,7}\b", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
EDGE_DEPTH = 3  # lines looked at on each edge of a page
_SECTION_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+[A-ZÆØÅ]")


def key(line: str) -> str:
    """A line with its numbers blanked and case/space folded, so a header matches on every page."""
    text = _DIGITS.sub("#", line.strip().lower())
    text = _ROMAN_TOKEN.sub("#", text)
    # the page number may sit on either side of the header text (odd/even pages): sort the tokens
    return " ".join(sorted(_SPACE.split(text)))


def edge_indices(lines: list[str], depth: int = EDGE_DEPTH) -> list[int]:
    idx = [i for i, line in enumerate(lines) if line.strip()]
    depth = max(1, min(depth, len(idx) // 4))  # a short page has its header on one line, not three
    return sorted(set(idx[:depth]) | set(idx[-depth:]))


def find_running(pages: list[list[str]], depth: int = EDGE_DEPTH) -> set[str]:
    """Keys of lines repeated at page edges on enough pages to be running headers/footers."""
    n = len(pages)
    if n < 3:
        return set()
    counts: Counter = Counter()
    for lines in pages:
        seen = {key(lines[i]) for i in edge_indices(lines, depth)}
        counts.update(k for k in seen if k.strip("# "))
    minimum = 3 if n >= 6 else 2
    return {k for k, c in counts.items() if c >= minimum}


def strip_running(pages: list[list[str]], depth: int = EDGE_DEPTH) -> tuple[list[list[str]], list[str]]:
    """Remove running headers/footers and page numbers; returns (pages, removed lines).

    A bare number is removed only as the very first or last line: a lone digit just above the footer is
    usually a footnote number, which the footnote step needs.
    """
    running = find_running(pages, depth)
    # a numbered section heading at a page edge ("4.6 Ikrafttredelse") is a running header only when the very
    # same line repeats; the same title under other numbers is the same kind of section in other chapters
    exact: Counter = Counter(" ".join(line.split()) for lines in pages for i in edge_indices(lines, depth)
                             for line in [lines[i]] if _SECTION_HEADING.match(line.strip()))
    minimum = 3 if len(pages) >= 6 else 2

    def is_running(line: str) -> bool:
        if key(line) not in running:
            return False
        return not _SECTION_HEADING.match(line.strip()) or exact[" ".join(line.split())] >= minimum

    removed: list[str] = []
    out: list[list[str]] = []
    for lines in pages:
        edges = set(edge_indices(lines, depth))
        kept = [line for i, line in enumerate(lines) if not (i in edges and is_running(line))]
        removed.extend(line.strip() for i, line in enumerate(lines) if i in edges and is_running(line))
        for end in (0, -1):
            nonblank = [i for i, line in enumerate(kept) if line.strip()]
            if nonblank and is_page_number(kept[nonblank[end]]):
                removed.append(kept.pop(nonblank[end]).strip())
        out.append(kept)
    return out, removed
