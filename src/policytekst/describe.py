"""Describing: metadata fields (title, authors, year, genre, language, institution), each with its evidence.

Every value says where it came from (text, pdf-meta, html-meta, column, sidecar, path), quotes the line it
was read from, and how sure we are. Year rules, strongest first: a publication field or copyright line, a
signature under the preface ("Trondheim, desember 2010"), a report series number ("nr. 2/2010"), a web page's
first (publication) date stamp, file metadata; otherwise the newest year the document's own text mentions, as
a low-confidence lower bound. Years are never read from site chrome ("Like dokumenter" lists), footnotes,
reference lists, section numbers (3.2.10), ISSN/ISBN numbers or later (update) stamps. A metadata sidecar
overrides every field.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from policytekst.model import Block, Field, RawDocument
from policytekst.titles import (
    GENERIC_HEADING,
    GLUED_DATE,
    HeadLine,
    HeadResult,
    is_corporate,
    is_sentence,
    issued_by,
    organisation,
    persons,
    read_head,
    sentence_case,
    series_in,
    short_title,
)

_MONTHS = (r"(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
           r"jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sep\.?|sept\.?|okt\.?|nov\.?|des\.?|"
           r"january|february|march|may|june|july|october|december|"
           r"våren|høsten|vår|høst|sommer|sommeren|vinter|vinteren|spring|autumn|fall)")
_YEAR = r"((?:19|20)\d{2})"
# a signature stands on its own line or after a sentence: "Trondheim, desember 2010", "... takk! Oslo 30.07.2010"
_SIGN_START = r"(?:^|(?<=[.!?] ))"
SIGNATURE = re.compile(rf"{_SIGN_START}([A-ZÆØÅ][a-zæøå-]+),?\s+(?:den\s+)?(?:\d{{1,2}}\.?\s*)?(?i:{_MONTHS})\s+"
                       rf"{_YEAR}\b", re.MULTILINE)
SIGNATURE_DATE = re.compile(rf"{_SIGN_START}([A-ZÆØÅ][a-zæøå-]+),?\s+(?:den\s+)?\d{{1,2}}\.\s?\d{{1,2}}\.\s?{_YEAR}\b",
                            re.MULTILINE)
FIELD_YEAR = re.compile(rf"^(?:utgivelsesår|utgitt|publisert|publiseringsår|published|year|år|dato|date)"
                        rf"\s*:?\s*(?:\d{{1,2}}\.\s*)?(?:{_MONTHS}\s+|\d{{1,2}}\.\s*)?{_YEAR}\b",
                        re.IGNORECASE | re.MULTILINE)
FULL_DATE = re.compile(rf"\b\d{{1,2}}\.\s*(?i:{_MONTHS})\s+{_YEAR}\b")
COPYRIGHT = re.compile(rf"(?:©|\(c\)|copyright)\s*{_YEAR}", re.IGNORECASE)
SERIES = re.compile(rf"\b(?:rapport|notat|arbeidsrapport|skriftserie|report|working paper|nr\.?|no\.?)\s*"
                    rf"(?:nr\.?\s*)?\d{{1,3}}\s*/\s*{_YEAR}\b", re.IGNORECASE)
DATE_STAMP = re.compile(rf"\b(\d{{1,2}})[./-](\d{{1,2}})[./-]{_YEAR}\b")
_ANY_YEAR = re.compile(rf"(?<![\d.,/-]){_YEAR}(?![\d]|[.,]\d)")
_NOT_A_YEAR_BEFORE = re.compile(r"(?:issn|isbn|side|s\.|nr\.?|kap\.?|§|tlf\.?|telefon|postboks)\s*$", re.IGNORECASE)
_LABELS_YEAR_COLUMN = re.compile(r"^(?:rapport(?:nr)?|år|dato|utgitt|utgivelsesår|year|date)\b", re.IGNORECASE)

GENRES = (
    ("masteroppgave", re.compile(r"\b(?:masteroppgave|masteravhandling|master'?s thesis|master thesis|"
                                 r"mastergradsoppgave|mastergrad)\b", re.IGNORECASE)),
    ("doktoravhandling", re.compile(r"\b(?:doktorgradsavhandling|doktoravhandling|ph\.?d\.?-avhandling|"
                                    r"doctoral thesis)\b", re.IGNORECASE)),
    ("bacheloroppgave", re.compile(r"\b(?:bacheloroppgave|bachelor thesis)\b", re.IGNORECASE)),
    ("hovedoppgave", re.compile(r"\bhovedoppgave\b", re.IGNORECASE)),
    ("NOU", re.compile(r"\bNOU\s+\d{4}\s*:\s*\d+")),
    ("stortingsmelding", re.compile(r"\b(?:Meld\.\s*St\.|St\.\s*meld\.)\s*(?:nr\.\s*)?\d+")),
    ("proposisjon", re.compile(r"\b(?:Prop\.\s*\d+\s*(?:L|S|LS)\b|Proposisjon til Stortinget|St\.\s*prp\.)")),
    ("rapport", re.compile(r"\b(?:rapport|delrapport|arbeidsrapport|sluttrapport|fou-rapport|notat|"
                           r"evalueringsrapport|report)\b", re.IGNORECASE)),
)
_INSTITUTION = re.compile(r"\b(?:universitet\w*|høgskole\w*|høyskole\w*|NTNU|UiO|UiB|UiT|NMBU|OsloMet|"
                          r"institutt for [\w ]+|fakultet\w*|samfunnsforskning|NOVA|Fafo|SINTEF|"
                          r"forskningsinstitutt\w*|departement\w*|direktorat\w*|university|college)\b",
                          re.IGNORECASE)
_GENERIC_HEADINGS = re.compile(
    r"^(?:\d[\d.]*\s+)?(?:forord|preface|sammendrag|samandrag|summary|abstract|innhold\w*|contents|"
    r"innledning|introduksjon|introduction|rapport|del \w+|kapittel \w+|vedlegg.*|litteratur\w*|referanser)\b",
    re.IGNORECASE)
_NAME_TOKEN = r"[A-ZÆØÅ][a-zæøåäöéü]+(?:-[A-ZÆØÅ][a-zæøåäöéü]+)?"
NAME = re.compile(rf"^{_NAME_TOKEN}(?:\s+(?:[A-ZÆØÅ]\.|{_NAME_TOKEN})){{1,3}}$")
_SOFTWARE = re.compile(r"python|docx|microsoft|word|writer|latex|tex\b|admin|user|bruker|owner|acrobat|"
                       r"unknown|ukjent|default", re.IGNORECASE)


def describe(raw: RawDocument, blocks: list[Block], sidecar: dict[str, Any] | None = None) -> dict[str, Field]:
    """Metadata fields with evidence; the sidecar (if any) overrides last."""
    fields: dict[str, Field] = {}
    if raw.format == "table-row":
        _from_columns(raw, fields)
    else:
        own = [b for b in blocks if b.kind not in ("boilerplate", "footnote", "reference", "toc")]
        front = _front_lines(own)
        _title_and_authors(raw, blocks, own, front, fields)
        _year(raw, blocks, own, front, fields)
        _genre(raw, blocks, front, fields)
        _institution(front, fields)
    language = _language(blocks)
    if language:
        fields["language"] = language
    for name, value in (sidecar or {}).items():
        if value not in (None, ""):
            fields[name] = Field(value, "sidecar", "metadata sidecar", "high", "sidecar")
    if sidecar and sidecar.get("authors"):  # the sidecar's authors decide which of them are organisations
        corporate = [a for a in fields["authors"].value if is_corporate(str(a))] \
            if isinstance(fields["authors"].value, list) else []
        if corporate:
            fields["corporate_authors"] = Field(corporate, "sidecar", "organisation names among the sidecar's "
                                                "authors", "medium", "sidecar")
        else:
            fields.pop("corporate_authors", None)
    return fields


# -- helpers -------------------------------------------------------------------------------------------------
def _meta_source(raw: RawDocument) -> str:
    return {"pdf": "pdf-meta", "html": "html-meta", "table-row": "column", "docx": "docx-meta"}.get(raw.format, "meta")


def _from_columns(raw: RawDocument, fields: dict[str, Field]) -> None:
    """A row of a table of texts: title, author and date columns; otherwise a short title from the first sentence
    (never the row id)."""
    meta = raw.meta
    if meta.get("title"):
        fields["title"] = Field(meta["title"], "column", str(meta["title"])[:200], "high", "title-column")
    else:
        text = raw.pages[0].text if raw.pages else ""
        if text.strip():
            fields["title"] = Field(short_title(text), "text", f"no title column; first sentence: {text[:160]}",
                                    "low", "first-sentence")
    if meta.get("year"):
        fields["year"] = Field(int(meta["year"]), "column", str(meta.get("date", meta["year"])), "high", "date-column")
    if meta.get("author"):
        value = " ".join(str(meta["author"]).split())
        # a cell of several people is split ("A; B", "A og B"); anything else (a name with party, an
        # organisation) is one author, kept whole
        names = [n.strip() for n in value.split(";") if n.strip()] if ";" in value else (persons(value) or [value])
        party = str(meta.get("author_party") or "").strip()
        fields["authors"] = Field(names, "column", f"{value} ({party})" if party else value, "high", "author-column")
        if party:
            fields["author_party"] = Field(party, "column", f"{value} ({party})", "high", "author-column")
        corporate = [n for n in names if is_corporate(n)]
        if corporate:
            fields["corporate_authors"] = Field(corporate, "column", value, "medium", "author-column")


def _front_lines(own: list[Block], limit: int = 60) -> list[str]:
    """The lines of the document's opening: title page, form, preface (where titles and dates are printed)."""
    lines: list[str] = []
    for block in own[:limit]:
        for line in block.text.split("\n"):
            if line.strip():
                lines.append(line.strip())
        if len(lines) > 120:
            break
    return lines


