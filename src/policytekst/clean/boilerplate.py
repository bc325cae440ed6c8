"""Site chrome in captured web pages and document-site transcripts, found by structure and repetition.

Signals (none of them names a particular site or document):
- interface words: short lines made of viewer/navigation vocabulary ("Download", "Last ned", "Størrelse: px",
  "Begynne med side:", "Detaljer", "Del", "Skriv ut", "Logg inn", "Meny", ...);
- browser notices (JavaScript/cookie banners);
- bare date and time stamps (publication/update stamps; kept aside as metadata evidence);
- lines repeated several times in one capture (a "Detaljer" after every list entry);
- link lists: "related documents" headings and the runs of title/teaser entries under them;
- for page-per-line transcripts, everything outside the run of numbered page lines.
"""

from __future__ import annotations

import re
from collections import Counter

# Vocabulary of site interfaces (navigation, viewers, sharing, accounts): words that are not document text.
_UI_WORDS = re.compile(
    r"^(?:download|last ned|lastes ned|detaljer|details|størrelse:?\s*px|begynne med side:?|gå til side|"
    r"transkript:?|transcript:?|skriv ut|print|del(?: denne)?(?: siden| artikkelen)?|share|tweet|"
    r"logg inn|log in|sign in|registrer deg|meny|menu|søk|search|hopp til innhold|skip to content|"
    r"tilbake|back|neste|next|forrige|previous|les mer|read more|vis mer|show more|lukk|close|"
    r"tips en venn|abonner|subscribe|rapporter|report this|kommentarer|comments|relaterte artikler|"
    r"like dokumenter|lignende dokumenter|relaterte dokumenter|related documents|similar documents|"
    r"se også|see also|mest lest|most read|annonse|advertisement|publisert|oppdatert|sist endret|"
    r"personvern|privacy|informasjonskapsler|cookies)\b.{0,40}$",
    re.IGNORECASE,
)
# Headings that open a list of other documents: everything under them is chrome until the text resumes.
RELATED_HEADINGS = re.compile(
    r"^(?:like|lignende|relaterte|anbefalte|andre|flere) (?:dokumenter|artikler|saker|publikasjoner)|"
    r"^(?:related|similar|recommended|more) (?:documents|articles|posts|publications)|^se også$|^see also$",
    re.IGNORECASE,
)
# Markers where a viewer's transcript of the document begins.
TRANSCRIPT_START = re.compile(r"^(?:transkript|transcript|tekstversjon|text version|dokumenttekst):?$",
                              re.IGNORECASE)
_NOTICE = re.compile(r"javascript|cookies?\b|informasjonskapsler|your browser|nettleseren din|web browser",
                     re.IGNORECASE)
DATE_STAMP = re.compile(
    r"^(?:(?:publisert|oppdatert|sist endret|endret|published|updated)[:\s]*)?"
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2})?(?:\s*(?:kl\.?\s*)?\d{1,2}[:.]\d{2})?$",
    re.IGNORECASE,
)


def is_ui_line(line: str) -> bool:
    """A short line made of site-interface vocabulary."""
    text = line.strip()
    return bool(text) and len(text) <= 60 and _UI_WORDS.match(text) is not None


def is_notice(paragraph: str) -> bool:
    """A browser notice (JavaScript disabled, cookie banner)."""
    words = paragraph.split()
    return len(words) <= 120 and len(_NOTICE.findall(paragraph)) >= 2


def is_date_stamp(line: str) -> bool:
    text = line.strip()
    return bool(text) and any(c.isdigit() for c in text) and DATE_STAMP.match(text) is not None


def repeated_lines(lines: list[str], minimum: int = 3, max_words: int = 8) -> set[str]:
    """Short lines that occur ``minimum`` times or more in one capture (list decorations, UI labels)."""
    counts = Counter(line.strip() for line in lines if line.strip() and len(line.split()) <= max_words)
    return {line for line, count in counts.items() if count >= minimum}


def link_list_runs(lines: list[str]) -> set[int]:
    """Indices of entries in lists of other documents: a title line followed by a teaser that repeats it.

    Document sites show related documents as "Title" / "Title Title more teaser text" / "Detaljer"; the
    repetition of the title at the start of the next entry is the structural give-away.
    """
    out: set[int] = set()
    content = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    for k, ((i, a), (j, b)) in enumerate(zip(content, content[1:], strict=False)):
        if not (2 <= len(a) <= 200 and b.startswith(a) and len(b) > len(a)):
            continue
        # a heading followed by its paragraph also starts alike; an entry repeats the title in its teaser
        # or is followed by an interface word ("Detaljer")
        rest = b[len(a):].lstrip()
        after = content[k + 2][1] if k + 2 < len(content) else ""
        if rest.startswith(a[:40]) or is_ui_line(after):
            out.update((i, j))
    return out


def chrome_lines(lines: list[str]) -> set[int]:
    """Indices of lines that are site chrome in a capture of one web page or document-site page."""
    out = {i for i, line in enumerate(lines) if is_ui_line(line) or is_date_stamp(line) or is_notice(line)}
    links = link_list_runs(lines)
    out |= links
    # repetition only counts as chrome on a page that shows site chrome at all: a report repeats its
    # author's name on the title page, the form and under the preface
    if links or len(out) >= 2:
        repeated = repeated_lines(lines)
        out |= {i for i, line in enumerate(lines) if line.strip() in repeated}
    # a "related documents" heading opens a list that runs until a transcript starts or the capture ends
    in_list = False
    for i, line in enumerate(lines):
        text = line.strip()
        if RELATED_HEADINGS.match(text):
            in_list = True
        elif TRANSCRIPT_START.match(text):
            in_list = False
            out.add(i)
            continue
        if in_list:
            out.add(i)
    return out
