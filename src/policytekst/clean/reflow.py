"""Re-flow: hard-wrapped lines -> paragraphs, with headings and list items as their own blocks.

A paragraph ends where a line that ends a sentence is clearly shorter than a full line (the last line of a
justified paragraph), at a blank line (unless the whole text is double-spaced, as pdftotext output often is),
at a heading or list item, and where pdftotext marked the end with trailing spaces. Line-end hyphens are
mended with the lexicon (see hyphenation). Page numbers travel with the text so passages can cite pages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from policytekst.clean import structure
from policytekst.clean.hyphenation import mend
from policytekst.model import Block

_END_PUNCT = re.compile(r"[.!?:”\"»)\]…]\s*$")
# a table row set with dot leaders: a label, leaders, then figures (amounts, rates, signs, nil dashes), each
# perhaps with its unit ("22 pst.", "217 400 kr", "14,1 %")
_UNIT = r"(?:\s?(?:%|pst\.?-?enhet(?:er)?|prosentpoeng|pst\.?|prosent|kr\.?|kroner|øre|mill\.?|mrd\.?|NOK|år|kr/\w+|øre/\w+)(?=\s|$))?"
_FIGURE = rf"(?:[-–+]?\s?\d[\d,./]*{_UNIT}|[-–])"
_LEADER_ROW = re.compile(rf"^(?P<label>\S.*?)\s*(?P<leaders>(?:\.\s?){{3,}})\s*(?P<cells>{_FIGURE}(?:\s+{_FIGURE})*)\s*$")
_CELL = re.compile(rf"[-–+]?\s?\d{{1,3}}(?: \d{{3}})+(?:,\d+)?{_UNIT}(?=\s|$)|[-–+]?\s?\d[\d,./]*{_UNIT}|[-–]")


def leader_row(text: str) -> str | None:
    """``"label | cell | cell"`` for a table row set with dot leaders; None for anything else (a contents
    entry, whose page numbers run in order, is told apart at page level before re-flow)."""
    match = _LEADER_ROW.match(text.strip())
    if match is None:
        return None
    cells = [re.sub(r"^([-–+]) (?=\d)", r"\1", c) for c in _CELL.findall(match["cells"])]
    if match["leaders"].count(".") < 4 and len(cells) < 2:
        return None  # "... 12": an ellipsis before a number in a sentence
    return " | ".join([match["label"].strip()] + [c.strip() for c in cells if c.strip()])
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(\S.*)$")


@dataclass
class Line:
    text: str
    page: int
    trailing_spaces: int = 0


@dataclass
class _Open:
    kind: str
    text: str
    page_start: int
    page_end: int
    breaks: list[tuple[int, int]] = field(default_factory=list)


def _join(left: str, right: str) -> str:
    """Join two wrapped lines; no space before punctuation that a removed footnote marker left at a line start."""
    if right[:1] in ",.;:!?)" and not right.startswith("..."):
        return left + right
    return left + " " + right


def full_width(lines: list[Line]) -> int:
    """The length of a full line (75th percentile of the longer lines)."""
    lengths = sorted(len(line.text.strip()) for line in lines if len(line.text.strip()) > 20)
    if not lengths:
        return 80
    return lengths[int(0.75 * (len(lengths) - 1))]


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(". ")


class Reflower:
    """Turns a stream of lines into blocks. Parameters are facts about the document's layout."""

    def __init__(self, *, outline: list[dict] | None = None, usage: Counter | None = None,
                 blank_breaks: bool = True, width: int = 80, detect_headings: bool = True) -> None:
        self.outline = {_norm(o["title"]): int(o.get("level") or 1) for o in (outline or []) if o.get("title")}
        self.use_outline = len(self.outline) >= 3
        self.outline_prefixes = {t[:n].rstrip() for t in self.outline for n in range(10, len(t)) if t[n] == " "}
        # every prefix of 10+ characters (a line may end inside a word, at a hyphen), and titles by their start
        self.outline_starts = {t[:n] for t in self.outline for n in range(10, len(t))}
        self.outline_by_start: dict[str, list[str]] = {}
        for title in self.outline:
            self.outline_by_start.setdefault(title[:12], []).append(title)
        self.usage = usage
        self.blank_breaks = blank_breaks
        self.width = width
        self.detect_headings = detect_headings

    # -- decisions -------------------------------------------------------------------------------------
    def heading(self, lines: list[Line], i: int, ended: bool) -> tuple[int, int] | None:
        """(level, number of lines) when lines[i] starts a heading."""
        text = lines[i].text.strip()
        if not text or len(text) > 160:
            return None
        if self.use_outline:
            key = _norm(text)
            if key in self.outline:
                return self.outline[key], 1
            # a heading wrapped over two to four lines, perhaps with a line-end hyphen; only worth trying
            # when the line starts some title
            if i + 1 < len(lines) and (key in self.outline_prefixes or key.rstrip("-") in self.outline_starts):
                joined_text = text
                for span in range(2, 5):
                    if i + span - 1 >= len(lines):
                        break
                    nxt = lines[i + span - 1].text.strip()
                    mended = mend(joined_text, nxt, self.usage)
                    joined_text = mended if mended is not None else joined_text + " " + nxt
                    joined = _norm(joined_text)
                    if joined in self.outline:
                        return self.outline[joined], span
                    if not any(t.startswith(joined) for t in self.outline_by_start.get(joined[:12], ())):
                        break
            if not structure.KNOWN_HEADINGS.match(text):
                return None
        if not self.detect_headings or not ended:
            return None
        words = text.split()
        nxt = next((line.text.strip() for line in lines[i + 1:i + 3] if line.text.strip()), "")
        if structure.KNOWN_HEADINGS.match(structure.strip_numbering(text)) and len(words) <= 4:
            return structure.heading_level(text, 1), 1
        if re.search(r"[,;]$|-$", text) or len(words) > 14:
            return None
        match = _NUMBERED_HEADING.match(text)
        if match:
            number, rest = match.group(1), match.group(2)
            if int(number.split(".")[0]) > 40 or not rest[:1].isupper() or rest.endswith("."):
                return None
            if "." not in number and re.match(r"^\d{1,2}\.\s", text) and not rest.isupper():
                return None  # "1. Hvordan ..." is a list item
            if len(text) > 0.9 * self.width and nxt[:1].islower():
                return None
            return structure.heading_level(text), 1
        if (len(words) <= 10 and text[:1].isupper() and not _END_PUNCT.search(text.rstrip("?"))
                and len(text) < 0.7 * self.width and not any(c.isdigit() for c in text)
                and (nxt[:1].isupper() or structure.list_item(nxt)) and structure.list_item(text) is None):
            return (1 if structure.KNOWN_HEADINGS.match(text) else 3), 1
        return None

    def ends_paragraph(self, line: Line) -> bool:
        text = line.text.rstrip()
        if not text:
            return True
        if line.trailing_spaces >= 2 and _END_PUNCT.search(text):
            return True
        length = len(text.strip())
        # the last line of a justified paragraph is short; a line that is a whole paragraph is longer than
        # any wrapped line
        if (length < 0.85 * self.width or length > 300) and _END_PUNCT.search(text):
            return True
        return len(text.strip()) < 0.5 * self.width and not re.search(r"[,\-–]$", text)

    # -- the pass --------------------------------------------------------------------------------------
    def run(self, lines: list[Line]) -> list[Block]:
        blocks: list[Block] = []
        current: _Open | None = None

        def close() -> None:
            nonlocal current
            if current is not None and current.text.strip():
                meta = {"page_breaks": current.breaks} if current.breaks else {}
                blocks.append(Block(current.text.strip(), current.kind, current.page_start, current.page_end,
                                    meta=meta))
            current = None

        ended = True
        i = 0
        while i < len(lines):
            line = lines[i]
            text = line.text.strip()
            if not text:
                if self.blank_breaks:
                    close()
                    ended = True
                i += 1
                continue
            row = leader_row(text)
            if row is not None:
                # tables keep their rows: never re-flowed into a paragraph or glued to a heading
                if current is None or current.kind != "table":
                    close()
                    current = _Open("table", row, line.page, line.page)
                else:
                    current.text += "\n" + row
                    current.page_end = line.page
                ended = False
                i += 1
                continue
            if current is not None and current.kind == "table":
                # a short label or group line between two rows belongs to the table ("5543 Miljøavgift")
                ahead = [ln.text for ln in lines[i + 1:i + 3]]
                if len(text) < 0.7 * self.width and any(leader_row(t) for t in ahead) and not _END_PUNCT.search(text):
                    current.text += "\n" + text
                    current.page_end = line.page
                    i += 1
                    continue
                close()
                ended = True
            found = self.heading(lines, i, ended or current is None)
            if found:
                level, span = found
                close()
                heading_text = lines[i].text.strip()
                for j in range(i + 1, i + span):  # a wrapped heading may carry a line-end hyphen
                    nxt = lines[j].text.strip()
                    mended = mend(heading_text, nxt, self.usage)
                    heading_text = mended if mended is not None else heading_text + " " + nxt
                blocks.append(Block(heading_text, "heading", line.page, lines[i + span - 1].page, level=level))
                i += span
                ended = True
                continue
            item = structure.list_item(text)
            if item is not None and (ended or current is None or current.kind == "list"
                                     or item[0] == "bullet"):
                close()
                current = _Open("list", item[1], line.page, line.page)
            elif current is None or ended or structure.is_quote_dash(text):
                close()  # a quotation dash opens a new paragraph even where the line before runs on
                current = _Open("body", text, line.page, line.page)
            else:
                mended = mend(current.text, text, self.usage)
                if line.page != current.page_end:
                    current.breaks.append((len(current.text) + (0 if mended is not None else 1), line.page))
                current.text = mended if mended is not None else _join(current.text, text)
                current.page_end = line.page
            ended = self.ends_paragraph(line)
            i += 1
        close()
        return blocks
