"""Titles, subtitles, authors and series labels from a document's opening, each with the evidence that won.

A document's opening (its *head*: title page, headline block, the lines before the first paragraph) is a short
list of lines. Each line is classified by what it is, not by where these particular files put it:

* a series label ("Notat 9/2020", "Rapport 2009:3", "Prop. 1 LS", "NOU 2001: 3", "(2004–2005)"),
* a genre or kicker label ("KRONIKK", "Masteroppgave i sosialt arbeid", "Debatt"),
* a date or signature line ("Oslo, 31. januar 2014", "Publisert 5. mars 2019"),
* person names, as a line or a byline ("Av Kari Nordmann og Ola Hansen", "Kari Nordmann, rådgiver"),
* an organisation (a department, municipality, directorate, association, institute, university),
* a "label: value" line, a recipient ("Til: ..."), a generic section heading (Forord, Innledning),
* otherwise text: a title candidate.

With type sizes (PDF title pages) the title is the largest text that is not a series label and the subtitle the
next larger-than-body run after it; without sizes the title is the first run of text lines and the subtitle a
short line directly under it. Person names near the title are the authors; when there are none, a corporate author
is taken from "Utredning/Rapport/Tilråding fra <organisasjon>" or from the first organisation line, kept whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME_TOKEN = r"[A-ZÆØÅÉ][a-zæøåäöéüó]+(?:-[A-ZÆØÅ][a-zæøåäöéüó]+)?"
_PARTICLE = r"(?:van|von|de|der|den|da|di|la|le)"
PERSON = re.compile(rf"^{_NAME_TOKEN}(?:\s+(?:[A-ZÆØÅ]\.|{_PARTICLE}|{_NAME_TOKEN})){{1,3}}$")

# Words that make a line an organisation. The first group are bodies that author documents themselves
# (departments, municipalities, directorates, associations, committees); the second are institutions that
# usually *publish* (universities, institutes) and author only when no person is named.
_CORPORATE_WORDS = (r"\w*departement\w*|\w*direktorat\w*|\w*kommune|\w*kommunen|fylkeskommune\w*|"
                    r"statsforvalter\w*|fylkesmann\w*|\w*forbund\w*|\w*forening\w*|\w*foreining\w*|\w*lag|"
                    r"\w*etat|\w*etaten|\w*tilsyn|\w*tilsynet|\w*utvalg\w*|\w*utval\w*|arbeidsgrupp\w*|\w*råd|\w*rådet|"
                    r"\w*ombud\w*|sekretariat\w*|regjering\w*|stortinget|nav|ks|\w*organisasjon\w*|"
                    r"\w*styret|\w*nemnd\w*|\w*byrå\w*")
_INSTITUTION_WORDS = (r"universitet\w*|\w*høgskole\w*|\w*høyskole\w*|\w*institutt\w*|\w*fakultet\w*|"
                      r"\w*senter|\w*senteret|\w*center|samfunnsforskning|forskning\w*|ntnu|uio|uib|uit|nmbu|"
                      r"oslomet|fafo|sintef|nova|nibr|\w*university|college|as|asa|stiftelse\w*|"
                      # English names of bodies, so "Norwegian Social Research" is no person
                      r"research|institute|centre|department|ministry|directorate|council|agency|office|"
                      r"association|foundation|school|services|administration|municipality|county|committee|"
                      r"commission|board|trust|inc|ltd")
# whole words only: "NAV" is an organisation, "NAV-reformen" is not
CORPORATE = re.compile(rf"(?<![\w-])(?:{_CORPORATE_WORDS})(?![\w-])", re.IGNORECASE)
_ORG_WORD = re.compile(rf"(?:{_CORPORATE_WORDS}|{_INSTITUTION_WORDS})", re.IGNORECASE)
INSTITUTION = re.compile(rf"(?<![\w-])(?:{_INSTITUTION_WORDS})(?![\w-])", re.IGNORECASE)

_YEAR = r"(?:19|20)\d{2}"
SERIES = re.compile(
    rf"^\(?(?:"
    rf"(?:[\w-]*[\s-])?(?:notat|rapport|arbeidsrapport|arbeidsnotat|skriftserie|report|working paper|"
    rf"fou-rapport|forskningsrapport|delrapport nr\.?)\s*(?:nr\.?\s*)?\d{{1,4}}\s*[/:-]\s*{_YEAR}"
    rf"|(?:[\w-]*[\s-])?(?:notat|rapport|arbeidsrapport|report)\s+{_YEAR}\s*[/:-]\s*\d{{1,4}}"
    rf"|(?:[\w-]*[\s-])?(?:notat|rapport|arbeidsrapport|skriftserie|report)\s+nr\.?\s*\d{{1,4}}(?:\s*[/:-]\s*{_YEAR})?"
    rf"|NOU\s+{_YEAR}\s*:\s*\d+"
    rf"|(?:Prop\.|Meld\.\s*St\.|St\.\s*meld\.|St\.\s*prp\.|Innst\.|Ot\.\s*prp\.)\s*(?:nr\.\s*)?\d+(?:\s*[A-Z]{{1,2}})?"
    rf"(?:\s*\({_YEAR}\s*[–-]\s*{_YEAR}\))?"
    rf"|(?:melding|proposisjon|innstilling) til (?:stortinget|odelstinget)(?:\s*\([^)]*\))?"
    rf"|{_YEAR}\s*[–-]\s*{_YEAR}"
    rf")\)?\s*$", re.IGNORECASE)
# A series label inside a longer line ("Rapport 2008:12 · Institutt for ...", "HUSK arbeidsrapport nr. 2/2010")
SERIES_IN_LINE = re.compile(
    rf"(?:(?-i:\b[A-ZÆØÅ][\w]*)[\s-])?\b(?:notat|rapport|arbeidsrapport|arbeidsnotat|skriftserie|report|"
    rf"working paper)\s*"
    rf"(?:nr\.?\s*)?(?:\d{{1,4}}\s*[/:]\s*{_YEAR}|{_YEAR}\s*[/:]\s*\d{{1,4}})", re.IGNORECASE)
GENRE_LABEL = re.compile(
    r"^(?:kronikk|debatt|meninger|mening|leder|leiar|nyhet(?:er)?|nyheiter|fagartikkel|fagartikler|artikkel|"
    r"innlegg|kommentar|intervju|reportasje|analyse|essay|notat|rapport|delrapport|sluttrapport|"
    r"arbeidsrapport|forskningsrapport|evalueringsrapport|utredning|høringsuttalelse|høyringsfråsegn|"
    r"(?:master|bachelor|doktor|hoved)\w*(?:oppgave|avhandling|grad)\w*(?:\s+i\s+[\w ,-]+)?|"
    r"master'?s? thesis|phd thesis|doctoral thesis|utdrag|"
    r"(?:ph\.?d\.?|doktorgrads)-?avhandling)\s*\.?$"
    r"|^(?:del|slutt|arbeids|forsknings|evaluerings|fou-)?rapport\s+(?:fra|frå|til|nr\b|[IVX]+\b)"
    r"|^(?:utredning|notat|høringsuttalelse|høyringsfråsegn|melding|tilråding)\s+(?:fra|frå|til)\b", re.IGNORECASE)
_MONTH = (r"(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
          r"våren|høsten|vår|haust|høst|sommer|vinter|spring|autumn|fall)")
DATE_LINE = re.compile(
    rf"^(?:(?:publisert|oppdatert|sist endret|dato|date|published|updated)\b.*"
    rf"|[A-ZÆØÅ][\wæøå-]+,?\s+(?:den\s+)?(?:\d{{1,2}}\.\s*)?(?i:{_MONTH})\s+{_YEAR}"
    rf"|[A-ZÆØÅ][\wæøå-]+,?\s+\d{{1,2}}\.\s?\d{{1,2}}\.\s?{_YEAR}"
    rf"|(?:\d{{1,2}}\.\s*)?(?i:{_MONTH})\s+{_YEAR}|\d{{1,2}}[./]\d{{1,2}}[./]{_YEAR}(?:\s+\d{{1,2}}[:.]\d{{2}})?"
    rf"|{_YEAR})\s*$", re.IGNORECASE)
GENERIC_HEADING = re.compile(
    r"^(?:\d[\d.]*\s+)?(?:forord|føreord|preface|sammendrag|samandrag|summary|abstract|innhold\w*|contents|"
    r"innledning|innleiing|introduksjon|introduction|bakgrunn|kapittel \w+|vedlegg.*|litteratur\w*|"
    r"referanser|nøkkelord|emneord|keywords)\b", re.IGNORECASE)
BYLINE = re.compile(r"^(?:av|tekst|forfatter(?:e|ar)?|forfatter\(e\)|skrevet av|utarbeidet av|by|authors?|"
                    r"tekst og foto)\s*:?\s+(.+)$", re.IGNORECASE)
_ROLE = re.compile(r"^[a-zæøå]")  # "Kari Nordmann, rådgiver i NAV": a lower-case role after the comma
FROM_ORG = re.compile(r"\b(?:utredning|rapport|notat|tilråding|tilrådning|uttalelse|høringsuttalelse|"
                      r"høyringsfråsegn|melding|innstilling|brev|skriv|svar)\s+(?:fra|frå|from)\s+(.+)$",
                      re.IGNORECASE)
# roles printed before a name that is not an author ("Veileder Inger Hansen", "Prosjektleder: Ola Berg")
ROLE_LABEL = re.compile(r"^(?:veileder|veiledar|biveileder|hovedveileder|supervisor|co-supervisor|advisor|redaktør|"
                        r"redigert av|edited by|editor|prosjektleder|oppdragsgiver|kontaktperson|saksbehandler|"
                        r"sakshandsamar|kandidatnummer|studentnummer|sensor|godkjent av|kvalitetssikret av)\b",
                        re.IGNORECASE)
RECIPIENT = re.compile(r"^(?:til|to|mottaker|adressat|avgitt til|sendt til)\b", re.IGNORECASE)
_LABEL_VALUE = re.compile(r"^[\wæøåÆØÅ .()/-]{2,30}:\s*\S")
_SEPARATORS = re.compile(r"\s+(?:·|•|\||–|—|-)\s+")
_ACRONYM = re.compile(r"^[A-ZÆØÅ]{2,6}(?:-\w+)?$")


@dataclass
class HeadLine:
    """One line of a document's opening, with its type size (0 when unknown) and style (docx)."""

    text: str
    size: float = 0.0
    style: str = ""
    kind: str = ""  # block kind from cleaning (heading, front, body, ...)


