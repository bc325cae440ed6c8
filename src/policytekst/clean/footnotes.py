"""Footnotes: their markers leave the running text, their text becomes blocks of kind "footnote".

Three shapes are handled, all keyed on the footnote numbers running in sequence through the document:
- PDF pages: footnote lines at the page bottom ("3" alone or "3 Text ..."), the marker a digit glued to a word
  above ("velferdstjenestene3", or on its own line fragment because it is superscript);
- page-per-line transcripts: the footnote text glued at the end of the page's line ("... økono- 2 Se ...");
- Markdown: ``<sup>3</sup>`` / ``[^3]`` markers and footnote paragraphs starting with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = re.compile(r"^\s*(\d{1,3})(?:\s+(\S.*))?$")
_CLOSE = r"[\s.,;:!?)\]”\"'»]"


@dataclass
class Footnote:
    number: int
    text: str
    page: int = 1


def _marker_pattern(n: int) -> re.Pattern:
    # glued to a letter ("arbeidet4"), to a letter+digit ("NC213"), or after closing punctuation ("inntekt.1");
    # or, as pdfium prints superscripts, after a space at the very end of a line ("Midt-Norge 1")
    return re.compile(
        rf"(?:(?<=[^\W\d_])|(?<=[^\W\d_]\d)|(?<=[.,;:!?)”\"»]))({n})(?={_CLOSE}|$)"
        rf"|(?<=[\w.,;:!?)”\"»]) ({n})(?:$|(?=[.,;:!?)]))")


def find_markers(lines: list[str], first: int) -> list[tuple[int, int, int, int]]:
    """Markers first, first+1, ... in reading order: (number, line index, start, end)."""
    found = []
    n, start_line, start_col = first, 0, 0
    while True:
        pattern = _marker_pattern(n)
        hit = None
        for li in range(start_line, len(lines)):
            match = pattern.search(lines[li], start_col if li == start_line else 0)
            if match:
                group = 1 if match.group(1) else 2
                hit = (n, li, match.start(group) - (1 if group == 2 else 0), match.end(group))
                break
        if hit is None:
            return found
        found.append(hit)
        n, start_line, start_col = n + 1, hit[1], hit[3]


def split_page(lines: list[str], expected: int) -> tuple[list[str], list[tuple[int, str]], int]:
    """Split one PDF page's lines into (body lines, [(number, text)], next expected footnote number)."""
    if not lines:
        return lines, [], expected
    # numbering normally runs on from the last page; a missed page or a restart per chapter is allowed for
    candidates = list(range(expected, expected + 4)) + ([1] if expected > 1 else [])
    for first in candidates:
        starts = [i for i, line in enumerate(lines) if (m := _START.match(line)) and int(m.group(1)) == first]
        for s in reversed(starts):  # the footnote area is at the page foot: a numbered heading above it is body
            if s == 0 or s < len(lines) // 4:
                continue
            markers = find_markers(lines[:s], first)
            if not markers:
                continue
            # the footnote area: from s to the page end, numbers first..last at line starts in order
            notes: list[tuple[int, list[str]]] = []
            n = first
            ok = True
            for line in lines[s:]:
                m = _START.match(line)
                if m and int(m.group(1)) == n and (n == first or notes):
                    notes.append((n, [m.group(2) or ""]))
                    n += 1
                elif notes:
                    notes[-1][1].append(line)
                else:
                    ok = False
                    break
            if not ok or not notes or len(notes) > len(markers) + 3:
                continue
            numbers = {num for num, _ in notes}
            body = list(lines[:s])
            for num, li, a, b in reversed(markers):
                if num in numbers:
                    body[li] = body[li][:a] + body[li][b:]
            texts = [(num, _join(parts)) for num, parts in notes]
            return body, texts, notes[-1][0] + 1
    return lines, [], expected


def _join(parts: list[str]) -> str:
    from policytekst.clean.hyphenation import mend

    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not text:
            text = part
            continue
        mended = mend(text, part)
        text = mended if mended is not None else text + " " + part
    return text


_INLINE_START = r"(?<=\s){n} (?=[A-ZÆØÅ0-9\"«”(]|www|http)"


def split_inline(text: str, expected: int) -> tuple[str, list[tuple[int, str]], int]:
    """Footnotes glued at the end of one transcript page: (body, [(number, text)], next expected)."""
    for first in ([expected, 1] if expected > 1 else [1]):
        markers = _inline_markers(text, first)
        while markers:
            last_pos = markers[-1][2]
            zone_starts = []
            pos = last_pos
            for n in range(first, markers[-1][0] + 1):
                match = re.compile(_INLINE_START.format(n=n)).search(text, pos)
                if match is None:
                    break
                zone_starts.append((n, match.start()))
                pos = match.end()
            if len(zone_starts) == len(markers) and len(text) - zone_starts[0][1] < 0.7 * len(text):
                notes = []
                for i, (n, start) in enumerate(zone_starts):
                    end = zone_starts[i + 1][1] if i + 1 < len(zone_starts) else len(text)
                    notes.append((n, text[start + len(str(n)) + 1:end].strip()))
                body = text[:zone_starts[0][1]]
                for _, a, b in reversed([(n, a, b) for n, a, b in markers]):
                    body = body[:a] + body[b:]
                return body.rstrip(), notes, markers[-1][0] + 1
            markers = markers[:-1]
    return text, [], expected


def _inline_markers(text: str, first: int) -> list[tuple[int, int, int]]:
    """Markers " n" after a word or punctuation, followed by space or punctuation: (n, start, end)."""
    found = []
    n, pos = first, 0
    while True:
        match = re.compile(rf"(?<=[^\W\d_]|[.,;:!?)”\"»])( ?{n})(?={_CLOSE}|$)").search(text, pos)
        if match is None:
            return found
        found.append((n, match.start(1), match.end(1)))
        n, pos = n + 1, match.end(1)


_SUP = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>|\[\^(\d{1,3})\]")
_SUP_START = re.compile(r"^\s*(?:<sup>\s*(\d{1,3})\s*</sup>|\[\^(\d{1,3})\]:?)\s*(.*)$")


def markdown_footnote(line: str) -> tuple[int, str] | None:
    """(number, text) when a Markdown line is a footnote ("<sup>3</sup> Text" or "[^3]: Text")."""
    match = _SUP_START.match(line)
    if not match or not match.group(3):
        return None
    return int(match.group(1) or match.group(2)), match.group(3).strip()


def strip_markdown_markers(text: str) -> str:
    """Remove ``<sup>n</sup>`` and ``[^n]`` markers from running text."""
    return _SUP.sub("", text)
