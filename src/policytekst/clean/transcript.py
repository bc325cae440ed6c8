"""Page-per-line transcripts (a document site's "Transkript" view): one line per printed page, the page number
glued to the start or the end of the line, footnotes glued at the end, headings run into the text."""

from __future__ import annotations

import re

from policytekst.clean import pagenumbers

# A numbered heading run into the text: number, a capitalised first word, then lower-case words or acronyms
# up to the next capitalised word (where the sentence after the heading begins).
_RUN_IN = re.compile(
    r"(?:(?<=^)|(?<=[.!?:”\"»)] ))(\d{1,2}(?:\.\d{1,2}){0,3}) ([A-ZÆØÅ][\w\-/]*(?:,)?"
    r"(?: (?:[a-zæøå][\w\-/,:()]*|[A-ZÆØÅ]{2,}[\w\-/]*|[-–]))*)(?= [A-ZÆØÅ\d«\"]|$)"
)
_RUN_IN_AT = re.compile(_RUN_IN.pattern.replace(r"(?:(?<=^)|(?<=[.!?:”\"»)] ))", ""))
_KNOWN_START = re.compile(
    r"^(Forord|Sammendrag|Samandrag|Summary|Abstract|Innledning|Innhold|Litteratur|Referanser|Konklusjon|"
    r"Vedlegg \d+:?|Del \d+)(?= [A-ZÆØÅ\d])"
)


def page_run(lines: list[str]) -> tuple[str, list[int]] | None:
    """(side, indices of the page lines) for the longest run of numbered page lines, or None."""
    side = pagenumbers.glued_numbers(lines)
    if side is None:
        return None
    runs: list[list[int]] = []
    current: list[int] = []
    last = None
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        number, _ = pagenumbers.split_glued(text, side)
        value = abs(number) if number is not None else None
        in_sequence = value is not None and last is not None and 0 < value - last <= 2
        if number is not None and (len(text) > 60 or pagenumbers.is_page_number(text) or in_sequence):
            current.append(i)
            last = value if number > 0 or last is None or value > last else last
        else:
            last = None
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    if not runs:
        return None
    best = max(runs, key=len)
    return (side, best) if len(best) >= 3 else None


def page_number(number: int, previous: int) -> int:
    """Physical page for a printed number: roman front matter counts from 1 (i=1, ii=2, ...)."""
    if number < 0:
        return -number
    return number if number > 0 else previous + 1


def _version_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".") if p)


def split_run_in_headings(text: str, last: tuple[int, ...] = ()) -> tuple[list[tuple[str, str]], tuple[int, ...]]:
    """Split a page's text at run-in numbered headings: [("heading"|"body", text)], last heading number.

    A number only counts as a heading when it follows the previous heading in sequence (2.1 after 2, 3 after
    2.4), which numbers in running text ("kapittel 3 viser") rarely do.
    """
    parts: list[tuple[str, str]] = []
    pos = 0
    known = _KNOWN_START.match(text)
    if known:
        parts.append(("heading", known.group(1)))
        pos = known.end() + 1
    while True:
        # a heading may follow the previous one directly ("1 Innledning 1.1 Formål ...")
        match = _RUN_IN_AT.match(text, pos) if parts and parts[-1][0] == "heading" else None
        if match is None or not _follows(last, _version_key(match.group(1))):
            match = None
            for candidate in _RUN_IN.finditer(text, pos):
                if _follows(last, _version_key(candidate.group(1))) and len(candidate.group(2).split()) <= 12:
                    match = candidate
                    break
        if match is None:
            break
        before = text[pos:match.start()].strip()
        if before:
            parts.append(("body", before))
        parts.append(("heading", f"{match.group(1)} {match.group(2)}".strip()))
        pos = match.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
        last = _version_key(match.group(1))
    rest = text[pos:].strip()
    if rest:
        parts.append(("body", rest))
    return parts, last


def _follows(last: tuple[int, ...], number: tuple[int, ...]) -> bool:
    if not number or number[0] == 0 or number[0] > 40:
        return False
    if not last:
        return len(number) <= 2 and number[0] <= 2
    for depth in range(len(number)):
        if number[:depth] != last[:depth]:
            return False
        if depth < len(last):
            if number[depth] == last[depth] + 1 and all(n in (0, 1) for n in number[depth + 1:]):
                return True
            if number[depth] != last[depth]:
                return False
        else:
            return number[depth] == 1 and len(number) == depth + 1
    return False