def _split_names(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\bog\b|\band\b|&)\s*", text)
    return [p.strip() for p in parts if p.strip()]


def _is_name(line: str) -> bool:
    line = line.strip()
    return bool(NAME.match(line)) and not _INSTITUTION.search(line) and len(line) <= 60


def _title_and_authors(raw: RawDocument, blocks: list[Block], own: list[Block], front: list[str],
                       fields: dict[str, Field]) -> None:
    """Title, subtitle, authors and series, best evidence first; every field says which rule won.

    Order for the title: the page's own headline (HTML h1/og:title/<title> minus site name), a title page read
    with its type sizes or styles (PDF, DOCX), the opening lines (Markdown `#`, a text's head block), a report
    form's TITTEL field, a flattened title page, file metadata, the first heading, and last a short title from
    the first sentence; never the file name. Authors: persons from the byline or title page, a report form, the
    file metadata or the signature under the preface; a corporate author only when no person is named.
    """
    persons_found: list[tuple[list[str], str, str, str]] = []  # (names, source, evidence, rule)
    corporate_found: list[tuple[list[str], str, str, str]] = []
    # 1. the web page's own headline and byline
    if raw.format == "html":
        _html_title(raw, fields, persons_found, corporate_found)
    # 2. a title page with type sizes or styles (PDF, DOCX), then the opening lines of the cleaned text
    heads: list[tuple[HeadResult, str, str]] = []
    page = raw.facts.get("title_page") or []
    if page and raw.format in ("pdf", "docx"):
        lines = _cut_head([HeadLine(str(x.get("text", "")), float(x.get("size") or 0), str(x.get("style") or ""))
                           for x in page])
        head = read_head(lines)
        styled = any(line.style.lower() == "title" for line in lines)
        rule = ("docx-title-style" if styled else f"{raw.format}-title-page" if head.stands_out
                else f"{raw.format}-first-lines")
        heads.append((head, rule, "text"))
    opening = _opening_lines(own, markup=raw.format in ("markdown", "html", "docx"))
    if opening:
        marked = any(line.style == "h1" for line in opening)
        heads.append((read_head(opening), "markdown-heading" if marked else "opening-lines", "text"))
    known_upper = _upper_words(own)
    for head, rule, source in heads:
        if head.title and "title" not in fields and _good_title(head.title, single_word_ok=True):
            confidence = "high" if head.stands_out else "medium"
            fields["title"] = Field(sentence_case(head.title, known_upper), source, head.title_evidence[:300],
                                    confidence, rule)
            if head.subtitle:
                fields["subtitle"] = Field(sentence_case(head.subtitle, known_upper), source, head.subtitle, confidence,
                                           rule)
        if head.series and "series" not in fields:
            fields["series"] = Field(head.series, source, head.series_evidence[:300], "medium", rule)
        if head.authors:
            target = corporate_found if head.corporate else persons_found
            target.append((head.authors, source, head.author_evidence[:300], f"{rule}:{head.author_rule}"))
    if "series" not in fields:  # a series label elsewhere on the opening ("HUSK arbeidsrapport nr. 2/2010")
        label = next(((found, line) for line in front[:40] if (found := series_in(line))), None)
        if label:
            fields["series"] = Field(label[0], "text", label[1][:300], "medium", "series-label")
    # 3. labelled fields of a report form ("TITTEL" / "FORFATTER(E)" followed by the value); labels that
    # re-flowing glued onto one line ("Tittel: X Forfattere: A, B Rapportnr.: 7") are taken apart first
    form = [part for line in front for part in
            (_EMBEDDED_LABEL.split(line) if _FORM_LABEL.match(line) else [line])]
    for i, line in enumerate(form):
        label = re.match(r"^(tittel|title|forfatter\(?e?\)?|forfattere|author\(?s?\)?|utarbeidet av)\s*:?\s*(.*)$",
                         line, re.IGNORECASE)
        if not label:
            continue
        value = label.group(2).strip() or _field_value(form, i + 1)
        value = value.strip("# ")
        if not value or len(value) > 250:
            continue
        if label.group(1).lower().startswith(("tit",)) and "title" not in fields:
            fields["title"] = Field(value, "text", f"{line} / {value}"[:300], "high", "report-form")
        elif not label.group(1).lower().startswith("tit"):
            # people are split ("A, B og C"); an organisation is kept whole ("Bergen kommune, Helse og omsorg")
            names = persons(value)
            org = None if names else organisation(value)
            if org:
                corporate_found.insert(0, ([org], "text", f"{line} / {value}"[:300], "report-form"))
                continue
            names = names or [n for n in _split_names(value) if _is_name(n)]
            if names:
                persons_found.append((names, "text", f"{line} / {value}"[:300], "report-form"))
    # 4. a title page flattened to lines or to one line (transcripts)
    found_before = set(fields)
    first_front = next((b for b in blocks if b.kind == "front"), None)
    scratch: dict[str, Field] = {}
    if first_front is not None and "\n" in first_front.text:
        _title_page(first_front.text.split("\n"), scratch)
    elif first_front is not None:
        _run_on_title_page(first_front.text, blocks, scratch)
    if "title" in scratch and "title" not in found_before and not is_sentence(str(scratch["title"].value)):
        fields["title"] = scratch["title"]
        fields["title"].rule = "flattened-title-page"
    if "authors" in scratch:
        persons_found.append((scratch["authors"].value, "text", scratch["authors"].evidence,
                              "flattened-title-page"))
    # 5. file metadata, when it looks like a real title / person
    meta = raw.meta
    if "title" not in fields and meta.get("title") and _good_title(str(meta["title"])):
        fields["title"] = Field(str(meta["title"]), _meta_source(raw), f"title: {meta['title']}", "medium",
                                f"{_meta_source(raw)}-title")
    if meta.get("author"):
        names = [n for n in _split_names(str(meta["author"])) if _is_name(n) and not _SOFTWARE.search(n)]
        if names:
            persons_found.append((names, _meta_source(raw), f"author: {meta['author']}", f"{_meta_source(raw)}-author"))
    # 6. "Tilråding fra Finansdepartementet ..." in the front matter: the issuing body
    if not corporate_found:
        issuer = next(((org, line) for line in front if (org := issued_by(line))), None)
        if issuer:
            corporate_found.append(([issuer[0]], "text", issuer[1][:300], "issued-by"))
    # 7. the first heading that is not a generic section name
    if "title" not in fields:
        heading = next((b.text for b in own[:5] if b.kind == "heading" and not _GENERIC_HEADINGS.match(b.text)
                        and len(b.text.split()) >= 2), None)
        if heading:
            fields["title"] = Field(heading, "text", heading, "medium", "first-heading")
    # 8. a capture without a title: a short title from its first sentence, never the file name
    if "title" not in fields:
        first = next((b.text for b in own if b.kind in ("body", "summary", "list", "front")
                      and len(b.text.split()) >= 4), None)
        if first:
            fields["title"] = Field(short_title(first), "text", f"no title in the capture; first sentence: "
                                    f"{first[:160]}", "low", "first-sentence")
        else:
            fields["title"] = Field(Path(raw.source).stem, "path", "no title and no text: file name", "low", "file-name")
    # 9. the name under a signature line ("Trondheim, desember 2010" / "Eva Kristin Nielsen"): weaker than a
    # corporate sender on the head of a letter, which the signer writes for
    signature = _signature_author(front)
    if signature and not corporate_found:
        persons_found.append(([signature[0]], "text", signature[1], "signature"))
    chosen = persons_found[0] if persons_found else (corporate_found[0] if corporate_found else None)
    if chosen and "authors" not in fields:
        names, source, evidence, rule = chosen
        fields["authors"] = Field(names, source, evidence, "high" if "title-page" in rule or "form" in rule
                                  or "byline" in rule else "medium", rule)
        corporate = [n for n in names if is_corporate(n)]
        if corporate:
            fields["corporate_authors"] = Field(corporate, source, "organisation names among the authors "
                                                "(cite them whole)", "medium", rule)


