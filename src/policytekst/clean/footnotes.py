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

# a footnote starts with its number, then its text from a capital, a quote, a bracket or a link (a body
# line that begins with a number runs on in lower case or with more figures: "5 ordningen", "6 621 kroner"), or
# the number alone on its line
_START = re.compile(r"^\s*(\d{1,3})(?:\s+([A-ZÆØÅÄÖÜ\"«“”'(\[§].*|(?:www|http)\S*.*))?\s*$")


@dataclass
class Footnote:
    number: int
    text: str
    page: int = 1


# Words whose number belongs to them ("Tabell 3", "nr. 14", "§ 8", "kap. 2", "mai 2006", "kr 500"): a number
# after one of them is never a footnote marker, glued or not.
NUMBER_WORDS = frozenset("""
tabell tabellen tabeller figur figuren figurer boks boksen kapittel kapitlet kap avsnitt avsnittet punkt pkt
del delen vedlegg vedlegget bilag nr nummer side siden sidene s ss ledd leddet paragraf artikkel art steg trinn
fase nivå klasse runde uke år alder kl klokken versjon modell alternativ spørsmål sp note noter fotnote jf
januar februar mars april mai juni juli august september oktober november desember jan feb apr jun jul aug
sep sept okt nov des kr nok pst prosent mill mrd ca cirka rundt omkring over under mellom til fra på med av
om og eller enn mot per hver totalt samlet utgjør utgjorde table tables figure figures chapter section page
pages p pp appendix part no step level article box and or of to from in at by
""".split())
# Abbreviations that take a number: "kap.3", "s.12" is a reference, not a marker after a sentence end.
_NUMBER_ABBREVIATIONS = frozenset("kap s ss nr pkt jf ca kl art p pp no sp fig tab vol bd jan feb apr jun jul aug "
                                  "sep sept okt nov des".split())
_CLOSE = r"(?=[\s.,;:!?)\]”\"'»]|$)"
_OPEN_CLOSE = ")]”\"'»’"
_GLUE_PUNCT = ".,;:!?"


def _word_before(line: str, end: int) -> str:
    """The letters-and-hyphens word that ends at ``end`` (lower-cased, without trailing punctuation)."""
    start = end
    while start > 0 and (line[start - 1].isalpha() or line[start - 1] in "-§"):
        start -= 1
    return line[start:end].lower()


def _followed_by_number(line: str, end: int) -> bool:
    """"1.7", "3,2", "8-4", "2006/07": the digits go on after a separator, so they are one number."""
    return end + 1 < len(line) and line[end] in ".,:/-–" and line[end + 1].isdigit()


# Words a quantity follows ("var 3.", "bare 12,"): a spaced number after them is the quantity, not a marker.
_QUANTITY_WORDS = frozenset("var er ble blir har hadde får fikk økte sank steg falt nesten bare kun omtrent minst "
                            "maks inntil alle begge nummer antall antallet totalt".split())


