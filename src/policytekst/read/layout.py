"""Reading order of a PDF page from pdfium's geometry: columns, bands, margins and column-foot footnotes.

pdfium returns a page's text in the file's (content-stream) order. Most producers write column after column, so
that order reads right -- except for footnotes: a footnote at the foot of the first column sits between the two
columns, and the cleaning step (which looks for footnotes at the end of a page) either misses it or takes the
second column for footnote text. Some producers also write a page row by row across its columns. This module
finds the page's layout cheaply (a few pdfium calls per pdfium line, not per character) and fixes both:

1. lines   -- pdfium's own lines, placed by their first and last characters; a pdfium line that joins objects far
              apart (a header and its page number, two columns' lines) or carries a raised marker is split;
2. header/footer bands -- at most a few rows at the top or bottom edge, cut off from the rest by a clear gap;
3. margins -- a few lines wholly outside the page's text block (a running header or page number printed in the
              outer margin) go first, where the running-header step looks for them;
4. columns -- recursively, a vertical gutter that full lines on both sides reach (tables, whose cells are short,
              do not qualify); lines crossing it split the region into bands (a one-column abstract above two
              columns, a box across both), and a band whose one side has no running text stays whole;
5. footnotes per column -- a run of smaller-type lines at a column's foot, opening with a number and reaching
              the foot of the page's text; all of a page's footnotes follow all of its body text, so the
              footnote step finds them at the page end;
6. order   -- the body keeps the file's order (best for table cells that wrap), unless the file switches between
              real columns line by line; then columns are read one after the other, bands top to bottom.

Pieces of one row that follow each other are printed on one text line, as pdfium prints them, and raised
footnote numbers are glued to their word; the characters of a page are never dropped or repeated.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

import numpy as np
import pypdfium2.raw as pdfium_c

# Tunables, in units of the page's body type size unless said otherwise.
_JOIN_GAP = 0.6  # runs on one baseline further apart than this are separate lines (a gutter or table gap;
# a narrow 1 em gutter is well above it; a wide word space in justified text that passes it only splits a
# line in two pieces, which are printed together again)
_MIN_GUTTER = 0.8  # the narrowest column gutter
_FULL_LINE = 8.0  # a line at least this wide counts as running text when judging a column
_MIN_SIDE_LINES = 3  # full lines needed on each side of a gutter
_FILL = 0.75  # the median line on each side of a gutter is at least this share of a full line
_EDGE_SHARE = 0.12  # header/footer bands lie within this share of the page height from an edge
_EDGE_GAP = 1.6  # ... and are cut off by a gap of this many body lines' height
_EDGE_ROWS = 3.5  # ... and are at most this many body type sizes deep (two or three rows)
_SMALLER = 0.9  # footnote type is at most this share of the body type
_MAX_MARGIN_LINES = 4  # margin text is a few lines; more is a column of its own (TOC page numbers)
# the file's order is "row by row across columns" when it switches column more often than this
_MAX_SWITCHES, _SWITCH_SHARE = 4, 0.5
_BAND_LINES = 2  # full lines each side of the gutter needs in a band for the band to be read as columns


@dataclass
class Line:
    """A line of text: its runs' character ranges in content order and its box (PDF units, y upwards)."""

    x0: float
    x1: float
    bottom: float
    top: float
    size: float
    chars: int
    runs: list[tuple[int, int, float, float]] = field(default_factory=list)  # (start, end, bottom, size)
    spans: list[tuple[float, float]] = field(default_factory=list)  # each run's (x0, x1)
    firsts: list[str] = field(default_factory=list)  # each run's first visible character
    lead: str = ""  # the line's first visible character
    base_bottom: float = 0.0  # the bottom of its longest run (where a raised marker is measured from)

    @property
    def start(self) -> int:
        return self.runs[0][0]

    def add(self, start: int, end: int, box: tuple[float, float, float, float], size: float,
            first: str = "") -> None:
        x0, bottom, x1, top = box
        self.x0, self.x1 = min(self.x0, x0), max(self.x1, x1)
        self.bottom, self.top = min(self.bottom, bottom), max(self.top, top)
        if end - start > self.chars:  # the type size of a line is that of its longest run (not a superscript)
            self.size, self.chars, self.base_bottom = size, end - start, bottom
        self.runs.append((start, end, bottom, size))
        self.spans.append((x0, x1))
        self.firsts.append(first)


