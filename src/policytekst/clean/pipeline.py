"""The cleaning pipeline: RawDocument -> ordered list of Blocks. Pure; every step is a named function.

Steps by shape of input:
- PDF (pages of hard-wrapped lines): unicode repair -> running headers/footers and page numbers ->
  page-bottom footnotes -> title page, colophon and table-of-contents pages -> re-flow with lexicon
  hyphenation and headings (PDF outline first) -> section kinds -> language.
- page-per-line transcript: unicode -> site chrome (everything outside the run of numbered page lines) ->
  glued page numbers -> glued footnotes -> front/TOC pages -> pages joined where a sentence runs on ->
  run-in headings -> section kinds -> language.
- flowing text (plain text, Markdown, HTML main text, DOCX): unicode -> site chrome -> Markdown markup and
  footnotes -> lone page numbers -> re-flow -> front matter -> section kinds -> language.
- table rows (one short text per row): the light path, one block per paragraph, no layout analysis.
"""

from __future__ import annotations

import re

from policytekst.clean import boilerplate, footnotes, headers, pagenumbers, structure, transcript
from policytekst.clean.hyphenation import mend, usage_counts
from policytekst.clean.language import assign_languages
from policytekst.clean.language import detect as detect_block_language
from policytekst.clean.reflow import Line, Reflower, full_width
from policytekst.clean.unicode import repair
from policytekst.model import Block, RawDocument


def clean_document(raw: RawDocument) -> list[Block]:
    """Clean one document into blocks (headings, paragraphs, lists, footnotes, flagged TOC/front/chrome)."""
    if raw.format == "table-row":
        return clean_table_row(raw)
    if raw.format == "pdf" or len(raw.pages) > 1:
        blocks = clean_paged(raw)
    else:
        text = repair(raw.pages[0].text if raw.pages else "", keep_tabs=raw.format == "markdown")
        lines = text.split("\n")
        run = transcript.page_run(lines)
        blocks = clean_transcript(lines, run) if run else clean_flowing(raw, lines)
    footnotes.take_endnotes(blocks)
    structure.flag_toc_and_forms(blocks)
    structure.assign_section_kinds(blocks)
    assign_languages(blocks)
    return blocks


# -- table rows: the light path ------------------------------------------------------------------------------
def clean_table_row(raw: RawDocument) -> list[Block]:
    """One short text: paragraphs split on blank lines, spaces folded. No layout analysis (it has none).

    Language comes from a "language"/"lang"/"språk" column when the table has one; otherwise it is detected
    once for the whole row (about 0.2 ms for a short text), so search filters and lemmas know it.
    """
    text = repair(raw.pages[0].text if raw.pages else "")
    language = next((str(raw.meta[k]).strip().lower() for k in ("language", "lang", "språk", "sprak")
                     if raw.meta.get(k)), None)
    if language is None and len(text.split()) >= 3:
        language = detect_block_language(text)
    return [Block(" ".join(p.split()), "body", 1, 1, language=language)
            for p in re.split(r"\n\s*\n", text) if p.strip()]


# -- PDF and other paged input -------------------------------------------------------------------------------
def clean_paged(raw: RawDocument) -> list[Block]:
    pages = [[line.rstrip() for line in repair(p.text).split("\n")] for p in raw.pages]
    numbers = [p.number for p in raw.pages]
    pages, _ = headers.strip_running(pages)
    pages, notes = _page_footnotes(pages, numbers)
    page_kinds = classify_pages(["\n".join(lines) for lines in pages])
    usage = usage_counts("\n".join("\n".join(lines) for lines in pages))

    blocks: list[Block] = []
    body_lines: list[Line] = []
    for number, lines, kind in zip(numbers, pages, page_kinds, strict=False):
        if kind != "body":
            # title pages and forms keep their lines: describe reads fields from them line by line
            text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
            if text:
                blocks.append(Block(text, kind, number, number))
            continue
        body_lines.extend(Line(line, number) for line in lines)
    reflower = Reflower(outline=raw.facts.get("outline"), usage=usage, blank_breaks=True,
                        width=full_width(body_lines))
    body = reflower.run(body_lines)
    return _merge_by_page(blocks, body, notes)


def _page_footnotes(pages: list[list[str]], numbers: list[int]) -> tuple[list[list[str]], dict[int, list[Block]]]:
    notes: dict[int, list[Block]] = {}
    expected = 1
    out = []
    for number, lines in zip(numbers, pages, strict=False):
        body, found, expected = footnotes.split_page(lines, expected)
        out.append(body)
        if found:
            notes[number] = [Block(text, "footnote", number, number, meta={"n": n}) for n, text in found if text]
    return out, notes