def marker_spans(line: str, n: int, *, spaced: str = "punct") -> list[tuple[int, int]]:
    """Where footnote marker ``n`` may stand in ``line``: (start, end) spans to cut, in order.

    A marker is a number set right after a word or punctuation, never part of another number or of a
    numbered thing: glued to a word of three or more letters that is not a short upper-case code
    ("tjenester3"; not "CO2", "ETS2", "Sm3"), glued to a code ("NC213" is NC2 with marker 13), glued after a
    word's closing punctuation ("oppfølging.1", "(2005)3"; not "2.1", "kap.3"), or - as pdfium and web
    transcripts print a raised number set off by a space - after a space following a word or bracket
    (``spaced``): "punct" when punctuation or the end of the line follows ("(EBP) 14.", "Midt-Norge 1"; not
    "ansatte 3 ganger"), "any" also before a word (a web transcript flattens superscripts that way:
    "strategidel 3 for"), "none" never; never after "nr. 14", "Tabell 1", "§ 8". Digits next to other digits ("1.7", "3,2", "§ 8-4", years, amounts) are
    never a marker.
    """
    token = str(n)
    spans = []
    for match in re.finditer(rf"{token}{_CLOSE}", line):
        start, end = match.span()
        if start == 0 or _followed_by_number(line, end):
            continue
        before = line[start - 1]
        if before.isdigit():
            # a code with a marker glued on: letters, one digit, the marker ("NC213")
            if (start >= 3 and line[start - 2].isalpha() and (start == 3 or not line[start - 3].isdigit())
                    and len(_word_before(line, start - 1)) >= 2):
                spans.append((start, end))
            continue
        if before.isalpha():
            # glued with no space: even "figur1" is a marker ("figur 1" is set with a space)
            word = _word_before(line, start)
            if len(word) < 3:
                continue
            if line[start - len(word):start].isupper() and len(word) <= 3 and len(token) == 1:
                continue  # "CO2", "ETS2", "SO2": a code
            spans.append((start, end))
        elif before in _GLUE_PUNCT or before in _OPEN_CLOSE:
            prev = line[start - 2] if start >= 2 else ""
            if before in _GLUE_PUNCT:
                if not prev.isalpha() and prev not in _OPEN_CLOSE:
                    continue  # "2.1", "1985.3", ". 4": part of a number or a list
                if prev.isalpha() and _word_before(line, start - 1) in _NUMBER_ABBREVIATIONS:
                    continue  # "kap.3", "s.12", "nr.4"
            elif not (prev.isalpha() or prev.isdigit() or prev in ".!?"):
                continue
            spans.append((start, end))
        elif before == " " and spaced != "none":
            if not re.match(r"[.,;:!?)]?(?:\s|$)", line[end:end + 2]) or (
                    spaced == "punct" and line[end:end + 1] == " " and line[end:].strip()):
                continue  # in a PDF a spaced number running into more words is a quantity
            if re.match(r"\.\s+[a-zæøå]", line[end:end + 3]):
                continue  # an ordinal: "3. januar", "2. ledd"
            prev_end = start - 1
            while prev_end > 0 and line[prev_end - 1] in _OPEN_CLOSE:
                prev_end -= 1
            if prev_end == 0:
                continue
            bracketed = prev_end < start - 1
            if not (line[prev_end - 1].isalpha() or (bracketed and line[prev_end - 1].isalnum())):
                continue  # after a number, "nr.", "§", a dash or a list glyph
            word = _word_before(line, prev_end)
            if not bracketed and (len(word) < 3 or word in NUMBER_WORDS or word in _QUANTITY_WORDS
                                  or word.endswith("-")):
                continue
            spans.append((start - 1, end))
    return spans


def find_markers(lines: list[str], first: int, *, spaced: str = "punct") -> list[tuple[int, int, int, int]]:
    """Markers first, first+1, ... in reading order: (number, line index, start, end)."""
    found = []
    n, start_line, start_col = first, 0, 0
    while True:
        hit = None
        # a marker the rules do not recognise (or a typesetting slip) must not hide the ones after it
        # a glued marker is surer than a spaced one ("oppfølging 1" at a line end may be "1 prosent" wrapped)
        modes = ("none", spaced) if spaced != "none" else ("none",)
        for m, mode in [(m, mode) for m in ((n, n + 1, n + 2) if found else (n,)) for mode in modes]:
            for li in range(start_line, len(lines)):
                following = lines[li + 1].lstrip()[:1] if li + 1 < len(lines) else ""
                spans = [s for s in marker_spans(lines[li], m, spaced=mode)
                         if (li != start_line or s[0] >= start_col)
                         # "oppfølging 1" / "000 kroner": a number split over two lines, not a marker
                         and not (lines[li][s[0]] == " " and s[1] >= len(lines[li].rstrip()) and following.isdigit())]
                if spans:
                    hit = (m, li, spans[0][0], spans[0][1])
                    break
            if hit is not None:
                break
        if hit is None:
            return found
        found.append(hit)
        n, start_line, start_col = hit[0] + 1, hit[1], hit[3]


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
                elif m and m.group(2) and first <= int(m.group(1)) < n:
                    ok = False  # a number used twice: the area started too early ("Prop." / "1 LS ...")
                    break
                elif notes:
                    notes[-1][1].append(line)
                else:
                    ok = False
                    break
            if not ok or not notes or len(notes) > len(markers) + 3:
                continue
            if not all(looks_like_note(" ".join(parts)) for _, parts in notes):
                continue  # contents entries or table rows that happen to start with the right numbers
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
                if not all(looks_like_note(note) for _, note in notes):
                    break  # a contents page or a table, not a footnote zone
                body = text[:zone_starts[0][1]]
                for _, a, b in reversed([(n, a, b) for n, a, b in markers]):
                    body = body[:a] + body[b:]
                return body.rstrip(), notes, markers[-1][0] + 1
            markers = markers[:-1]
    return text, [], expected


