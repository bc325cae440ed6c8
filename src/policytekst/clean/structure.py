"""Structure: headings, section kinds (summary, references, appendices, table of contents), title pages and
colophons, list items. Rules look at the shape of lines and at the standard section names of Norwegian and
English reports and theses, never at a particular document's text."""

from __future__ import annotations

import re

from policytekst.model import Block

_NUMBER = r"(?:\d{1,2}(?:\.\d{1,2}){0,4}\.?|[IVX]{1,4}\.)"
_NUMBERING = re.compile(rf"^(?:(?:kapittel|kap\.|del|chapter|part|vedlegg|appendix|bilag)\s+\S+[:.]?\s+|{_NUMBER}\s+)",
                        re.IGNORECASE)

SECTION_KINDS = (
    ("summary", re.compile(r"^(?:sammendrag|samandrag|summary|abstract|resym[eé]|executive summary|"
                           r"english summary|norsk sammendrag|hovedfunn|oppsummering og hovedfunn)\b[:.]?$",
                           re.IGNORECASE)),
    ("reference", re.compile(r"^(?:litteratur(?:liste)?|referanser|referanseliste|kilder|kildeliste|"
                             r"bibliografi|references|bibliography|works cited|literature|"
                             r"litteratur og kilder|kilder og litteratur)\b[:.]?$", re.IGNORECASE)),
    ("appendix", re.compile(r"^(?:vedlegg|appendiks|appendix|appendices|bilag|tillegg)\b", re.IGNORECASE)),
    ("toc", re.compile(r"^(?:innhold|innholdsfortegnelse|innholdsliste|contents|table of contents)\b[:.]?$",
                       re.IGNORECASE)),
)
# Section names that are always chapter-level headings when they stand alone on a line.
KNOWN_HEADINGS = re.compile(
    r"^(?:forord|preface|foreword|sammendrag|samandrag|summary|abstract|innledning|introduksjon|introduction|"
    r"innhold|innholdsfortegnelse|contents|litteratur(?:liste)?|referanser|references|bibliografi|kilder|"
    r"konklusjon|avslutning|oppsummering|conclusion|vedlegg(?:\s+\d+)?|appendix(?:\s+\w+)?|"
    r"takk|takksigelser|acknowledgements?|ordliste|forkortelser|figurliste|tabelliste)[:.]?$",
    re.IGNORECASE,
)
TOC_ENTRY = re.compile(r"(?:(?:\.\s?){3,}|…+|\s{3,}|_{3,})\s*(?:\d{1,4}|[ivxlc]{1,6})(?:[\s,-]+\d{1,4})*\s*$",
                       re.IGNORECASE)
_COLOPHON = re.compile(
    r"^(?:isbn|issn|telefon|telefaks|tlf|fax|e-post|epost|e-mail|postadresse|besøksadresse|adresse|"
    r"foretaksnr|org\.?\s?nr|web|www\.|trykk|design|layout|forsidefoto|omslag|opplag|utgiver|"
    r"oppdragsgiver|prosjektnr|gradering|rapportnr|kvalitetssikret|copyright|©)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•●▪■◦○·\u2022\u25aa\u25cf\uf0b7\uf0a7*–-]|o)\s+(?=\S)")
_LABEL = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z]\)|\(\d{1,2}\)|\([a-z]\))\s+(?=\S)")
# a sentence ends after a lower-case word ("dag.") or a closing bracket/quote/number, not after "Prop." or "St."
_SENTENCE_END = re.compile(r"(?:(?<!\w)[a-zæøåäöü][a-zæøåäöü-]+|[)\]\d”\"»%])[.!?](?:\s|$)")


def strip_numbering(heading: str) -> str:
    """Heading text without its number or "Kapittel 3"/"Vedlegg 2:" prefix."""
    text = heading.strip().strip("*#").strip()
    return _NUMBERING.sub("", text, count=1).strip() or text


def section_kind(heading: str) -> str | None:
    """summary | reference | appendix | toc for a heading that opens such a section; None otherwise."""
    text = heading.strip().strip("*#").strip()
    bare = strip_numbering(text)
    for kind, pattern in SECTION_KINDS:
        if kind == "appendix":
            if pattern.match(text) or pattern.match(bare):
                return kind
        elif pattern.match(bare) or pattern.match(text):
            return kind
    return None


def heading_level(text: str, default: int = 2) -> int:
    """Level from the numbering: "3" -> 1, "3.2" -> 2, "3.2.1" -> 3; known section names -> 1."""
    match = re.match(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s", text.strip())
    if match:
        parts = [p for p in match.group(1).split(".") if p]
        # "1.0 Bakteppe" is a chapter
        if len(parts) == 2 and parts[1] == "0":
            return 1
        return len(parts)
    if KNOWN_HEADINGS.match(strip_numbering(text)) or re.match(r"^(?:kapittel|del|chapter|part)\s", text, re.I):
        return 1
    return default


def is_toc_entry(line: str) -> bool:
    text = line.rstrip()
    # cheap test first: an entry ends with a page number (arabic or roman)
    if not text or not (text[-1].isdigit() or text[-1] in "ivxlcIVXLC"):
        return False
    return TOC_ENTRY.search(text[-80:]) is not None


def is_colophon_line(line: str) -> bool:
    text = line.strip()
    if _COLOPHON.match(text):
        return True
    letters = [c for c in text if c.isalpha()]
    # labels of report forms are upper-case words ("FORFATTER(E)", "OPPDRAGSGIVERS REF.")
    return 2 <= len(letters) and text.isupper() and len(text.split()) <= 6 and not _SENTENCE_END.search(text)


def list_item(line: str) -> tuple[str, str] | None:
    """("bullet" | "label", text without the bullet glyph) when the line starts a list item."""
    match = _BULLET.match(line)
    if match:
        return "bullet", line[match.end():].strip()
    match = _LABEL.match(line)
    if match:
        return "label", line.strip()
    return None


def has_prose(text: str, min_words: int = 12) -> bool:
    """Contains at least one sentence of running prose (enough words and a sentence end)."""
    return len(text.split()) >= min_words and _SENTENCE_END.search(text) is not None


def sentence_ends(text: str) -> int:
    return len(_SENTENCE_END.findall(text))


def assign_section_kinds(blocks: list[Block]) -> None:
    """Flag blocks under summary/reference/appendix/toc headings (in place).

    A special section lasts until the next heading of the same or a higher level; a reference list ends at
    an appendix heading; headings keep kind "heading" so they stay in the running text.
    """
    stack: list[tuple[int, str | None]] = []
    for block in blocks:
        if block.kind == "heading":
            level = max(block.level, 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            kind = section_kind(block.text)
            stack.append((level, kind))
            continue
        current = next((k for _, k in reversed(stack) if k), None)
        if current is None or block.kind in ("footnote", "boilerplate", "front"):
            continue
        if current == "toc":
            block.kind = "toc"
        elif current == "reference" and block.kind in ("body", "list"):
            block.kind = "reference"
        elif current == "summary" and block.kind in ("body",):
            block.kind = "summary"
        elif current == "appendix" and block.kind in ("body", "table"):
            block.kind = "appendix"