@dataclass
class HeadResult:
    """What the opening says: title, subtitle, authors (corporate ones listed again), series, with evidence."""

    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    corporate: list[str] = field(default_factory=list)
    series: str | None = None
    title_evidence: str = ""
    author_evidence: str = ""
    series_evidence: str = ""
    author_rule: str = ""
    stands_out: bool = False  # the title was marked (style, level-1 heading, larger type), not just first


def classify(text: str) -> str:
    """What a head line is: series | genre | date | persons | org | label | recipient | generic | text."""
    line = " ".join(text.split()).strip(" *_#")
    if not line:
        return "empty"
    if not re.search(r"[^\W\d_]", line):
        return "rule"  # "=====", "* * *", a bare number: no words, so no title
    if SERIES.match(line):
        return "series"
    if GENRE_LABEL.match(line):
        return "genre"
    if DATE_LINE.match(line):
        return "date"
    if GENERIC_HEADING.match(line) and len(line.split()) <= 4:
        return "generic"
    if RECIPIENT.match(line):
        return "recipient"
    if ROLE_LABEL.match(line):
        return "label"
    if persons(line):
        return "persons"
    if organisation(line):
        return "org"
    if _LABEL_VALUE.match(line) and not re.search(r"[?!]", line) and line.index(":") < 30 and \
            len(line.split(":", 1)[0].split()) <= 3 and not line.split(":", 1)[1].strip()[:1] == "–":
        return "label"
    return "text"