def _inline_markers(text: str, first: int) -> list[tuple[int, int, int]]:
    """Markers after a word or punctuation, glued or set off by a space (a transcript prints superscripts
    as " 3"), in order: (n, start, end)."""
    return [(n, a, b) for n, _, a, b in find_markers([text], first, spaced="any")]


_LEADERS = re.compile(r"(?:\.\s?){4,}|…|_{3,}")


def looks_like_note(text: str) -> bool:
    """Footnote text is words: not a contents entry (dot leaders, a page-number column) or a table row of
    figures."""
    text = text.strip()
    if not text or _LEADERS.search(text):
        return False
    chars = [c for c in text if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    return letters >= 0.4 * len(chars) and not re.search(r"\s{3,}\d{1,4}\s*$", text)


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


# -- endnotes: a notes section at the end of the document (or of a chapter) -------------------------------------
_ENDNOTES_HEADING = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:noter|notar|sluttnoter|fotnoter|notes|endnotes)[:.]?$",
                               re.IGNORECASE)
_ENDNOTE_START = r"(?:(?<=\s)|^){n}\.?\s+(?=[A-ZÆØÅÄÖÜ\"«“”'(\[§]|www|http)"


def _split_endnotes(text: str, first: int) -> list[tuple[int, str]]:
    """Notes first, first+1, ... of a notes section's text (its paragraphs joined): [(number, text)]."""
    starts = []
    pos, n = 0, first
    while True:
        match = re.compile(_ENDNOTE_START.format(n=n)).search(text, pos)
        if match is None or (not starts and match.start() > 0):
            break
        starts.append((n, match.start(), match.end()))
        pos, n = match.end(), n + 1
    notes = []
    for i, (n, _, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        notes.append((n, " ".join(_join(text[end:stop].split("\n")).split())))  # line-end hyphens mended
    return notes


def take_endnotes(blocks: list) -> None:
    """Endnotes: the numbered notes under a "Noter"/"Notes" heading become footnote blocks, and the markers
    that name them leave the running text before it (in place).

    Only markers the notes can name are cut (numbers 1..N of the notes found, in reading order, by the same
    rules as page-bottom markers); a notes section whose paragraphs do not run 1, 2, 3 ... is left alone.
    """
    from policytekst.model import Block

    for h, heading in enumerate(blocks):
        if heading.kind != "heading" or not _ENDNOTES_HEADING.match(heading.text.strip()):
            continue
        # the section runs to the next heading, except that a note line may look like a numbered heading
        # ("1 Se rapporten fra direktoratet"): those stay in the section
        end = h + 1
        while end < len(blocks) and (blocks[end].kind in ("body", "list", "reference", "front") or (
                blocks[end].kind == "heading" and re.match(r"^\d{1,3}\.?\s+\S", blocks[end].text))):
            end += 1
        section = [b for b in blocks[h + 1:end] if b.kind in ("body", "list", "reference", "heading")]
        if not section:
            continue
        notes = _split_endnotes("\n".join(b.text for b in section), 1)
        # the section must open with note 1 (a section of prose is not a list of notes)
        if not notes or not all(looks_like_note(t) for _, t in notes):
            continue
        earlier = [i for i in range(h) if blocks[i].kind in ("body", "list", "summary", "table")]
        markers = find_markers([blocks[i].text for i in earlier], 1)
        numbers = {n for n, _ in notes}
        for n, li, a, b in reversed(markers):
            if n in numbers:
                block = blocks[earlier[li]]
                block.text = block.text[:a] + block.text[b:]
        page = section[0].page_start
        replacement = [Block(t, "footnote", page, page, meta={"n": n, "endnote": True}) for n, t in notes if t]
        blocks[h + 1:end] = [b for b in blocks[h + 1:end] if b not in section] + replacement
        return