def page_text(textpage, text: str, rotation: int = 0) -> str:
    """The page's text in reading order (see the module docstring); ``text`` is pdfium's get_text_range().

    Falls back to ``text`` unchanged whenever the geometry cannot be read with confidence.
    """
    if rotation % 180 or not text.strip():
        return text  # a page turned on its side has vertical lines in PDF space: keep pdfium's order
    lines = _lines(textpage, text)
    if lines is None or len(lines) < 2:
        return text
    body_size = _body_size(lines)
    order, notes, tail = _reading_order(lines, body_size)
    sequence = order + notes + tail
    # pieces of one row that follow each other (a header and its page number, table cells far apart) share a
    # text line again, as pdfium prints them, so running headers and tables look the same as before
    out: list[str] = []
    for k, ln in enumerate(sequence):
        piece = _line_text(text, ln, body_size)
        prev = sequence[k - 1] if k else None
        if prev is not None and ln.x0 > prev.x1 and _overlap(prev, ln) > 0.5 * min(prev.top - prev.bottom,
                                                                                ln.top - ln.bottom):
            out[-1] = out[-1].rstrip(" ") + " " + piece
        else:
            out.append(piece)
    return "\n".join(out)


# -- runs and lines -------------------------------------------------------------------------------------------
# a pdfium line from its first to its last visible character; pdfium ends a hyphenated line with U+FFFE and no
# line break, so the U+FFFE closes a line too
_SEGMENT = re.compile(r"[^\s\ufffe](?:[^\r\n\ufffe]*[^\s\ufffe])?")


class _Chars:
    """Geometry of single characters, a few pdfium calls each: baseline origin, horizontal extent, type size."""

    def __init__(self, textpage) -> None:
        self.raw = textpage.raw
        self._box = pdfium_c.FS_RECTF()
        self._matrix = pdfium_c.FS_MATRIX()
        self._rect = tuple(ctypes.c_double() for _ in range(4))
        self.turned = False  # set by size(): was that character's text turned on its side?

    def origin(self, index: int) -> tuple[float, float, float]:
        """(left, right, baseline) of a character; the bottom of its loose (font) box stands for the baseline
        (one pdfium call: the font's descent is the same for every character of a run)."""
        pdfium_c.FPDFText_GetLooseCharBox(self.raw, index, self._box)
        return self._box.left, self._box.right, self._box.bottom

    def gapped(self, first: int, last: int, size: float) -> bool:
        """Does a pdfium line hold text objects far apart (a header and its page number, two columns' lines)?"""
        n = pdfium_c.FPDFText_CountRects(self.raw, first, last - first + 1)
        if n < 2:
            return False
        left, top, right, bottom = self._rect
        pdfium_c.FPDFText_GetRect(self.raw, 0, left, top, right, bottom)
        previous = right.value
        for k in range(1, n):
            pdfium_c.FPDFText_GetRect(self.raw, k, left, top, right, bottom)
            if left.value - previous > _JOIN_GAP * size:
                return True
            previous = right.value
        return False

    def size(self, index: int) -> float:
        """The type size in points: the font size times the text matrix's scale (producers use either)."""
        size = pdfium_c.FPDFText_GetFontSize(self.raw, index)
        self.turned = False
        if pdfium_c.FPDFText_GetMatrix(self.raw, index, self._matrix):
            m = self._matrix
            size *= abs(m.a * m.d - m.b * m.c) ** 0.5
            self.turned = abs(m.b) > 0.1 * abs(m.a)  # text set at an angle (a spine, a turned axis label)
        return max(size, 0.5)