def persons(line: str) -> list[str]:
    """The person names a line consists of ("Av A og B", "A, B og C", "A, rådgiver"), else []."""
    line = " ".join(line.split()).strip(" *_")
    match = BYLINE.match(line)
    if match:
        line = match.group(1).strip(" *_")
    line = _SEPARATORS.split(line)[0]  # "Kari Nordmann · Velferdsnytt · 14. november 2019"
    if len(line) > 160:
        return []
    parts = [p.strip(" *_") for p in re.split(r"\s*(?:,|;|&|\bog\b|\band\b)\s*", line) if p.strip(" *_")]
    names: list[str] = []
    for i, part in enumerate(parts):
        if PERSON.match(part) and not CORPORATE.search(part) and not INSTITUTION.search(part):
            names.append(part)
        elif i > 0 and names and _ROLE.match(part):
            break  # the rest is the role of the names before it
        else:
            return []
    return names


def organisation(line: str) -> str | None:
    """The organisation a line names, kept whole ("Arbeids- og sosialdepartementet"), or None.

    The organisation word must head the name: first or second word ("Senter for ...", "Norsk forbund for ...",
    "Universitetet i Oslo") or last ("Nordfjell kommune"), so a title that merely mentions a municipality is no
    organisation. Parts after a separator or comma are tried one by one ("Nordfjell kommune – Rådmannen").
    """
    line = " ".join(line.split()).strip(" *_")
    for part in re.split(r"\s+(?:·|•|\||–|—|-)\s+|,\s*", line):
        if part.rstrip().endswith(".") and len(part.split()) >= 4:  # a sentence ("Departementet ber om ..."), no name
            continue
        part = part.strip(" ,.")
        words = part.split()
        if not words or len(words) > 8 or not part[:1].isupper() or re.search(r"[.?!:]$|\d", part):
            continue
        hits = [i for i, word in enumerate(words) if _ORG_WORD.fullmatch(word.strip(",.()"))]
        if hits and (hits[0] <= 1 or hits[-1] == len(words) - 1):
            return part
    return None