_FORM_LABEL = re.compile(r"^(?:tittel|title|forfatter\(?e?\)?|forfattere|author\(?s?\)?|utarbeidet av)\s*:", re.I)
_EMBEDDED_LABEL = re.compile(r"\s+(?=[A-ZÆØÅ][\w.()]*:\s)")


def _html_title(raw: RawDocument, fields: dict[str, Field], persons_found: list, corporate_found: list) -> None:
    """Headline from h1, og:title and <title> minus the site name: h1 when another source agrees with it."""
    ev = raw.facts.get("title_evidence") or {}
    site = str(ev.get("site_name") or raw.meta.get("sitename") or "")
    og = _strip_site(str(ev.get("og_title") or ""), site, "")
    page_title = _strip_site(str(ev.get("html_title") or ""), site, og)
    h1s = [str(h) for h in ev.get("h1") or []]
    others = [x for x in (og, page_title) if x]
    choice = None
    for h1 in h1s:
        agree = [name for name, x in (("og:title", og), ("<title>", page_title)) if x and _same_title(h1, x)]
        if agree:
            choice = (h1, "html-h1", f"<h1> {h1} (agrees with {' and '.join(agree)})", "high")
            break
    if choice is None and og:
        choice = (og, "og:title", f"og:title {og}", "high" if page_title and _same_title(og, page_title) else "medium")
    if choice is None and page_title:
        choice = (page_title, "html-title", f"<title> {ev.get('html_title')}" + (f" minus site name {site}" if site
                                                                              else ""), "medium")
    if choice is None and h1s and not others:
        choice = (h1s[0], "html-h1", f"<h1> {h1s[0]}", "medium")
    if choice is not None:
        fields["title"] = Field(choice[0], "html-meta", choice[2][:300], choice[3], choice[1])
    for key, rule in (("byline", "html-byline"), ("meta_author", "html-meta-author")):
        value = str(ev.get(key) or "")
        names = persons(value) if value else []
        if names:
            persons_found.append((names, "html-meta", value[:300], rule))
        elif value and organisation(value):
            corporate_found.append(([organisation(value)], "html-meta", value[:300], rule))