def _lines(textpage, text: str) -> list[Line] | None:
    """Group pdfium's text lines (its own breaks in ``text``) into lines of the page by geometry.

    Each pdfium line is a run, placed by its first and last visible characters (a handful of pdfium calls per
    line rather than per character). A pdfium line whose ends sit on different baselines (pdfium joined two
    lines, or a raised footnote marker ends it) is split character by character.
    """
    if len(text) != pdfium_c.FPDFText_CountChars(textpage.raw):
        return None  # the string does not map one-to-one onto pdfium's characters (e.g. surrogate pairs)
    chars = _Chars(textpage)
    runs: list[tuple[int, float, float, float, float]] = []  # (start, x0, x1, baseline, size)
    for match in _SEGMENT.finditer(text):
        runs.extend(_segment_runs(text, match.start(), match.end() - 1, chars))
    if not runs:
        return None
    lines: list[Line] = []
    for k, (start, x0, x1, base, size) in enumerate(runs):
        end = runs[k + 1][0] if k + 1 < len(runs) else len(text)
        if k == 0:
            start = 0  # characters pdfium placed before the first run belong to it
        box = (x0, base - 0.25 * size, x1, base + 0.75 * size)  # the font's body, not the glyphs' ink
        line = lines[-1] if lines else None
        first = text[start:end].lstrip()[:1]
        if line is not None and _same_line(line, box, size):
            line.add(start, end, box, size, first)
        else:
            new = Line(x0, x1, box[1], box[3], size, 0, lead=first)
            new.add(start, end, box, size, first)
            lines.append(new)
    return lines


def _segment_runs(text: str, first: int, last: int, chars: _Chars) -> list[tuple[int, float, float, float, float]]:
    """The runs of one pdfium line: usually the line itself, checked at its two ends."""
    x0, _, base = chars.origin(first)
    _, x1, last_base = chars.origin(last)
    size = chars.size(first)
    if chars.turned:  # one run however its characters stack: its order is pdfium's, its place a narrow strip
        return [(first, min(x0, x1), max(x0, x1), min(base, last_base), size)]
    if abs(last_base - base) <= 0.2 * size:
        if x1 >= x0 and not chars.gapped(first, last, size):
            return [(first, x0, x1, base, size)]
    else:
        # most often a raised footnote marker ends the line: look back over a few characters for the baseline
        k = last
        while k > first and last - k < 8 and (text[k].isspace() or abs(chars.origin(k)[2] - base) > 0.2 * size):
            k -= 1
        if first < k and last - k < 8:
            return _segment_runs(text, first, k, chars) + _split_segment(text, k + 1, last, chars)
        # or a raised number opens it (a footnote's own number): look ahead for the baseline of the line's end
        k = first
        while k < last and k - first < 8 and (text[k].isspace() or abs(chars.origin(k)[2] - last_base) > 0.2 * size):
            k += 1
        if k < last and k - first < 8:
            return _split_segment(text, first, k - 1, chars) + _segment_runs(text, k, last, chars)
    return _split_segment(text, first, last, chars)


def _split_segment(text: str, first: int, last: int, chars: _Chars) -> list[tuple[int, float, float, float, float]]:
    """Runs of one pdfium line that is really several: its characters change baseline or jump a gap."""
    runs: list[list] = []
    prev_left = prev_right = 0.0
    for index in range(first, last + 1):
        if text[index].isspace() or text[index] == "\ufffe":
            continue
        left, right, base = chars.origin(index)
        if runs:
            run = runs[-1]
            size = run[4]
            # a ligature's second character shares the first one's box, so a step back to that box is allowed
            if abs(base - run[3]) <= 0.2 * size and prev_left - 0.5 <= left <= prev_right + _JOIN_GAP * size:
                run[2] = max(run[2], right)
                prev_left, prev_right = left, right
                continue
        runs.append([index, left, right, base, chars.size(index)])
        prev_left, prev_right = left, right
    return [tuple(run) for run in runs]


def _same_line(line: Line, box: tuple[float, float, float, float], size: float) -> bool:
    x0, bottom, x1, top = box
    overlap = min(line.top, top) - max(line.bottom, bottom)
    if overlap < 0.4 * min(line.top - line.bottom, top - bottom):
        return False
    gap = x0 - line.x1
    return -0.5 * size <= gap <= _JOIN_GAP * max(line.size, size)