def is_corporate(name: str) -> bool:
    """A department, municipality, association, institution ... rather than a person (cite it whole)."""
    name = " ".join(name.split())
    return bool(CORPORATE.search(name) or INSTITUTION.search(name))


def series_in(line: str) -> str | None:
    line = " ".join(line.split()).strip(" *_")
    if SERIES.match(line):
        return line[1:-1] if line.startswith("(") and line.endswith(")") else line
    match = SERIES_IN_LINE.search(line)
    return match.group(0).strip() if match else None


def sentence_case(title: str, known_upper: set[str] | None = None) -> str:
    """An all-capitals title in sentence case; acronyms the document also writes in capitals stay."""
    if not title.isupper() or len(title.split()) < 2:
        return title
    known = known_upper or set()
    words = []
    for i, word in enumerate(title.split()):
        parts = []
        for j, part in enumerate(word.split("-")):  # "NAV-LOVEN" -> "NAV-loven" when the text writes NAV
            core = part.strip(".,:;!?()«»\"'")
            if core and core in known and _ACRONYM.match(core):
                parts.append(part)
            else:
                parts.append(part[:1] + part[1:].lower() if i == 0 and j == 0 else part.lower())
        words.append("-".join(parts))
    return " ".join(words)


def read_head(lines: list[HeadLine]) -> HeadResult:
    """Title, subtitle, authors and series from the lines of a document's opening (see the module docstring)."""
    result = HeadResult()
    kinds = [classify(line.text) for line in lines]
    sized = any(line.size > 0 for line in lines)
    texts = [" ".join(line.text.split()).strip(" *_#") for line in lines]
    for i, (text, kind) in enumerate(zip(texts, kinds, strict=True)):
        if result.series is None and kind != "text":
            found = series_in(text) if kind in ("series", "org", "genre", "label") else None
            if found:
                result.series, result.series_evidence = found, text
                after = texts[i + 1] if i + 1 < len(texts) else ""
                if re.fullmatch(rf"\(?{_YEAR}\s*[–-]\s*{_YEAR}\)?", after) and not re.search(_YEAR, found):
                    result.series = f"{found} ({after.strip('()').replace(' ', '')})"  # "Prop. 1 LS (2025–2026)"
                    result.series_evidence += f" / {after}"
    title_idx = _title_lines(lines, kinds, sized)
    if title_idx:
        first = lines[title_idx[0]]
        result.stands_out = bool(first.style) or (sized and first.size > _body_size(lines) * 1.15)
        title = " ".join(texts[i] for i in title_idx)
        result.title = _join_wrapped(title)
        result.title_evidence = " / ".join(texts[i] for i in title_idx)
        sub_idx = _subtitle_lines(lines, kinds, texts, title_idx, sized)
        if sub_idx:
            result.subtitle = _join_wrapped(" ".join(texts[i] for i in sub_idx))
    # authors: person names in the head (nearest the title first); else a corporate author
    person_lines = [i for i, k in enumerate(kinds) if k == "persons"]
    if person_lines:
        anchor = title_idx[0] if title_idx else 0
        best = min(person_lines, key=lambda i: (abs(i - anchor), i))
        block = [best]  # names printed one per line belong together
        while block[0] - 1 in person_lines:
            block.insert(0, block[0] - 1)
        while block[-1] + 1 in person_lines:
            block.append(block[-1] + 1)
        result.authors = [name for i in block for name in persons(texts[i])]
        result.author_evidence = " / ".join(texts[i] for i in block)
        result.author_rule = "byline" if BYLINE.match(texts[best]) else "names-on-title-page"
        return result
    for text in texts:
        org = issued_by(text)
        if org:
            if org:
                result.authors, result.corporate = [org], [org]
                result.author_evidence, result.author_rule = text, "issued-by"
                return result
    for i, kind in enumerate(kinds):
        if kind == "org" and not (i and kinds[i - 1] == "recipient"):
            org = organisation(texts[i])
            if org and CORPORATE.search(org):
                result.authors, result.corporate = [org], [org]
                result.author_evidence, result.author_rule = texts[i], "corporate-on-title-page"
                return result
    return result