def _strip_site(title: str, site: str, og: str) -> str:
    """<title> without the site name ("Overskrift | Avisa" -> "Overskrift")."""
    title = " ".join(title.split())
    if not title:
        return ""
    if og and title.startswith(og) and len(og) >= 0.5 * len(title):
        return og
    parts = re.split(r"\s+(?:\||–|—|-|::|·|»)\s+", title)
    if len(parts) > 1:
        norm_site = _norm(site)
        kept = [p for p in parts if not norm_site or _norm(p) != norm_site and norm_site not in _norm(p)]
        if norm_site and kept and len(kept) < len(parts):
            return " – ".join(kept)
    return title


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def _same_title(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


def _cut_head(lines: list[HeadLine], limit: int = 40) -> list[HeadLine]:
    """A title page's lines up to the first generic section heading (Forord, Innhold, 1 Innledning)."""
    out: list[HeadLine] = []
    for line in lines[:limit]:
        if out and (GENERIC_HEADING.match(line.text.strip()) and len(line.text.split()) <= 4
                    or len(line.text.split()) > 30):
            break
        out.append(line)
    return out


def _opening_lines(own: list[Block], limit: int = 14, *, markup: bool = False) -> list[HeadLine]:
    """The lines before the first paragraph: headline block, title page lines, byline, series and date lines.

    With ``markup`` (Markdown, HTML, DOCX headings) a level-1 heading is marked as such, so it wins over a kicker
    or section label printed above it."""
    lines: list[HeadLine] = []
    for block in own[:limit]:
        text = block.text.strip()
        words = len(text.split())
        if block.kind in ("toc", "reference", "appendix"):
            break
        if block.kind == "heading" and (GENERIC_HEADING.match(text) or re.match(r"^\d+(?:\.\d+)*\.?\s", text)):
            break
        if block.kind in ("body", "summary", "list", "table") and (words >= 20 or text.endswith((".", "?", "!"))
                                                                    and words >= 8):
            break
        for line in text.split("\n"):
            for part in GLUED_DATE.split(line.strip()):
                if part.strip():
                    style = "h1" if markup and block.kind == "heading" and block.level == 1 else ""
                    lines.append(HeadLine(part.strip(), style=style, kind=block.kind))
    return lines


def _upper_words(own: list[Block]) -> set[str]:
    """Words the running text writes in capitals (NAV, NOU): kept when an all-caps title is sentence-cased."""
    found: set[str] = set()
    for block in own[:200]:
        if block.kind in ("body", "list", "summary") and not block.text.isupper():
            found.update(w for w in re.findall(r"\b[A-ZÆØÅ]{2,6}\b", block.text))
    return found


def _signature_author(front: list[str]) -> tuple[str, str] | None:
    """The name under (or after) a signature line: ("Eva Kristin Nielsen", evidence) or None."""
    for i, line in enumerate(front):
        match = SIGNATURE.search(line) or SIGNATURE_DATE.search(line)
        if not match:
            continue
        after = line[match.end():].strip()
        candidates = [after] if after else []
        candidates += front[i + 1:i + 3]
        name = next((c for c in candidates if _is_name(c)), None)
        if name is None and after:
            words = after.split()
            for n in (3, 2, 4):
                if len(words) >= n and _is_name(" ".join(words[:n])):
                    name = " ".join(words[:n])
                    break
        if name:
            return name, f"{line} / {name}"[:300]
    return None


def _field_value(lines: list[str], start: int) -> str:
    """The value under a form label: the first line that is not an address or another label, with the
    lines that continue it (a title wrapped over lines, a word hyphenated at the line end)."""
    from policytekst.clean.hyphenation import mend
    from policytekst.clean.structure import is_colophon_line

    for i in range(start, min(start + 12, len(lines))):
        line = lines[i]
        if is_colophon_line(line) or ":" in line or line[:1].isdigit() or len(line.split()) < 1:
            continue
        value = line
        for nxt in lines[i + 1:i + 4]:
            if is_colophon_line(nxt) or ":" in nxt:
                break
            if value.endswith(("-", ",")) or nxt[:1].islower():
                value = mend(value, nxt) or f"{value} {nxt}"
            else:
                break
        return value
    return ""


def _good_title(title: str, *, single_word_ok: bool = False) -> bool:
    title = title.strip()
    return ((len(title.split()) >= 2 or single_word_ok and len(title) >= 4) and not re.search(r"\.(?:docx?|pdf|book|indd|qxd|tex|odt)$", title, re.I)
            and not re.match(r"^(?:microsoft word|untitled|uten tittel|dokument\d*)", title, re.I))


_GENRE_LINE = re.compile(r"^(?:masteroppgave|masteravhandling|master|bacheloroppgave|hovedoppgave|"
                         r"doktor\w*|rapport|delrapport|arbeidsrapport|sluttrapport|notat|veileder|"
                         r"supervisor|trondheim|oslo|bergen)\b", re.IGNORECASE)


def _title_page(lines: list[str], fields: dict[str, Field]) -> None:
    runs: list[list[str]] = [[]]
    authors: list[str] = []
    for line in lines:
        skip = (_is_name(line) or _INSTITUTION.search(line) or _GENRE_LINE.match(line) or ":" in line[:20]
                or re.search(_YEAR, line) or len(line.split()) > 25 or line.isupper() and len(line.split()) <= 2)
        if _is_name(line) and not re.search(r"[:]", line):
            authors.append(line)
        if skip:
            runs.append([])
        else:
            runs[-1].append(line)
    best = max(runs, key=lambda r: sum(len(x) for x in r))
    if best and "title" not in fields:
        title = " ".join(best).strip()
        if 2 <= len(title) <= 250:
            fields["title"] = Field(title, "text", " / ".join(best), "medium")
    if authors and "authors" not in fields:
        fields["authors"] = Field(authors, "text", " / ".join(authors), "medium")


def _run_on_title_page(text: str, blocks: list[Block], fields: dict[str, Field]) -> None:
    """A title page flattened to one line (transcripts): authors the capture's header repeats, then title."""
    rest = text
    for chrome in (b.text for b in blocks if b.kind == "boilerplate"):
        if len(chrome) > 5 and text.startswith(chrome):
            names = _split_names(chrome)
            if names and all(_is_name(n) for n in names) and "authors" not in fields:
                fields["authors"] = Field(names, "text", chrome, "medium")
            rest = text[len(chrome):].strip()
            break
    words = rest.split()
    title: list[str] = []
    for i, word in enumerate(words):
        prev = words[i - 1] if i else ""
        if i and word[:1].isupper() and not word.isupper() and prev[-1:].islower():
            break
        title.append(word)
    if title and "title" not in fields and 2 <= len(title) <= 30:
        value = " ".join(title)
        fields["title"] = Field(value, "text", text[:200], "low")


def _year(raw, blocks, own, front, fields) -> None:
    if "year" in fields:
        return
    current = date.today().year
    ok = lambda y: 1900 <= y <= current  # noqa: E731
    front_text = "\n".join(front)
    for pattern, _why, confidence in ((COPYRIGHT, "copyright line", "high"),
                                     (FIELD_YEAR, "publication field", "high")):
        match = pattern.search(front_text)
        if match and ok(int(match.group(1))):
            fields["year"] = Field(int(match.group(1)), "text", _line_of(front_text, match), confidence)
            return
    # a form's label row with a year column ("RAPPORT  GRADERING" / "2009  Åpen")
    for i, line in enumerate(front[:-1]):
        if _LABELS_YEAR_COLUMN.match(line) and line.upper() == line:
            match = re.match(rf"^{_YEAR}\b", front[i + 1])
            if match and ok(int(match.group(1))):
                fields["year"] = Field(int(match.group(1)), "text", f"{line} / {front[i + 1]}"[:300], "high")
                return
    for pattern in (SIGNATURE, SIGNATURE_DATE):
        for line in front:
            for match in pattern.finditer(line):
                if ok(int(match.groups()[-1])) and _signs_off(line[match.end():]):
                    fields["year"] = Field(int(match.groups()[-1]), "text", _clip(line, match), "high")
                    return
    match = SERIES.search(front_text)
    if match and ok(int(match.group(1))):
        fields["year"] = Field(int(match.group(1)), "text", _line_of(front_text, match), "medium")
        return
    # a dated line on the title pages ("Tilråding ... 7. oktober 2025", "utgave per 12.11.2025")
    title_pages = "\n".join(b.text for b in blocks if b.kind == "front")
    match = FULL_DATE.search(title_pages) or DATE_STAMP.search(title_pages)
    if match and ok(int(match.groups()[-1])):
        fields["year"] = Field(int(match.groups()[-1]), "text", _line_of(title_pages, match), "medium")
        return
    # web pages: the first date stamp is the publication, later stamps are updates
    stamps = []
    for block in blocks:
        if block.kind == "boilerplate":
            for m in DATE_STAMP.finditer(block.text):
                stamps.append((int(m.group(3)), int(m.group(2)), int(m.group(1)), m.group(0)))
    stamps = [s for s in stamps if ok(s[0]) and 1 <= s[1] <= 12]
    if stamps:
        first = min(stamps)
        later = sorted({s[3] for s in stamps if s > first})
        note = f"publication stamp {first[3]}" + (f" (later stamps {', '.join(later)} taken as updates)"
                                                    if later else "")
        fields["year"] = Field(first[0], "text", note, "medium")
        return
    created = raw.meta.get("created") or raw.meta.get("date")
    if created and re.match(r"^\d{4}", str(created)) and ok(int(str(created)[:4])) and raw.format != "pdf":
        fields["year"] = Field(int(str(created)[:4]), _meta_source(raw), f"date: {created}", "medium")
        return
    # last resort: a lower bound from the newest year the text itself mentions
    newest = None
    for block in own:
        if block.kind not in ("body", "summary", "heading", "list", "appendix", "table"):
            continue
        for m in _ANY_YEAR.finditer(block.text):
            year = int(m.group(1))
            if ok(year) and not _NOT_A_YEAR_BEFORE.search(block.text[max(0, m.start() - 12):m.start()]):
                if newest is None or year > newest[0]:
                    newest = (year, _clip(block.text, m))
    if newest:
        pdf_year = raw.meta.get("created")
        reason = (f"no publication date in the capture; the newest year the text mentions is {newest[0]}, "
                  f"so it is from {newest[0]} or later: {newest[1]}")
        if pdf_year:
            reason += f" (file metadata says {pdf_year}, which is often the date of conversion)"
        fields["year"] = Field(newest[0], "text", reason, "low")
    elif raw.meta.get("created") and ok(int(str(raw.meta["created"])[:4])):
        fields["year"] = Field(int(str(raw.meta["created"])[:4]), _meta_source(raw),
                               f"file created {raw.meta['created']} (no date in the text)", "low")


def _signs_off(rest: str) -> bool:
    """A signature ends its line or is followed by the signer's name (and maybe a page number)."""
    words = rest.split()
    if not words:
        return True
    return any(_is_name(" ".join(words[:n])) and (len(words) == n or len(words) <= n + 1 or
                                                  words[n][:1].isupper()) for n in (2, 3, 4))


def _line_of(text: str, match: re.Match) -> str:
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return text[start:end if end >= 0 else len(text)][:300]


def _clip(text: str, match: re.Match, width: int = 80) -> str:
    return text[max(0, match.start() - width):match.end() + width].replace("\n", " ").strip()


def _genre(raw, blocks, front, fields) -> None:
    if "genre" in fields:
        return
    sample = "\n".join(front)[:6000]
    for genre, pattern in GENRES:
        match = pattern.search(sample)
        if match:
            fields["genre"] = Field(genre, "text", _clip(sample, match), "medium")
            return
    # a captured web page (date stamps in its chrome) with no genre of its own is an article
    stamp = next((b.text for b in blocks if b.kind == "boilerplate" and DATE_STAMP.search(b.text)), None)
    if raw.format == "html" or stamp:
        fields["genre"] = Field("artikkel", "text", f"web page capture (date stamp {stamp})" if stamp
                                else "web page", "low")


def _institution(front: list[str], fields: dict[str, Field]) -> None:
    if "institution" in fields:
        return
    for line in front[:40]:
        if _INSTITUTION.search(line) and len(line.split()) <= 10:
            fields["institution"] = Field(line, "text", line, "medium")
            return


def _language(blocks: list[Block]) -> Field | None:
    weights: dict[str, int] = {}
    for block in blocks:
        if block.language and block.kind in ("body", "list", "summary", "appendix", "heading"):
            weights[block.language] = weights.get(block.language, 0) + len(block.text.split())
    if not weights:
        return None
    language = max(weights, key=weights.get)
    share = weights[language] / sum(weights.values())
    return Field(language, "text", f"{share:.0%} of the running text detected as {language}",
                 "high" if share > 0.8 else "medium")