def _merge_by_page(front: list[Block], body: list[Block], notes: dict[int, list[Block]]) -> list[Block]:
    """Interleave page-level blocks (front, TOC) and body blocks by page; footnotes after their page's text."""
    merged: list[Block] = []
    pending = sorted(front, key=lambda b: b.page_start)
    for block in body:
        while pending and pending[0].page_start <= block.page_start:
            merged.append(pending.pop(0))
        merged.append(block)
    merged.extend(pending)
    if not notes:
        return merged
    out: list[Block] = []
    placed: set[int] = set()
    for i, block in enumerate(merged):
        out.append(block)
        nxt = merged[i + 1].page_start if i + 1 < len(merged) else 10**9
        for page in sorted(p for p in notes if p not in placed and block.page_end >= p and nxt > p):
            out.extend(notes[page])
            placed.add(page)
    for page in sorted(p for p in notes if p not in placed):
        out.extend(notes[page])
    return out


_INLINE_TOC = re.compile(r"(?:\.\s?){3,}\s*(?:\d{1,4}|[ivxlc]{1,6})\b", re.IGNORECASE)


def classify_pages(texts: list[str]) -> list[str]:
    """Per page: "front" (title page, colophon/report form), "toc" (table of contents) or "body".

    Title and colophon pages are only looked for before the text proper begins, so an epigraph or a
    one-line page inside the document is never taken for a title page.
    """
    kinds = ["body"] * len(texts)
    if len(texts) < 2:
        return kinds
    started = False
    in_toc = False
    for i, text in enumerate(texts):
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if not lines:
            continue
        toc_lines = structure.toc_entries_in_order(lines)
        if len(lines) <= 2:  # a transcript page on one line: count the entries inside it
            toc_lines = max(toc_lines, len(_INLINE_TOC.findall(text)))
        first = structure.strip_numbering(lines[0])
        opens_toc = structure.section_kind(first) == "toc" or structure.section_kind(lines[0]) == "toc"
        if (toc_lines >= 3 and toc_lines >= 0.3 * len(lines)) or (opens_toc and toc_lines >= 1):
            kinds[i] = "toc"
            in_toc = True
            continue
        words = len(text.split())
        prose = structure.sentence_ends(text)
        if in_toc and i < 0.3 * len(texts) and prose <= max(1, words // 60):
            kinds[i] = "toc"  # a contents page continued without leaders
            continue
        in_toc = False
        if started:
            continue
        colophon = sum(1 for line in lines if structure.is_colophon_line(line))
        if colophon >= 5:
            kinds[i] = "front"
            continue
        if not structure.has_prose(text) or (prose <= 1 and (words < 80 or not any(
                len(line.split()) >= 12 for line in lines))):
            kinds[i] = "front"
            continue
        started = True
    return kinds


# -- page-per-line transcripts -------------------------------------------------------------------------------
def clean_transcript(lines: list[str], run: tuple[str, list[int]]) -> list[Block]:
    side, indices = run
    inside = set(indices)
    chrome = [Block(line.strip(), "boilerplate", 1, 1) for i, line in enumerate(lines)
              if line.strip() and i not in inside and i < indices[0]]
    trailing = [Block(line.strip(), "boilerplate", 1, 1) for i, line in enumerate(lines)
                if line.strip() and i not in inside and i > indices[-1]]
    pages: list[tuple[int, str]] = []
    previous = 0
    for i in indices:
        number, text = pagenumbers.split_glued(lines[i], side)
        page = transcript.page_number(number or 0, previous)
        previous = page
        pages.append((page, text))

    notes: dict[int, list[Block]] = {}
    expected = 1
    cleaned: list[tuple[int, str]] = []
    for page, text in pages:
        body, found, expected = footnotes.split_inline(text, expected)
        if found:
            notes[page] = [Block(t, "footnote", page, page, meta={"n": n}) for n, t in found if t]
        cleaned.append((page, body))

    kinds = classify_pages([text for _, text in cleaned])
    usage = usage_counts("\n".join(text for _, text in cleaned))
    blocks: list[Block] = []
    last_heading: tuple[int, ...] = ()
    open_block: Block | None = None
    for (page, text), kind in zip(cleaned, kinds, strict=False):
        if not text:
            continue
        if kind != "body":
            blocks.append(Block(text, kind, page, page))
            open_block = None
            continue
        parts, last_heading = transcript.split_run_in_headings(text, last_heading)
        for j, (part_kind, part) in enumerate(parts):
            if part_kind == "heading":
                blocks.append(Block(part, "heading", page, page, level=structure.heading_level(part, 1)))
                open_block = None
                continue
            if j == 0 and open_block is not None:
                # the previous page ended mid-sentence: the paragraph runs on
                mended = mend(open_block.text, part, usage)
                offset = len(open_block.text) + (0 if mended is not None else 1)
                open_block.meta.setdefault("page_breaks", []).append((offset, page))
                open_block.text = mended if mended is not None else open_block.text + " " + part
                open_block.page_end = page
            else:
                open_block = Block(part, "body", page, page)
                blocks.append(open_block)
        if open_block is not None and re.search(r"[.!?:”\"»)]$", open_block.text.rstrip()):
            open_block = None
    body = _merge_by_page([], blocks, notes)
    return chrome + body + trailing


# -- flowing text: plain text, Markdown, HTML main text, DOCX --------------------------------------------------
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


# inline HTML that Markdown converters leave for emphasis ("<b>Forord .....</b>"); <sup> is the footnote step's
_MD_HTML_TAG = re.compile(r"</?(?:b|i|u|s|em|strong|span|small|mark|font)(?:\s[^<>]*)?>|<br\s*/?>", re.IGNORECASE)


def _markdown_inline(text: str) -> str:
    text = _MD_HTML_TAG.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _MD_AUTOLINK.sub(lambda m: m.group(1), text)
    text = _MD_EMPHASIS.sub(lambda m: m.group(2), text)
    text = text.replace("\\_", "_").replace("\\*", "*").replace("\\.", ".")
    return footnotes.strip_markdown_markers(text)


def clean_flowing(raw: RawDocument, lines: list[str]) -> list[Block]:
    markdown = raw.format in ("markdown", "html", "docx") or sum(
        1 for line in lines if _MD_HEADING.match(line)) >= 3
    chrome = boilerplate.chrome_lines(lines)
    blocks: list[Block] = []
    for i in sorted(chrome):
        if lines[i].strip():
            blocks.append(Block(lines[i].strip(), "boilerplate", 1, 1))
    chrome_blocks = blocks
    blocks = []

    nonblank = [line for line in lines if line.strip()]
    # double-spaced text (every line followed by a blank line): blank lines say nothing about paragraphs
    blanks_after = sum(1 for a, b in zip(lines, lines[1:], strict=False) if a.strip() and not b.strip())
    lengths = sorted(len(line.strip()) for line in nonblank) or [0]
    hard_wrapped = lengths[len(lengths) // 2] < 150  # lines are lines, not whole paragraphs
    double_spaced = (len(nonblank) > 20 and blanks_after > 0.6 * len(nonblank) and not markdown
                     and hard_wrapped)
    notes: list[Block] = []
    stream: list[Line] = []
    segments: list[tuple[str, object]] = []  # ("lines", [Line]) | ("block", Block)

    def flush_stream() -> None:
        if stream:
            segments.append(("lines", list(stream)))
            stream.clear()

    in_table: list[str] = []

    def flush_table() -> None:
        if in_table:
            rows = [" | ".join(c.strip() for c in re.split(r"\t|\s*\|\s*", row.strip().strip("|")) if c.strip())
                    for row in in_table if not _MD_TABLE_RULE.match(row)]
            text = "\n".join(r for r in rows if r)
            if text:
                segments.append(("block", Block(_markdown_inline(text), "table", 1, 1)))
            in_table.clear()

    for i, line in enumerate(lines):
        if i in chrome:
            continue
        stripped = line.strip()
        if markdown:
            note = footnotes.markdown_footnote(stripped)
            if note:
                notes.append(Block(_markdown_inline(note[1]), "footnote", 1, 1, meta={"n": note[0]}))
                continue
            if stripped.startswith("|") or (stripped.count("\t") >= 1 and len(stripped.split("\t")) >= 2):
                flush_stream()
                in_table.append(stripped)
                continue
            flush_table()
            heading = _MD_HEADING.match(stripped)
            if heading:
                flush_stream()
                text = _markdown_inline(heading.group(2)).strip()
                if text:
                    segments.append(("block", Block(text, "heading", 1, 1, level=len(heading.group(1)))))
                continue
            if re.match(r"^!\[[^\]]*\]\([^)]*\)$", stripped) or stripped in ("---", "***", "___"):
                continue
            line = _markdown_inline(line)
        if pagenumbers.is_page_number(stripped):
            continue  # a lone printed page number inside flowing text
        if double_spaced and not stripped:
            continue
        trailing = len(line) - len(line.rstrip(" "))
        stream.append(Line(line.rstrip(), 1, trailing))
    flush_table()
    flush_stream()

    all_lines = [ln for kind, seg in segments if kind == "lines" for ln in seg]
    width = full_width(all_lines)
    usage = usage_counts("\n".join(ln.text for ln in all_lines))
    # hard-wrapped text re-flows by line shape; text whose lines are whole paragraphs (web pages, Markdown
    # paragraphs, DOCX) breaks at blank lines and never joins lines that end a sentence
    reflower = Reflower(usage=usage, blank_breaks=not double_spaced, width=width,
                        detect_headings=True)
    for kind, seg in segments:
        if kind == "block":
            blocks.append(seg)  # type: ignore[arg-type]
        else:
            blocks.extend(reflower.run(seg))  # type: ignore[arg-type]
    _flag_front_matter(blocks)
    return chrome_blocks + blocks + notes


def _flag_front_matter(blocks: list[Block]) -> None:
    """Title-page lines and report-form fields before the text proper begins become kind "front"."""
    for block in blocks:
        if block.kind == "heading":
            if structure.section_kind(block.text) or structure.KNOWN_HEADINGS.match(
                    structure.strip_numbering(block.text)):
                return
            continue
        if block.kind in ("body", "table") and structure.has_prose(block.text) and len(block.text.split()) > 25:
            return
        if block.kind in ("body", "table", "list"):
            block.kind = "front"
