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
            fields[name] = Field(value, "sidecar", "metadata sidecar")
    return fields


# -- helpers -------------------------------------------------------------------------------------------------
def _meta_source(raw: RawDocument) -> str:
    return {"pdf": "pdf-meta", "html": "html-meta", "table-row": "column", "docx": "docx-meta"}.get(raw.format, "meta")


def _from_columns(raw: RawDocument, fields: dict[str, Field]) -> None:
    meta = raw.meta
    if meta.get("title"):
        fields["title"] = Field(meta["title"], "column", str(meta["title"])[:200])
    if meta.get("year"):
        fields["year"] = Field(int(meta["year"]), "column", str(meta.get("date", meta["year"])))
    if meta.get("author"):
        fields["authors"] = Field(_split_names(str(meta["author"])), "column", str(meta["author"]))


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


def _title_and_authors(raw, blocks, own, front, fields) -> None:
    meta = raw.meta
    # 1. labelled fields of a report form ("TITTEL" / "FORFATTER(E)" followed by the value)
    for i, line in enumerate(front):
        label = re.match(r"^(tittel|title|forfatter\(?e?\)?|forfattere|author\(?s?\)?|utarbeidet av)\s*:?\s*(.*)$",
                         line, re.IGNORECASE)
        if not label:
            continue
        value = label.group(2).strip() or _field_value(front, i + 1)
        value = value.strip("# ")
        if not value or len(value) > 250:
            continue
        if label.group(1).lower().startswith(("tit",)) and "title" not in fields:
            fields["title"] = Field(value, "text", f"{line} / {value}"[:300], "high")
        elif not label.group(1).lower().startswith("tit") and "authors" not in fields:
            names = _split_names(value)
            if names and all(len(n.split()) <= 5 for n in names):
                fields["authors"] = Field(names, "text", f"{line} / {value}"[:300], "high")
    # 2. a title page: the longest run of title-like lines, names beside it are the authors
    first_front = next((b for b in blocks if b.kind == "front"), None)
    if first_front is not None and "\n" in first_front.text:
        _title_page(first_front.text.split("\n"), fields)
    elif first_front is not None:
        _run_on_title_page(first_front.text, blocks, fields)
    # 3. file metadata, when it looks like a real title / person
    if "title" not in fields and meta.get("title") and _good_title(str(meta["title"])):
        fields["title"] = Field(str(meta["title"]), _meta_source(raw), f"title: {meta['title']}", "medium")
    if "authors" not in fields and meta.get("author"):
        names = [n for n in _split_names(str(meta["author"])) if _is_name(n) and not _SOFTWARE.search(n)]
        if names:
            fields["authors"] = Field(names, _meta_source(raw), f"author: {meta['author']}", "medium")
    # 4. the name under a signature line ("Trondheim, desember 2010" / "Eva Kristin Nielsen")
    if "authors" not in fields:
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
                fields["authors"] = Field([name], "text", f"{line} / {name}"[:300], "medium")
                break
    # 5. the first heading that is not a generic section name
    if "title" not in fields:
        heading = next((b.text for b in own if b.kind == "heading" and not _GENERIC_HEADINGS.match(b.text)
                        and len(b.text.split()) >= 2), None)
        if heading and own and own.index(next(b for b in own if b.text == heading)) < 5:
            fields["title"] = Field(heading, "text", heading, "medium")
    if "title" not in fields and raw.format != "table-row":
        fields["title"] = Field(Path(raw.source).stem, "path", "file name", "low")


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


def _good_title(title: str) -> bool:
    title = title.strip()
    return (len(title.split()) >= 2 and not re.search(r"\.(?:docx?|pdf|book|indd|qxd|tex|odt)$", title, re.I)
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