def _body_size(lines: list[Line]) -> float:
    """The type size most characters on the page are set in."""
    sizes = sorted((round(ln.size, 1), ln.chars) for ln in lines)
    half, seen = sum(c for _, c in sizes) / 2, 0
    for size, chars in sizes:
        seen += chars
        if seen >= half:
            return size
    return sizes[-1][0]


# -- reading order ----------------------------------------------------------------------------------------------
def _reading_order(lines: list[Line], size: float) -> tuple[list[Line], list[Line], list[Line]]:
    """(body lines in reading order, footnote lines in reading order, footer lines).

    The file's own order is kept for the body unless it jumps between columns line by line (a producer that
    writes a page row by row across its columns): most producers write column after column, and inside a
    column their order is better than geometry for table cells that wrap over several lines.
    """
    header, rest, footer = _edge_bands(lines, size)
    margin, rest = _split_margins(rest, size)
    columns = _columns(rest, size)
    body: list[Line] = []
    notes: list[Line] = []
    leaf: dict[int, int] = {}
    floor = min((ln.bottom for ln in rest), default=0.0)
    for k, column in enumerate(columns):
        text, foot = _column_footnotes(column, size, floor)
        body.extend(text)
        notes.extend(foot)
        leaf.update((id(ln), k) for ln in text)
    in_file_order = _file_order(body)
    # count column switches over running-text lines of real columns only (three full lines or more): a chart's
    # labels or a table's cells scatter over little "columns" by nature
    is_full = {id(ln): ln.x1 - ln.x0 >= _FULL_LINE * size for ln in body}
    per_leaf = [sum(is_full[id(ln)] for ln in column if id(ln) in is_full) for column in columns]
    full = [ln for ln in in_file_order if is_full[id(ln)] and per_leaf[leaf[id(ln)]] >= _MIN_SIDE_LINES]
    switches = sum(1 for a, b in zip(full, full[1:], strict=False) if leaf[id(a)] != leaf[id(b)])
    if switches <= max(_MAX_SWITCHES, _SWITCH_SHARE * len(full)):
        body = in_file_order
    return _file_order(margin) + _file_order(header) + body, notes, _file_order(footer)


def _split_margins(lines: list[Line], size: float) -> tuple[list[Line], list[Line]]:
    """Lines wholly outside the page's main text block, left or right (margin headers, side labels)."""
    full = [ln for ln in lines if ln.x1 - ln.x0 >= _FULL_LINE * size]
    if len(full) < 5:
        return [], lines
    left = _quantile([ln.x0 for ln in full], 0.05)
    right = _quantile([ln.x1 for ln in full], 0.95)
    margin = [ln for ln in lines if ln.x1 < left - 0.5 * size or ln.x0 > right + 0.5 * size]
    if len(margin) > min(_MAX_MARGIN_LINES, 0.1 * len(lines)):
        return [], lines  # that much text outside is a layout of its own, not a margin
    keep = {id(ln) for ln in margin}
    return margin, [ln for ln in lines if id(ln) not in keep]


def _edge_bands(lines: list[Line], size: float) -> tuple[list[Line], list[Line], list[Line]]:
    """(header lines, the rest, footer lines): lines at the page's top or bottom edge cut off by a clear gap."""
    if len(lines) < 6:
        return [], lines, []
    top = max(ln.top for ln in lines)
    bottom = min(ln.bottom for ln in lines)
    height = top - bottom
    header = _edge(lines, height, size, lambda ln: top - ln.top, lambda ln: top - ln.bottom)
    footer = _edge(lines, height, size, lambda ln: ln.bottom - bottom, lambda ln: ln.top - bottom)
    edge = {id(ln) for ln in header + footer}
    return header, [ln for ln in lines if id(ln) not in edge], footer