def issued_by(text: str) -> str | None:
    """The organisation in "Tilråding/Utredning/Rapport fra <organisasjon> ...", kept whole, or None."""
    match = FROM_ORG.search(" ".join(text.split()))
    if not match:
        return None
    org = _clean_org(match.group(1))
    return org if org and (CORPORATE.search(org) or INSTITUTION.search(org) or org[:1].isupper()
                           and len(org.split()) <= 6) else None


def _clean_org(text: str) -> str | None:
    text = re.split(r",|\s\d|\s+(?:godkjent|avgitt|datert|den|the|i statsråd)\b", text)[0].strip(" .")
    text = text[:1].upper() + text[1:]  # "Utredning fra arbeidsgruppen for ..." names "Arbeidsgruppen for ..."
    return text if text and len(text.split()) <= 9 and text[:1].isupper() else None


def _join_wrapped(text: str) -> str:
    """Lines of one title joined: a line-end hyphen inside a word is mended ("vel- ferd" -> "velferd")."""
    text = re.sub(r"(\w)[\u00ad\ufffe\u00ac]\s+(\w)", r"\1\2", text)
    return " ".join(text.split())


def is_sentence(text: str) -> bool:
    """Running text rather than a title: a long line ending in a full stop, or two sentences."""
    words = len(text.split())
    return (text.rstrip().endswith(".") and words > 10) or (words > 12 and bool(re.search(r"[.!?]\s+[A-ZÆØÅ]", text)))


# A dated signature glued after another line by re-flowing ("Arbeids- og sosialdepartementet Bergen, 3. mars 2011")
GLUED_DATE = re.compile(rf"\s+(?=[A-ZÆØÅ][\wæøå-]+,\s+(?:den\s+)?(?:\d{{1,2}}\.\s*)?(?i:{_MONTH})\s+{_YEAR}\s*$)")


