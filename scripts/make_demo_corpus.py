"""Regenerate the embedded demo corpus (corpus/) from the texts in scripts/demo_texts/.

Every document in corpus/ is written by the project team (fictional authors and studies, real institution
names). The sources are Markdown files with a YAML front matter block; this script renders each one into the
format its front matter asks for -- PDF, HTML, plain text, Markdown or DOCX -- and writes corpus/metadata.csv
(the sidecar) and corpus/sporsmal_2001_2020.csv (short dated question texts, from demo_texts/questions.yaml).

The PDFs are laid out by hand (fpdf2) rather than through a word processor, so that they carry the noise the
cleaning stage must remove, on purpose and reproducibly: a title page, a table of contents with dot leaders,
running headers, page numbers ("Side N" or bare numbers), page-bottom footnotes, two-column pages in one report,
and justified lines broken with pyphen's nb_NO/nn_NO hyphenation patterns (so "kaste-/ball" splits occur),
next to compound hyphens ("bestiller-/utfører") that cleaning must keep.

Output is deterministic: fixed creation dates, fixed PDF file ids, fixed zip timestamps in DOCX files.

Usage:  python scripts/make_demo_corpus.py [--out corpus] [--check]
        (needs the "dev" extra for fpdf2: pip install -e '.[dev]'; the generated files are committed, so users of
        the demo corpus never need it)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import io
import re
import sys
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "scripts" / "demo_texts"
OUT = ROOT / "corpus"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SIDECAR_COLUMNS = ("file", "title", "authors", "year", "genre", "language", "institution")
MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember")

# --------------------------------------------------------------------------------------------------------------
# Sources: front matter + a small block grammar (headings, paragraphs, lists, tables, quotes, footnotes)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # heading | para | list | table | quote
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict[str, Any]
    blocks: list[Block]
    notes: dict[str, str]

    @property
    def file(self) -> str:
        return self.meta["file"]

    @property
    def fmt(self) -> str:
        return self.meta["format"]

    @property
    def lang(self) -> str:
        return self.meta.get("language", "nb")


_NOTE_DEF = re.compile(r"^\[\^(\w+)\]:\s*(.*)$")
_NOTE_REF = re.compile(r"\[\^(\w+)\]")


def parse_source(path: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise SystemExit(f"{path}: missing YAML front matter")
    head, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(head)
    blocks: list[Block] = []
    notes: dict[str, str] = {}
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.rstrip() for line in chunk.strip().splitlines()]
        if not lines:
            continue
        first = lines[0]
        if _NOTE_DEF.match(first):
            for line in lines:
                match = _NOTE_DEF.match(line)
                if match:
                    notes[match.group(1)] = match.group(2).strip()
            continue
        if first.startswith("#"):
            hashes = len(first) - len(first.lstrip("#"))
            blocks.append(Block("heading", first[hashes:].strip(), level=hashes))
            if len(lines) > 1:
                blocks.append(Block("para", " ".join(lines[1:])))
        elif first.startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:].strip())
                else:
                    items[-1] += " " + line.strip()
            blocks.append(Block("list", items=items))
        elif first.startswith("|"):
            rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines
                    if not re.match(r"^\|[\s:|-]+\|$", line)]
            blocks.append(Block("table", rows=rows))
        elif first.startswith("> "):
            blocks.append(Block("quote", " ".join(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("para", " ".join(line.strip() for line in lines)))
    return Source(path, meta, blocks, notes)


def load_sources() -> list[Source]:
    return [parse_source(p) for p in sorted(SOURCES.glob("*.md"))]


def plain(text: str) -> str:
    """Text without footnote references (for formats that do not show them)."""
    return _NOTE_REF.sub("", text)


def date_of(meta: dict[str, Any]) -> dt.date:
    value = meta.get("date") or f"{meta['year']}-06-15"
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def date_nb(day: dt.date) -> str:
    return f"{day.day}. {MONTHS_NB[day.month - 1]} {day.year}"


def word_count(source: Source) -> int:
    words = 0
    for block in source.blocks:
        words += len(plain(block.text).split()) + sum(len(i.split()) for i in block.items)
        words += sum(len(c.split()) for row in block.rows for c in row)
    words += len(str(source.meta.get("lead", "")).split())
    for fmt in ("markdown", "text", "docx"):  # head/tail lines are part of the document too
        words += sum(len(str(line).split()) for key in ("head", "tail")
                     for line in source.meta.get(fmt, {}).get(key, []) or [])
    return words + sum(len(n.split()) for n in source.notes.values())


# --------------------------------------------------------------------------------------------------------------
# PDF: a small hand-made layout engine (greedy justified lines, pyphen hyphenation, page-bottom footnotes)
# --------------------------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 25.0, 28.0, 25.0
BODY_SIZE, NOTE_SIZE = 10.5, 8.0
LINE_H, NOTE_LINE_H = 5.2, 3.8


@dataclass
class Word:
    text: str
    note: str | None = None  # footnote number drawn as a raised small figure after the word


@dataclass
class Line:
    words: list[Word]
    x: float
    width: float
    justify: bool
    style: str = ""
    size: float = BODY_SIZE
    bullet: str = ""


@dataclass
class PageOut:
    ops: list[tuple[str, Any]] = field(default_factory=list)  # ("line", Line, y) | ("rule", y) | ...
    notes: list[tuple[str, str]] = field(default_factory=list)  # (number, text)


class PdfBuilder:
    """Lays out one source as a PDF with fpdf2. Layout is computed first so the TOC can carry page numbers."""

    def __init__(self, source: Source) -> None:
        import pyphen
        from fpdf import FPDF

        self.src = source
        self.opts = source.meta.get("pdf", {})
        self.columns = int(self.opts.get("columns", 1))
        self.hyph = pyphen.Pyphen(lang="nn_NO" if source.lang == "nn" else "nb_NO", left=2, right=3)
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        # Only the faces a document uses are loaded: parsing a TTF is the slowest step of the whole build.
        faces = [("serif", "", "DejaVuSerif.ttf"), ("serif", "B", "DejaVuSerif-Bold.ttf"),
                 ("sans", "", "DejaVuSans.ttf"), ("sans", "B", "DejaVuSans-Bold.ttf")]
        if any(b.kind == "quote" for b in source.blocks):
            faces.append(("serif", "I", "DejaVuSerif-Italic.ttf"))
        for family, style, name in faces:
            self.pdf.add_font(family, style, str(FONT_DIR / name))
        self.note_numbers: dict[str, str] = {}
        self.toc: list[tuple[int, str, int]] = []

    # -- measuring and breaking ------------------------------------------------------------------------------
    def width(self, text: str, style: str = "", size: float = BODY_SIZE, family: str = "serif") -> float:
        self.pdf.set_font(family, style, size)
        return self.pdf.get_string_width(text)

    def words_of(self, text: str) -> list[Word]:
        words: list[Word] = []
        for token in text.split():
            refs = _NOTE_REF.findall(token)
            bare = _NOTE_REF.sub("", token)
            note = None
            if refs:
                key = refs[0]
                note = self.note_numbers.setdefault(key, str(len(self.note_numbers) + 1))
            if bare:
                words.append(Word(bare, note))
            elif note and words:
                words[-1].note = note
        return words

    def split_word(self, word: Word, room: float, style: str, size: float) -> tuple[Word, Word] | None:
        """The longest hyphenated head of ``word`` that fits in ``room`` (None when no break fits)."""
        text = word.text
        core = text.rstrip(".,;:!?)»\"'")
        if len(core) < 6 or any(ch.isdigit() for ch in core) or "/" in core or "@" in core:
            return None
        # Word processors break at a word's own hyphen first ("bestiller-/utfører"); then at pattern points.
        explicit = [(core[: i + 1], core[i + 1:]) for i in range(len(core) - 2, 1, -1) if core[i] == "-"]
        for head, tail in explicit + list(self.hyph.iterate(core)):
            if len(tail) < 3 or len(head) < 2:
                continue
            shown = head if head.endswith("-") else head + "-"  # compound hyphens stay single
            if self.width(shown, style, size) <= room:
                return Word(shown), Word(tail + text[len(core):], word.note)
        return None

    def break_lines(self, words: list[Word], width: float, x: float, style: str = "", size: float = BODY_SIZE,
                    justify: bool = True, first_bullet: str = "", hyphenate: bool = True) -> list[Line]:
        space = self.width(" ", style, size)
        lines: list[Line] = []
        current: list[Word] = []
        used = 0.0
        queue = list(words)
        while queue:
            word = queue.pop(0)
            w = self.width(word.text, style, size) + (1.2 if word.note else 0)
            gap = space if current else 0
            if used + gap + w <= width:
                current.append(word)
                used += gap + w
                continue
            split = self.split_word(word, width - used - gap, style, size) if hyphenate else None
            if split is not None:
                current.append(split[0])
                queue.insert(0, split[1])
            else:
                queue.insert(0, word)
            if not current:  # a single word wider than the line: place it anyway
                current.append(queue.pop(0))
            lines.append(Line(current, x, width, justify, style, size))
            current, used = [], 0.0
        if current:
            lines.append(Line(current, x, width, False, style, size))
        if lines and first_bullet:
            lines[0].bullet = first_bullet
        return lines

    # -- pagination --------------------------------------------------------------------------------------------
    def frames(self) -> list[tuple[float, float]]:
        usable = PAGE_W - 2 * MARGIN_X
        if self.columns == 1:
            return [(MARGIN_X, usable)]
        gap = 8.0
        col = (usable - gap) / 2
        return [(MARGIN_X, col), (MARGIN_X + col + gap, col)]

    def paginate(self, first_page: int) -> list[PageOut]:
        pages: list[PageOut] = [PageOut()]
        frames = self.frames()
        state = {"frame": 0, "y": MARGIN_TOP}

        def notes_height(page: PageOut) -> float:
            if not page.notes:
                return 0.0
            return 4.0 + sum(len(self.note_lines(t)) * NOTE_LINE_H + 0.8 for _, t in page.notes)

        def advance() -> None:
            if state["frame"] + 1 < len(frames):
                state["frame"] += 1
            else:
                pages.append(PageOut())
                state["frame"] = 0
            state["y"] = MARGIN_TOP

        def bottom(page: PageOut, extra_notes: list[tuple[str, str]]) -> float:
            probe = PageOut(notes=page.notes + extra_notes)
            return PAGE_H - MARGIN_BOTTOM - notes_height(probe)

        def place(line: Line, height: float, keep: float = 0.0) -> None:
            new_notes = [(w.note, self.note_text(w.note)) for w in line.words if w.note]
            if state["y"] + height + keep > bottom(pages[-1], new_notes):
                advance()
            x, _ = frames[state["frame"]]
            line.x = x + (line.x if line.x < MARGIN_X else 0)
            pages[-1].ops.append(("line", line, state["y"]))
            pages[-1].notes.extend(new_notes)
            state["y"] += height

        for block in self.src.blocks:
            _, col_w = frames[state["frame"]]
            if block.kind == "heading":
                size = {1: 14.0, 2: 12.0}.get(block.level, 11.0)
                if block.level == 1 and self.columns == 1 and self.opts.get("chapter_new_page") and \
                        pages[-1].ops:
                    pages.append(PageOut())
                    state["frame"], state["y"] = 0, MARGIN_TOP
                state["y"] += 4.0 if block.level == 1 else 2.5
                lines = self.break_lines(self.words_of(block.text), col_w, 0.0, "B", size, justify=False,
                                         hyphenate=False)
                for i, line in enumerate(lines):
                    place(line, size * 0.55, keep=3 * LINE_H if i == len(lines) - 1 else 0.0)
                    if i == 0:
                        self.toc.append((block.level, plain(block.text), first_page + len(pages) - 1))
                        pages[-1].ops.append(("section", (block.level, plain(block.text)), state["y"]))
                state["y"] += 1.5
            elif block.kind in ("para", "quote"):
                indent = 8.0 if block.kind == "quote" else 0.0
                style = "I" if block.kind == "quote" else ""
                for line in self.break_lines(self.words_of(block.text), col_w - 2 * indent, indent, style):
                    place(line, LINE_H)
                state["y"] += 2.2
            elif block.kind == "list":
                for item in block.items:
                    for line in self.break_lines(self.words_of(item), col_w - 6.0, 6.0, first_bullet="•"):
                        place(line, LINE_H)
                    state["y"] += 0.8
                state["y"] += 1.6
            elif block.kind == "table":
                ncols = max(len(r) for r in block.rows)
                cell_w = col_w / ncols
                for r, row in enumerate(block.rows):
                    cells = [self.break_lines(self.words_of(c), cell_w - 2, 0.0, "B" if r == 0 else "", 9.0,
                                              justify=False) for c in row]
                    height = max(len(c) for c in cells) * 4.4 + 1.2
                    if state["y"] + height > bottom(pages[-1], []):
                        advance()
                    x0, _ = frames[state["frame"]]
                    pages[-1].ops.append(("row", (x0, cell_w, cells, r == 0), state["y"]))
                    state["y"] += height
                state["y"] += 3.0
        return pages

    def note_text(self, number: str) -> str:
        key = next(k for k, v in self.note_numbers.items() if v == number)
        return plain(self.src.notes.get(key, ""))

    def note_lines(self, text: str) -> list[Line]:
        _, col_w = self.frames()[0] if self.columns == 1 else (MARGIN_X, PAGE_W - 2 * MARGIN_X)
        return self.break_lines(self.words_of(text), PAGE_W - 2 * MARGIN_X - 5, 0.0, "", NOTE_SIZE)

    # -- drawing -----------------------------------------------------------------------------------------------
    def draw_line(self, line: Line, y: float) -> None:
        pdf = self.pdf
        pdf.set_font("serif", line.style, line.size)
        if line.bullet:
            pdf.text(line.x - 4.5, y + line.size * 0.35, line.bullet)
        widths = [pdf.get_string_width(w.text) + (1.2 if w.note else 0) for w in line.words]
        space = pdf.get_string_width(" ")
        gaps = len(line.words) - 1
        if line.justify and gaps > 0:
            space = (line.width - sum(widths)) / gaps
        x = line.x
        for word, w in zip(line.words, widths, strict=True):
            pdf.set_font("serif", line.style, line.size)
            pdf.text(x, y + line.size * 0.35, word.text)
            if word.note:
                pdf.set_font("serif", "", line.size * 0.62)
                pdf.text(x + w - 1.2 + 0.2, y + line.size * 0.35 - 1.6, word.note)
            x += w + space

    def header_footer(self, number: int) -> None:
        pdf = self.pdf
        left = self.opts.get("header_left", "")
        right = self.opts.get("header_right", "")
        if self.opts.get("header_alternate") and number % 2 == 0:
            left, right = right, left
        pdf.set_font("sans", "", 8)
        if left:
            pdf.text(MARGIN_X, 15, left)
        if right:
            pdf.text(PAGE_W - MARGIN_X - pdf.get_string_width(right), 15, right)
        pdf.set_line_width(0.2)
        pdf.line(MARGIN_X, 17, PAGE_W - MARGIN_X, 17)
        label = self.opts.get("page_label", "{n}").format(n=number)
        pdf.set_font("sans", "", 9)
        x = (PAGE_W - pdf.get_string_width(label)) / 2
        if self.opts.get("page_number_right"):
            x = PAGE_W - MARGIN_X - pdf.get_string_width(label)
        pdf.text(x, PAGE_H - 12, label)

    def title_page(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        lines = self.opts.get("title_page") or [self.src.meta["title"]]
        y = 70.0
        for i, text in enumerate(lines):
            if not text:
                y += 8
                continue
            size = 22.0 if i == 0 else 12.0
            style = "B" if i == 0 else ""
            for line in self.break_lines(self.words_of(text), PAGE_W - 2 * MARGIN_X - 20, 0.0, style, size,
                                         justify=False, hyphenate=False):
                pdf.set_font("sans", style, size)
                width = pdf.get_string_width(" ".join(w.text for w in line.words))
                pdf.text((PAGE_W - width) / 2, y, " ".join(w.text for w in line.words))
                y += size * 0.5
            y += 6 if i == 0 else 2

    def toc_page(self, number: int) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.header_footer(number)
        pdf.set_font("sans", "B", 14)
        pdf.text(MARGIN_X, MARGIN_TOP + 6, self.opts.get("toc_title", "Innhold"))
        y = MARGIN_TOP + 18
        for level, text, page in self.toc:
            if level > 2:
                continue
            indent = 0 if level == 1 else 7
            style = "B" if level == 1 else ""
            pdf.set_font("serif", style, 10)
            label = text if len(text) < 70 else text[:67] + "..."
            num = str(page)
            start = MARGIN_X + indent + pdf.get_string_width(label) + 2
            end = PAGE_W - MARGIN_X - pdf.get_string_width(num) - 2
            dots = "." * max(3, int((end - start) / pdf.get_string_width(".")))
            pdf.text(MARGIN_X + indent, y, label)
            pdf.set_font("serif", "", 10)
            pdf.text(start, y, dots)
            pdf.text(PAGE_W - MARGIN_X - pdf.get_string_width(num), y, num)
            y += 6.5 if level == 1 else 5.5

    def build(self) -> bytes:
        meta = self.src.meta
        toc = bool(self.opts.get("toc", True))
        first_body = 3 if toc else 2
        pages = self.paginate(first_body)
        self.title_page()
        if toc:
            self.toc_page(2)
        for offset, page in enumerate(pages):
            number = first_body + offset
            self.pdf.add_page()
            self.header_footer(number)
            for op, payload, y in page.ops:
                if op == "line":
                    self.draw_line(payload, y)
                elif op == "section":
                    self.pdf.set_y(y)
                    self.pdf.start_section(payload[1], level=payload[0] - 1)
                elif op == "row":
                    x0, cell_w, cells, is_head = payload
                    for c, lines in enumerate(cells):
                        for i, line in enumerate(lines):
                            line.x = x0 + c * cell_w + 1
                            self.draw_line(line, y + 1 + i * 4.4)
                    self.pdf.set_line_width(0.3 if is_head else 0.1)
                    self.pdf.line(x0, y + max(len(c) for c in cells) * 4.4 + 1.0, x0 + cell_w * len(cells),
                                  y + max(len(c) for c in cells) * 4.4 + 1.0)
            if page.notes:
                y = PAGE_H - MARGIN_BOTTOM - sum(len(self.note_lines(t)) * NOTE_LINE_H + 0.8 for _, t in page.notes)
                self.pdf.set_line_width(0.2)
                self.pdf.line(MARGIN_X, y - 2.5, MARGIN_X + 45, y - 2.5)
                for number_, text in page.notes:
                    lines = self.note_lines(text)
                    self.pdf.set_font("serif", "", NOTE_SIZE * 0.8)
                    self.pdf.text(MARGIN_X + 1, y + NOTE_SIZE * 0.35 - 0.8, number_)
                    for line in lines:
                        line.x = MARGIN_X + 5
                        self.draw_line(line, y)
                        y += NOTE_LINE_H
                    y += 0.8
        pdf = self.pdf
        hidden = not meta.get("sidecar", True)
        if not (hidden and self.opts.get("bare_info")):
            pdf.set_title(meta["title"])
            pdf.set_author("; ".join(meta.get("authors", [])))
        pdf.set_creator(self.opts.get("creator", "Microsoft Word"))
        pdf.set_producer("policytekst demo generator")
        made = self.opts.get("created") or date_of(meta)
        made = made if isinstance(made, dt.date) else dt.date.fromisoformat(str(made))
        pdf.set_creation_date(dt.datetime(made.year, made.month, made.day, 12, 0, tzinfo=dt.UTC))
        pdf.file_id = lambda: _pdf_file_id(self.src.file)
        pdf.set_lang("nn-NO" if self.src.lang == "nn" else "nb-NO")
        return bytes(pdf.output())


def _pdf_file_id(name: str) -> str:
    digest = hashlib.md5(name.encode()).hexdigest().upper()  # noqa: S324 - an id, not security
    return f"<{digest}><{digest}>"


def render_pdf(source: Source) -> bytes:
    return PdfBuilder(source).build()


# --------------------------------------------------------------------------------------------------------------
# HTML: the article inside realistic site chrome (menu, cookie notice, "Les også", footer)
# --------------------------------------------------------------------------------------------------------------


def _html_blocks(source: Source) -> str:
    out: list[str] = []
    for block in source.blocks:
        if block.kind == "heading":
            level = min(6, block.level + 1)
            out.append(f"<h{level}>{html.escape(plain(block.text))}</h{level}>")
        elif block.kind == "para":
            out.append(f"<p>{html.escape(plain(block.text))}</p>")
        elif block.kind == "quote":
            out.append(f"<blockquote><p>{html.escape(plain(block.text))}</p></blockquote>")
        elif block.kind == "list":
            items = "".join(f"<li>{html.escape(plain(i))}</li>" for i in block.items)
            out.append(f"<ul>{items}</ul>")
        elif block.kind == "table":
            head, *rows = block.rows
            th = "".join(f"<th>{html.escape(c)}</th>" for c in head)
            trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
            out.append(f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>")
    return "\n      ".join(out)


def render_html(source: Source) -> bytes:
    meta = source.meta
    site = meta.get("site", {})
    day = date_of(meta)
    authors = meta.get("authors", [])
    hidden = not meta.get("sidecar", True)
    menu = "".join(f'<li><a href="/{html.escape(m.lower())}">{html.escape(m)}</a></li>'
                   for m in site.get("menu", ["Nyheter", "Debatt", "Fag", "Jobb", "Om oss"]))
    related = "".join(f'<li><a href="/artikkel/{i}">{html.escape(t)}</a></li>'
                      for i, t in enumerate(site.get("related", []), start=101))
    byline = ", ".join(authors)
    role = site.get("byline_role", "")
    meta_tags = [f'<meta name="description" content="{html.escape(meta.get("lead", ""))}">']
    if not hidden or site.get("keep_meta"):
        meta_tags += [f'<meta name="author" content="{html.escape("; ".join(authors))}">',
                      f'<meta name="date" content="{day.isoformat()}">',
                      f'<meta property="article:published_time" content="{day.isoformat()}T08:00:00+01:00">',
                      f'<meta property="og:title" content="{html.escape(meta["title"])}">']
    lead = f'<p class="ingress"><strong>{html.escape(meta["lead"])}</strong></p>' if meta.get("lead") else ""
    page = f"""<!DOCTYPE html>