def _edge(lines: list[Line], height: float, size: float, near, far) -> list[Line]:
    """Lines at one page edge cut off from the rest by a clear gap (a header or footer band).

    ``near``/``far`` give a line's near and far side as distances from that edge.
    """
    ordered = sorted(lines, key=near)
    nearest_after = [0.0] * len(ordered)  # the nearest side of any line after position i, computed once
    best = float("inf")
    for i in range(len(ordered) - 1, -1, -1):
        nearest_after[i] = best
        best = min(best, near(ordered[i]))
    reach = float("-inf")
    for i, ln in enumerate(ordered[:-1]):
        reach = max(reach, far(ln))
        if reach > min(_EDGE_SHARE * height, _EDGE_ROWS * size) or i >= 2 * _EDGE_ROWS:
            break  # deeper than a few rows: running text under a figure, not a header or footer
        if nearest_after[i] - reach >= _EDGE_GAP * size:
            return ordered[:i + 1]
    return []


def _columns(lines: list[Line], size: float, depth: int = 0) -> list[list[Line]]:
    """Split a region into columns (recursively) and bands; returns leaf columns in reading order."""
    gutter = _find_gutter(lines, size) if depth < 4 else None
    if gutter is None:
        return [_file_order(lines)]
    g0, g1 = gutter
    lines = [part for ln in lines for part in _cut(ln, (g0 + g1) / 2)]
    out: list[list[Line]] = []
    band: list[Line] = []
    spanning = False
    for ln in sorted(lines, key=lambda ln: -ln.top):
        crosses = ln.x0 < g0 - 0.5 * size and ln.x1 > g1 + 0.5 * size
        if band and crosses != spanning:
            out.extend(_band(band, spanning, gutter, size, depth))
            band = []
        band.append(ln)
        spanning = crosses
    if band:
        out.extend(_band(band, spanning, gutter, size, depth))
    return out


def _cut(line: Line, x: float) -> list[Line]:
    """A line whose runs leave a gap at ``x`` (a column gutter) as two lines: the left column's line and the
    right one's, which a producer writing row by row may put next to each other."""
    for k in range(1, len(line.runs)):
        if line.spans[k - 1][1] <= x <= line.spans[k][0]:
            parts = []
            for lo, hi in ((0, k), (k, len(line.runs))):
                runs, spans, firsts = line.runs[lo:hi], line.spans[lo:hi], line.firsts[lo:hi]
                part = Line(spans[0][0], spans[0][1], line.bottom, line.top, runs[0][3], 0, lead=firsts[0])
                for (start, end, bottom, size), (x0, x1), first in zip(runs, spans, firsts, strict=True):
                    part.add(start, end, (x0, bottom, x1, bottom + size), size, first)
                parts.append(part)
            return parts
    return [line]


def _band(lines: list[Line], spanning: bool, gutter: tuple[float, float], size: float,
          depth: int) -> list[list[Line]]:
    if spanning:
        return [_file_order(lines)]
    middle = (gutter[0] + gutter[1]) / 2
    left = [ln for ln in lines if (ln.x0 + ln.x1) / 2 < middle]
    right = [ln for ln in lines if (ln.x0 + ln.x1) / 2 >= middle]
    full = _FULL_LINE * size
    if left and right and (sum(ln.x1 - ln.x0 >= full for ln in left) < _BAND_LINES
                           or sum(ln.x1 - ln.x0 >= full for ln in right) < _BAND_LINES):
        # one side holds no running text in this band (table cells, figure labels): the page's gutter does not
        # cut it, and the file's order (row by row for a table) stands
        return [_file_order(lines)]
    return [c for side in (left, right) if side for c in _columns(side, size, depth + 1)]


def _file_order(lines: list[Line]) -> list[Line]:
    """A column's lines in the file's order: top to bottom for running text, cell by cell for tables."""
    return sorted(lines, key=lambda ln: ln.start)


