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
    r"takk|takksigelser|acknowledgements?|ordliste|forkortelser|figurliste|tabelliste|"
    r"noter|sluttnoter|fotnoter|notes|endnotes)[:.]?$",
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


_TOC_PAGES = re.compile(r"(?:(?:\.\s?){3,}|…+|\s{3,}|_{3,})\s*(\d{1,4}|[ivxlc]{1,6})((?:\s*[,–-]?\s*\d{1,4})*)\s*$",
                        re.IGNORECASE)


def toc_entry_page(line: str) -> int | None:
    """The page number a contents entry points to (0 for a roman numeral), or None when the line is not one.

    A row of a table set with dot leaders ("Veibruksavgift ....... 1 757 1 850 1 800", "Skatt ..... 22,0
    -150") carries several figures, decimals or signs after its leaders; a contents entry one page number,
    or two page columns ("79 318, 332-333" in a bill that also points to its proposed decisions).
    """
    text = line.rstrip()
    if not is_toc_entry(text):
        return None
    match = _TOC_PAGES.search(text[-80:])
    if match is None:
        return None
    rest = match.group(2)
    first = match.group(1)
    if re.search(r"\d,\d|(?:^|\s)[-–]\d", rest) or len(re.findall(r"\d\s+(?=\d)", first + rest)) >= 2:
        return None  # decimals, signs or three columns of figures: a table row
    if not first.isdigit():
        return 0
    # "1 757 1 850": a thousands group after a short number is an amount, not a second page column
    if rest and re.match(r"\s\d{3}(?:\s|$)", rest) and len(first) <= 2:
        return None
    return int(first) or None  # no book has a page 0; a table has zero amounts


def toc_entries_in_order(lines: list[str]) -> int:
    """How many of ``lines`` are contents entries, when their page numbers run in order (else 0).

    Page numbers of a contents page never go down (roman front matter first); amounts in a table do.
    """
    pages = [p for p in (toc_entry_page(line) for line in lines) if p is not None]
    if len(pages) < 3:
        return len(pages)
    steps = list(zip(pages, pages[1:], strict=False))
    rising = sum(1 for a, b in steps if b >= a)
    return len(pages) if rising >= 0.8 * len(steps) else 0


# Report forms and title-page boxes: a label and its value. Labels that only occur in forms may stand without a
# colon when a number, an address or a link follows ("ISBN 978-...", "Telefaks 73 59 66 24"); the others need
# their colon ("Tilgjengelighet: Åpen"), so a heading such as "Tilgjengelighet og fleksibilitet" is not a field.
_FORM_ONLY = (r"isbn|issn|e-post|epost|e-mail|telefon|telefaks|telefax|tlf\.?|fax|faks|org\.?\s?nr\.?|"
              r"foretaksnr\.?|prosjektnr\.?|rapportnr\.?|postboks|postadresse|besøksadresse|web\.?|www\.\S+")
_FORM_LABELS = (rf"{_FORM_ONLY}|tilgjengelighet|gradering|oppdragsgivers?(?: ref\.?)?|oppdragsgiver\(e\)|"
                r"prosjektleder|prosjektnummer|forfatter\(e\)|forfattere?|dato|antall sider(?: og bilag)?|emneord|"
                r"nøkkelord|stikkord|kvalitetssikret(?: av)?|godkjent(?: av)?|utgiver|trykk|opplag|design|layout|"
                r"forsidefoto|omslag|rapporttype|serie|pris|ansvarlig|kontaktperson|adresse|web|internett|"
                r"keywords|publisher|report no\.?|phone|telephone|address|availability|pages")
_FORM_FIELD = re.compile(rf"^(?:(?:{_FORM_ONLY})\b\.?:?\s*\S.{{0,70}}$|(?:{_FORM_LABELS})\s*:(?:\s.{{0,80}})?$)",
                         re.IGNORECASE)


def is_form_field(line: str) -> bool:
    """A label/value field of a report form or title-page box ("E-post: ...", "ISBN 978-...", "Gradering: Åpen")."""
    text = " ".join(line.split())
    if not text or len(text) > 100:
        return False
    match = _FORM_FIELD.match(text)
    if match is None:
        return False
    head = text.split(":", 1)[0] if ":" in text else text
    # a form-only label without a colon needs a value that looks like one (digits, an address, a link)
    return ":" in text or bool(re.search(r"[\d@]|www\.|https?://", text[len(head.split()[0]):]))


def is_colophon_line(line: str) -> bool:
    text = line.strip()
    if _COLOPHON.match(text):
        return True
    letters = [c for c in text if c.isalpha()]
    # labels of report forms are upper-case words ("FORFATTER(E)", "OPPDRAGSGIVERS REF.")
    return 2 <= len(letters) and text.isupper() and len(text.split()) <= 6 and not _SENTENCE_END.search(text)


_QUOTE_DASH = re.compile(r"^\s*[–—]\s+(?=[A-ZÆØÅ«\"”])")


def is_quote_dash(line: str) -> bool:
    """A paragraph opened by a quotation dash ("– Vi har jobbet med dette lenge, sier hun."), as Norwegian
    journalism marks speech: a typographic dash, a capital, and a sentence's worth of words, where a dash
    bullet item is short or starts in lower case."""
    return _QUOTE_DASH.match(line) is not None and len(line.split()) >= 9


def list_item(line: str) -> tuple[str, str] | None:
    """("bullet" | "label", text without the bullet glyph) when the line starts a list item.

    A quotation dash is not a bullet: that paragraph is running text and keeps its dash.
    """
    if is_quote_dash(line):
        return None
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


def flag_toc_and_forms(blocks: list[Block]) -> None:
    """Contents entries and report-form fields found by their shape become kinds "toc" and "front" (in place).

    A heading or paragraph made only of contents entries (dot leaders and a page number: "1.1 Målsetting
    ..... 9") is part of a table of contents wherever it stands; one made only of form fields ("E-post: ...",
    "ISBN 978-...", "Telefaks 73 59 66 24") is a title-page box or colophon, front or back. Neither belongs
    to the running text. Tables keep their kind: their rows are read as rows.
    """
    for block in blocks:
        if block.kind not in ("heading", "body", "list"):
            continue
        lines = [line for line in block.text.split("\n") if line.strip()]
        if not lines or len(block.text) > 600:
            continue
        entries = all(toc_entry_page(line) is not None or (block.kind == "heading" and is_toc_entry(line))
                      for line in lines)
        # one stray line with leaders in a paragraph is not a contents list; a heading that is an entry is
        if entries and (block.kind == "heading" or len(lines) >= 2):
            block.kind, block.level = "toc", 0
        elif all(is_form_field(line) for line in lines):
            block.kind, block.level = "front", 0