<html lang="{'nn' if source.lang == 'nn' else 'nb'}">
<head>
  <meta charset="utf-8">
  <title>{html.escape(meta['title'])} | {html.escape(site.get('name', 'Velferdsforum'))}</title>
  {chr(10).join('  ' + t for t in meta_tags).strip()}
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/static/site.css">
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-notice">
    <p>Vi bruker informasjonskapsler (cookies) for å gi deg en bedre opplevelse, analysere trafikken og vise
    relevante annonser. Ved å fortsette å bruke nettstedet godtar du dette.</p>
    <button>Godta alle</button> <button>Bare nødvendige</button> <a href="/personvern">Les mer om personvern</a>
  </div>
  <header class="site-header">
    <a class="logo" href="/">{html.escape(site.get('name', 'Velferdsforum'))}</a>
    <nav class="main-menu"><ul>{menu}</ul></nav>
    <form class="search" action="/sok"><input type="search" name="q" placeholder="Søk"><button>Søk</button></form>
    <a class="login" href="/logg-inn">Logg inn</a> <a class="subscribe" href="/abonnement">Bli abonnent</a>
  </header>
  <div class="breadcrumbs"><a href="/">Forside</a> › <a href="/{html.escape(site.get('section', 'debatt').lower())}">{html.escape(site.get('section', 'Debatt'))}</a></div>
  <main>
    <article>
      <p class="kicker">{html.escape(site.get('section', 'Debatt'))}</p>
      <h1>{html.escape(meta['title'])}</h1>
      <p class="byline">Av <span class="author">{html.escape(byline)}</span>{(', ' + html.escape(role)) if role else ''}</p>
      <p class="dateline"><time datetime="{day.isoformat()}">Publisert {date_nb(day)}</time></p>
      {lead}
      {_html_blocks(source)}
      <p class="share">Del artikkelen: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">E-post</a></p>
    </article>
    <aside class="related">
      <h2>Les også</h2>
      <ul>{related}</ul>
    </aside>
  </main>
  <footer class="site-footer">
    <p>{html.escape(site.get('name', 'Velferdsforum'))} · Ansvarlig redaktør: {html.escape(site.get('editor', 'Kari Redaktør'))} ·
    Redaksjonen arbeider etter Vær Varsom-plakatens regler for god presseskikk.</p>
    <p><a href="/kontakt">Kontakt oss</a> · <a href="/annonser">Annonser</a> · <a href="/personvern">Personvern</a>
    · <a href="/rss">RSS</a></p>
    <p>© {day.year} {html.escape(site.get('name', 'Velferdsforum'))}. Alle rettigheter reservert.</p>
  </footer>