def _find_gutter(lines: list[Line], size: float) -> tuple[float, float] | None:
    """The vertical gap (x0, x1) that best splits the region into columns, or None for one column."""
    full = [ln for ln in lines if ln.x1 - ln.x0 >= _FULL_LINE * size]
    if len(full) < 2 * _MIN_SIDE_LINES:
        return None
    # quick exit for one-column text: too few full lines start or end away from the text block's edges
    lo, hi = min(ln.x0 for ln in full), max(ln.x1 for ln in full)
    inner = 0.15 * (hi - lo)
    if sum(ln.x0 > lo + inner for ln in full) < _MIN_SIDE_LINES or \
            sum(ln.x1 < hi - inner for ln in full) < _MIN_SIDE_LINES:
        return None
    x0 = np.array([ln.x0 for ln in lines])
    x1 = np.array([ln.x1 for ln in lines])
    wide = np.array([ln.x1 - ln.x0 >= _FULL_LINE * size for ln in lines])
    candidates = np.unique(np.round(x1[wide], 1))
    lo, hi = x0.min(), x1.max()
    candidates = candidates[(candidates > lo + 0.15 * (hi - lo)) & (candidates < hi - 0.15 * (hi - lo))]
    if not candidates.size:
        return None
    gap = _MIN_GUTTER * size
    left = (x1[None, :] <= candidates[:, None] + 0.01) & wide[None, :]
    right = (x0[None, :] >= candidates[:, None] + gap) & wide[None, :]
    n_left, n_right = left.sum(1), right.sum(1)
    score = np.minimum(n_left, n_right)
    for k in np.argsort(-score, kind="stable")[:5]:
        if score[k] < _MIN_SIDE_LINES:
            return None
        c = float(candidates[k])
        # the gutter runs from the farthest-reaching left line to the nearest right line start, over all lines
        # that sit wholly on one side (short lines included, so a heading never straddles it)
        right_x0 = x0[x0 >= c + gap]
        g1 = float(right_x0.min()) if right_x0.size else c + gap
        g0 = float(x1[x1 <= c + 0.01].max())
        on_left, on_right = x1 <= c + 0.01, x0 >= c + gap
        if g1 - g0 < gap or not _fills(x0[on_left], x1[on_left], size) or not _fills(x0[on_right], x1[on_right], size):
            continue
        return g0, g1
    return None


def _fills(x0: np.ndarray, x1: np.ndarray, size: float) -> bool:
    """Are most of a side's lines full lines of running text (not table cells or chart labels)?

    Measured on all its lines, so a side holding two columns (three-column pages) qualifies like one column.
    """
    return bool(np.median(x1 - x0) >= _FILL * _FULL_LINE * size)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _overlap(a: Line, b: Line) -> float:
    return min(a.top, b.top) - max(a.bottom, b.bottom)


def _column_footnotes(column: list[Line], size: float, floor: float) -> tuple[list[Line], list[Line]]:
    """Split a column's lines into (text, footnotes at its foot): smaller type, the first line opening with a
    number, the last at the foot of the page's text (``floor``) -- not the notes under a table mid-page."""
    by_height = sorted(column, key=lambda ln: -ln.top)
    k = len(by_height)
    while k > 0 and by_height[k - 1].size <= _SMALLER * size:
        k -= 1
    if k == len(by_height) or k == 0 or by_height[-1].bottom > floor + 2 * size:
        return column, []
    # the footnote area starts at its first numbered line (a smaller caption above it stays text)
    for i in range(k, len(by_height)):
        if by_height[i].lead.isdigit():
            notes = by_height[i:]
            ids = {id(ln) for ln in notes}
            return [ln for ln in column if id(ln) not in ids], notes
    return column, []


def _line_text(text: str, line: Line, size: float) -> str:
    """A line's text from its runs' character ranges. pdfium's line breaks inside one line become spaces; a
    raised, smaller run (a footnote marker) is glued to the word before it, as the footnote step expects."""
    parts: list[str] = []
    base_bottom = line.base_bottom
    for k, (start, end, bottom, run_size) in enumerate(line.runs):
        piece = text[start:end].rstrip("\r\n").replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        marker = (0 < k and run_size < 0.8 * line.size and bottom > base_bottom + 0.15 * line.size
                  and piece.strip().isdigit())
        if marker:
            parts[-1] = parts[-1].rstrip(" ")
            spaced = piece != piece.rstrip()  # the space after a marker stays
            piece = piece.strip() + (" " if spaced else "")
        elif parts and not parts[-1].endswith((" ", "\ufffe")) and not piece.startswith(" "):
            if text[start - 1:start] in ("\n", "\r"):
                piece = " " + piece  # pdfium broke the line here
        parts.append(piece)
    return "".join(parts)