def _title_lines(lines: list[HeadLine], kinds: list[str], sized: bool) -> list[int]:
    candidates = [i for i, k in enumerate(kinds) if k == "text" and 1 <= len(lines[i].text.split()) <= 30
                  and not is_sentence(lines[i].text)]
    for style in ("title", "h1"):  # a DOCX Title paragraph; a level-1 heading of Markdown/HTML (not a kicker)
        styled = [i for i in candidates if lines[i].style.lower() == style]
        if styled:
            return _run(styled[0], lines, kinds, same_size=False, style=style)
    if sized and candidates:
        biggest = max(lines[i].size for i in candidates)
        body = _body_size(lines)
        if biggest > body * 1.15:
            first = next(i for i in candidates if abs(lines[i].size - biggest) < 0.5)
            return _run(first, lines, kinds, same_size=True)
    if candidates:  # no line stands out by size: the first text line and the lines that wrap from it
        return _run(candidates[0], lines, kinds, same_size=False)
    return []


def _run(first: int, lines: list[HeadLine], kinds: list[str], *, same_size: bool, style: str = "") -> list[int]:
    """The title line and the lines that continue it (same size, or a wrapped line of the same block)."""
    run = [first]
    for j in range(first + 1, len(lines)):
        if kinds[j] != "text":
            break
        if style and lines[j].style.lower() == style:
            run.append(j)
            continue
        if same_size and abs(lines[j].size - lines[first].size) < 0.5 and lines[first].size > 0:
            run.append(j)
            continue
        if not same_size and not style and _continues(lines[j - 1].text.rstrip(), lines[j].text.strip()):
            run.append(j)
            continue
        break
    return run[:4]  # a title is at most a few lines; more is running text or a form


def _subtitle_lines(lines, kinds, texts, title_idx, sized) -> list[int]:
    """The subtitle: text directly under the title that is not a sentence (a larger-than-body run on a sized
    title page, a Subtitle style, or a short line in the same heading block), with its wrapped lines."""
    start = title_idx[-1] + 1
    if start >= len(lines) or kinds[start] != "text":
        return []
    text = texts[start]
    if len(text.split()) > 20 or (text.endswith(".") and len(text.split()) > 10) or re.match(r"^\d", text):
        return []  # a sentence or a numbered section, not a subtitle
    if sized and lines[title_idx[0]].size <= _body_size(lines) * 1.15:
        return []  # the title does not stand out by size, so nothing says the next line belongs to it
    if lines[title_idx[0]].style.lower() == "title" and lines[start].style.lower() != "subtitle":
        return []
    if not sized and not lines[start].style and lines[start].kind not in ("heading", "front"):
        return []
    body = _body_size(lines)
    big = sized and lines[start].size > body * 1.1
    run = [start]
    for j in range(start + 1, len(lines)):
        if kinds[j] != "text":
            break
        if big and abs(lines[j].size - lines[start].size) < 0.5:
            run.append(j)
        elif _continues(texts[j - 1], texts[j]):
            run.append(j)
        else:
            break
    if sized and not big:
        # body-size lines under a title are a subtitle only when short and closed by a names/date/genre line;
        # otherwise they are the first lines of the running text (an article PDF without a title page)
        end = run[-1] + 1
        if len(run) > 2 or (end < len(lines) and kinds[end] == "text"):
            return []
    return run


def _continues(prev: str, line: str) -> bool:
    """A line wrapped from the one before: that one ends mid-phrase, or this one starts in lower case."""
    return bool(line[:1].islower() or re.search(r"(?:[-,\u00ad\ufffe]|\b(?:og|i|for|av|med|til|om|på|the|of))$",
                                                   prev))


def _body_size(lines: list[HeadLine]) -> float:
    """The ordinary type size of the page: the lower median, so a few big title lines do not move it."""
    sizes = sorted(line.size for line in lines if line.size > 0)
    return sizes[(len(sizes) - 1) // 2] if sizes else 0.0


def short_title(text: str, max_words: int = 12) -> str:
    """A short title from the first sentence of a text (for captures and rows that have none)."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.?!])(?:\s|$)", text)
    sentence = match.group(1) if match else text
    words = sentence.split()
    if len(words) <= max_words:
        return sentence.rstrip(".")
    cut = " ".join(words[:max_words])
    return cut.rstrip(",;:") + " …"