</body>
</html>
"""
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------------------------------
# Plain text and Markdown
# --------------------------------------------------------------------------------------------------------------


def render_text(source: Source) -> bytes:
    meta = source.meta
    wrap = int(meta.get("text", {}).get("wrap", 0))
    encoding = meta.get("text", {}).get("encoding", "utf-8")
    out: list[str] = []
    for line in meta.get("text", {}).get("head", []) or [meta["title"]]:
        out.append(line)
    out.append("")
    notes: list[str] = []
    numbers: dict[str, str] = {}

    def refs(text: str) -> str:
        def sub(match: re.Match) -> str:
            number = numbers.setdefault(match.group(1), str(len(numbers) + 1))
            notes.append(f"[{number}] {source.notes.get(match.group(1), '')}")
            return f"[{number}]"
        return _NOTE_REF.sub(sub, text)

    def para(text: str, indent: str = "") -> str:
        text = refs(text)
        if not wrap:
            return indent + text
        return textwrap.fill(text, width=wrap, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False, break_long_words=False)

    for block in source.blocks:
        if block.kind == "heading":
            title = plain(block.text)
            out.append(title.upper() if block.level == 1 and meta.get("text", {}).get("upper_headings") else title)
            if block.level == 1 and meta.get("text", {}).get("underline"):
                out.append("=" * len(title))
        elif block.kind == "para":
            out.append(para(block.text))
        elif block.kind == "quote":
            out.append(para(block.text, "    "))
        elif block.kind == "list":
            out.append("\n".join(para(item, "  - ").replace("\n", "\n    ", 0) for item in block.items))
        elif block.kind == "table":
            out.append("\n".join("\t".join(row) for row in block.rows))
        out.append("")
    if notes:
        out += ["Noter", ""] + notes + [""]
    for line in meta.get("text", {}).get("tail", []):
        out.append(line)
    text = "\n".join(out).rstrip() + "\n"
    return text.encode(encoding)


def render_markdown(source: Source) -> bytes:
    meta = source.meta
    out = [f"# {meta['title']}", ""]
    for line in meta.get("markdown", {}).get("head", []):
        out += [line, ""]
    for block in source.blocks:
        if block.kind == "heading":
            out.append("#" * (block.level + 1) + " " + block.text)
        elif block.kind == "para":
            out.append(block.text)
        elif block.kind == "quote":
            out.append("> " + block.text)
        elif block.kind == "list":
            out.append("\n".join(f"- {item}" for item in block.items))
        elif block.kind == "table":
            head, *rows = block.rows
            lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
            lines += ["| " + " | ".join(r) + " |" for r in rows]
            out.append("\n".join(lines))
        out.append("")
    for key, text in source.notes.items():
        out.append(f"[^{key}]: {text}")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------------------------
# DOCX: python-docx with real heading styles; zip entries re-stamped so the bytes are reproducible
# --------------------------------------------------------------------------------------------------------------


def render_docx(source: Source) -> bytes:
    import docx
    from docx.shared import Pt

    meta = source.meta
    document = docx.Document()
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(11)
    document.add_paragraph(meta["title"], style="Title")
    for line in meta.get("docx", {}).get("head", []):
        document.add_paragraph(line)
    numbers: dict[str, str] = {}

    def refs(text: str) -> str:
        return _NOTE_REF.sub(lambda m: "[" + numbers.setdefault(m.group(1), str(len(numbers) + 1)) + "]", text)

    for block in source.blocks:
        if block.kind == "heading":
            document.add_heading(plain(block.text), level=min(block.level, 3))
        elif block.kind == "para":
            document.add_paragraph(refs(block.text))
        elif block.kind == "quote":
            document.add_paragraph(refs(block.text), style="Quote")
        elif block.kind == "list":
            for item in block.items:
                document.add_paragraph(refs(item), style="List Bullet")
        elif block.kind == "table":
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    if numbers:
        document.add_heading(meta.get("docx", {}).get("notes_title", "Noter"), level=1)
        for key, number in numbers.items():
            document.add_paragraph(f"[{number}] {source.notes[key]}")
    for line in meta.get("docx", {}).get("tail", []):
        document.add_paragraph(line)
    props = document.core_properties
    hidden = not meta.get("sidecar", True)
    made = date_of(meta)
    stamp = dt.datetime(made.year, made.month, made.day, 9, 0)
    props.title = "" if hidden else meta["title"]
    props.author = "" if hidden else "; ".join(meta.get("authors", []))
    props.last_modified_by = ""
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    props.language = "nn-NO" if source.lang == "nn" else "nb-NO"
    buffer = io.BytesIO()
    document.save(buffer)
    return _restamp_zip(buffer.getvalue(), (made.year, made.month, made.day, 9, 0, 0))


def _restamp_zip(data: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: (i.filename != "[Content_Types].xml", i.filename)):
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


RENDERERS = {"pdf": render_pdf, "html": render_html, "text": render_text, "markdown": render_markdown,
             "docx": render_docx}


# --------------------------------------------------------------------------------------------------------------
# Sidecar and the table of short question texts
# --------------------------------------------------------------------------------------------------------------


def sidecar_rows(sources: list[Source]) -> list[dict[str, Any]]:
    rows = []
    for source in sources:
        meta = source.meta
        if not meta.get("sidecar", True):
            continue
        rows.append({"file": source.file, "title": meta["title"], "authors": ";".join(meta.get("authors", [])),
                     "year": meta["year"], "genre": meta["genre"], "language": source.lang,
                     "institution": meta.get("institution", "")})
    return rows


def write_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def question_rows() -> list[dict[str, Any]]:
    data = yaml.safe_load((SOURCES / "questions.yaml").read_text(encoding="utf-8"))
    rows = []
    for number, item in enumerate(data["questions"], start=1):
        day = item["date"] if isinstance(item["date"], dt.date) else dt.date.fromisoformat(str(item["date"]))
        rows.append({"id": f"SP-{day.year}-{number:03d}", "date": day.isoformat(), "title": item["title"],
                     "from_party": item["party"], "to_minister": item["minister"],
                     "text": " ".join(item["text"].split())})
    return sorted(rows, key=lambda r: (r["date"], r["id"]))


QUESTION_COLUMNS = ("id", "date", "title", "from_party", "to_minister", "text")
QUESTIONS_FILE = "sporsmal_2001_2020.csv"


# --------------------------------------------------------------------------------------------------------------


def build(out: Path, formats: set[str] | None = None) -> dict[str, bytes]:
    """All files of the demo corpus as {name: bytes} (documents limited to ``formats`` when given)."""
    sources = load_sources()
    files: dict[str, bytes] = {}
    for source in sources:
        if source.file in files:
            raise SystemExit(f"{source.path}: file name {source.file} used twice")
        if formats is None or source.fmt in formats:
            files[source.file] = RENDERERS[source.fmt](source)
    # the table's own row: defaults for all its rows (genre, institution); each row's columns give the rest
    table_row = {"file": QUESTIONS_FILE, "title": "", "authors": "", "year": "", "genre": "sporsmal",
                 "language": "", "institution": "Stortinget (fiktive spørsmål)"}
    files["metadata.csv"] = write_csv([*sidecar_rows(sources), table_row], SIDECAR_COLUMNS)
    files[QUESTIONS_FILE] = write_csv(question_rows(), QUESTION_COLUMNS)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a file in --out differs from what would be generated")
    parser.add_argument("--stats", action="store_true", help="print word counts per source")
    args = parser.parse_args(argv)
    files = build(args.out)
    if args.stats:
        total = 0
        for source in load_sources():
            n = word_count(source)
            total += n
            print(f"{source.meta['year']}  {source.fmt:8s} {source.lang}  {n:5d}  {source.file}")
        q = question_rows()
        qn = sum(len(r["text"].split()) for r in q)
        print(f"questions: {len(q)} rows, {qn} words; total {total + qn} words")
    if args.check:
        stale = [name for name, data in files.items()
                 if not (args.out / name).is_file() or (args.out / name).read_bytes() != data]
        for name in stale:
            print(f"differs: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    size = sum(len(d) for d in files.values())
    print(f"wrote {len(files)} files ({size / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
