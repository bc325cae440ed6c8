"""Citation strings for passages: "Forfatter (år): Tittel, s. N, kap. X".

Rules (Norwegian academic habit, kept short enough for a slide):

* authors by surname: one ("Aasen"), two ("Aasen og Solstad"), three or more ("Aasen mfl."); a name stored as
  "Etternavn, Fornavn" keeps the part before the comma; organisations (names with no space or more than four words)
  are kept whole. No author: the title takes the author's place ("Tittel (år), s. N").
* "u.å." (uten år) when the year is unknown.
* pages: "s. 12" or a span "s. 12-13"; printed page labels are used when the document records them (meta
  ``page_labels``, one per physical page), so front matter in roman numerals and offsets are cited as printed.
  Unpaginated sources (a web page, a plain text of one page) get no page.
* section: the deepest numbered heading of the passage's section path ("kap. 2.1"); an unnumbered section is cited
  by its heading ("kap. Forord"), shortened.

This is the one citation format of the package: search, examples, KWIC, topics and the report all call it.
Every result list also carries the ``passage_id``: the stable link back (``policytekst passages --doc DOC`` shows it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from policytekst.errors import UnknownNameError
from policytekst.titles import is_corporate

if TYPE_CHECKING:  # pragma: no cover
    from policytekst.corpus import Corpus

NO_YEAR = "u.å."
_NUMBERED = re.compile(r"^\s*((?:\d+|[IVXLC]+|[A-Z])(?:\.\d+)*)\.?(?:\s|$)")
_PAGINATED_FORMATS = ("pdf",)
_SECTION_CHARS = 50


def surname(name: str) -> str:
    """'Kristin Aasen' -> 'Aasen'; 'Aasen, Kristin' -> 'Aasen'; organisations stay whole
    ('Arbeids- og sosialdepartementet', 'Bergen kommune', 'NAV Arbeid og velferd, Oslo')."""
    name = " ".join(name.split())
    if is_corporate(name):
        return name
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split(" ")
    if len(parts) == 1 or len(parts) > 4:
        return name
    # particles belong to the surname ("van der Berg", "de Vibe")
    particles = {"van", "von", "de", "der", "den", "da", "di", "la", "le"}
    i = len(parts) - 1
    while i > 0 and parts[i - 1].lower() in particles:
        i -= 1
    return " ".join(parts[i:])


def author_part(authors: Iterable[str], corporate: Iterable[str] = ()) -> str:
    """Surnames of the authors: "Aasen", "Aasen og Solstad", "Aasen mfl."; "" when there are none. Names in
    ``corporate`` (the document's corporate authors, as describe found them) are cited whole."""
    whole = set(corporate)
    names = [a.strip() if a.strip() in whole else surname(a) for a in authors if a and a.strip()]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} og {names[1]}"
    return f"{names[0]} mfl."


def page_part(page_start: int | None, page_end: int | None, labels: list[str] | None = None) -> str:
    """The page part: 's. 12' or 's. 12-13' (printed labels when given, one per physical page); '' without a page."""
    if not page_start:
        return ""
    page_end = page_end or page_start

    def label(n: int) -> str:
        if labels and 1 <= n <= len(labels) and str(labels[n - 1]).strip():
            return str(labels[n - 1]).strip()
        return str(n)

    first, last = label(page_start), label(page_end)
    return f"s. {first}" if first == last else f"s. {first}-{last}"


def section_part(section: str | None) -> str:
    """The section to cite from a path such as "2 Teori > 2.1 New Public Management" -> "kap. 2.1"."""
    if not section or not section.strip():
        return ""
    parts = [p.strip() for p in section.split(">") if p.strip()]
    for part in reversed(parts):
        match = _NUMBERED.match(part)
        if match and any(ch.isdigit() for ch in match.group(1)):
            return f"kap. {match.group(1)}"
    heading = parts[-1]
    if len(heading) > _SECTION_CHARS:
        heading = heading[:_SECTION_CHARS].rsplit(" ", 1)[0] + " …"
    return f"kap. {heading}"


def format_citation(*, authors: Iterable[str], year: int | None, title: str | None, page_start: int | None,
                    page_end: int | None, section: str | None, paginated: bool = True,
                    page_labels: list[str] | None = None, corporate: Iterable[str] = ()) -> str:
    """Build the citation string from its parts (no corpus needed)."""
    who = author_part(authors, corporate)
    when = str(year) if year else NO_YEAR
    title = " ".join((title or "").split()) or "Uten tittel"
    head = f"{who} ({when}): {title}" if who else f"{title} ({when})"
    where = section_part(section)
    heading = where.removeprefix("kap. ").rstrip(" …")
    if heading and not heading[0].isdigit() and heading.casefold() in title.casefold():
        where = ""  # a section named like the document (a web article's only heading) adds nothing
    tail = [part for part in (page_part(page_start, page_end, page_labels) if paginated else "", where) if part]
    return ", ".join([head, *tail])


def _is_paginated(doc_format: str | None, n_pages: int | None, last_page: int | None = None) -> bool:
    # A PDF is always cited by page; other formats only when real pages were found (a reader's page breaks, or a
    # transcript whose printed page numbers the segmenter carried into the passages): a single "page" of a web
    # page or text file is no page at all.
    return doc_format in _PAGINATED_FORMATS or (n_pages or 0) > 1 or (last_page or 0) > 1


def citations(corpus: Corpus, passage_ids: Iterable[str]) -> dict[str, str]:
    """Citation strings for many passages at once (a few queries, whatever their number)."""
    ids = list(dict.fromkeys(passage_ids))
    if not ids:
        return {}
    rows = corpus.store.passage_places(ids)
    docs = _document_facts(corpus, {row["doc_id"] for row in rows})
    result = {}
    for row in rows:
        doc_id = row["doc_id"]
        doc = docs[doc_id]
        result[row["passage_id"]] = format_citation(
            authors=doc["authors"], year=doc["year"], title=doc["title"] or doc_id, page_start=row["page_start"],
            page_end=row["page_end"], section=row["section"],
            paginated=_is_paginated(doc["format"], doc["n_pages"], doc["last_page"]), page_labels=doc["page_labels"],
            corporate=doc["corporate"])
    return result


# Document facts per corpus file, valid for one corpus generation (documents only change with it).
_FACTS: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {}


def _document_facts(corpus: Corpus, doc_ids: set[str]) -> dict[str, dict[str, Any]]:
    key, generation = str(corpus.store.path), corpus.generation
    cached_generation, facts = _FACTS.get(key, (None, {}))
    if cached_generation != generation:
        facts = {}
        _FACTS[key] = (generation, facts)
    missing = sorted(doc_ids - set(facts))
    if missing:
        facts.update(corpus.store.citation_facts(missing))
    return {d: facts[d] for d in doc_ids if d in facts}


def citation(corpus: Corpus, passage_id: str) -> str:
    """The citation string for one passage: "Forfatter (år): Tittel, s. N, kap. X".

    Examples
    --------
    >>> citation(corpus, "thesis2010_plain:00042")            # doctest: +SKIP
    'Aasen (2010): Sosialt arbeid i en fragmentert sosialtjeneste, s. 17, kap. 2.1'
    """
    found = citations(corpus, [passage_id])
    if passage_id not in found:
        raise UnknownNameError(f"no passage {passage_id!r} in {corpus.directory}")
    return found[passage_id]
