"""Segmenting: blocks -> the document's clean running text and citable passages of about 60-250 words.

Passages follow paragraph boundaries: short paragraphs of the same kind and section are merged up to
MIN_WORDS, a paragraph longer than MAX_WORDS is cut at sentence ends. Each passage knows its section path
("2 Teori > 2.1 New Public Management"), its page span (pages change inside a paragraph that runs over a page
break), its character span in the clean text, its kind and its language. Site chrome (kind "boilerplate") is
neither text nor passage.
"""

from __future__ import annotations

import re

from policytekst.model import TEXT_KINDS, Block, Passage

MIN_WORDS = 60
MAX_WORDS = 250
TARGET_WORDS = 180  # where a long paragraph is cut, when a sentence ends near it
# A sentence with no end in sight (a transcript, notes, keyword lists, OCR output) is cut here at a word boundary:
# no passage is longer, so a punctuation-free file cannot become one passage of millions of words.
HARD_MAX_WORDS = 2 * MAX_WORDS
# Title page and report form together are a few dozen words (the seeds and real PDFs: at most 73). Text flagged as
# front matter beyond this is running text that lacked sentence punctuation, so it is kept as body text.
FRONT_MAX_WORDS = 400
# a sentence ends at . ! ? (optionally closed by a quote/bracket) before a capital, digit or quote
_SENTENCE_END = re.compile(r"(?<=[^\s.][.!?])[”\"»)]?\s+(?=[A-ZÆØÅ0-9«\"“(])")
_ABBREVIATION = re.compile(r"\b(?:f\.eks|bl\.a|m\.fl|jf|ca|dvs|mht|nr|pkt|s|kap|mv|osv|etc|e\.g|i\.e|St\.meld|"
                           r"St\.prp|Ot\.prp|Prop|Meld|ref|tlf|evt|iht|ift|vs|dr|prof)\.$", re.IGNORECASE)


def _cut_points(text: str) -> list[int]:
    """Offsets where sentences end (not after common abbreviations)."""
    points = []
    for match in _SENTENCE_END.finditer(text):
        before = text[max(0, match.start() - 12):match.start() + 1]
        if not _ABBREVIATION.search(before.split()[-1] if before.split() else ""):
            points.append(match.end())
    return points


def split_long(text: str, max_words: int = MAX_WORDS, hard_max: int = HARD_MAX_WORDS,
               hard_cuts: list[int] | None = None) -> list[tuple[int, int]]:
    """(start, end) spans of a paragraph cut at sentence ends into pieces of at most ``max_words`` words
    (a single sentence longer than that stays whole up to ``hard_max`` words, and is then cut between words;
    ``hard_cuts[0]`` counts those cuts)."""
    if len(text.split()) <= max_words:
        return [(0, len(text))]
    spans = _split_at_sentences(text, max_words)
    pieces = [piece for span in spans for piece in _hard_split(text, span, hard_max)]
    if hard_cuts is not None:
        hard_cuts[0] += len(pieces) - len(spans)
    return pieces


def _hard_split(text: str, span: tuple[int, int], hard_max: int) -> list[tuple[int, int]]:
    """Cut a span of more than ``hard_max`` words into even pieces of at most ``hard_max`` words."""
    start, end = span
    offsets = [start + m.start() for m in re.finditer(r"\S+", text[start:end])]
    if len(offsets) <= hard_max:
        return [span]
    n = -(-len(offsets) // hard_max)  # as few pieces as the bound allows, of even length
    size = -(-len(offsets) // n)
    cuts = [offsets[i] for i in range(size, len(offsets), size)]
    bounds = [start, *cuts, end]
    return list(zip(bounds, bounds[1:], strict=False))


def _split_at_sentences(text: str, max_words: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    points = _cut_points(text) + [len(text)]
    words_at = _word_offsets(text)
    last_cut = start
    for point in points:
        n = _words_between(words_at, start, point)
        if n >= TARGET_WORDS or (n > max_words * 0.6 and point == len(text)):
            cut = point if n <= max_words or last_cut == start else last_cut
            spans.append((start, cut))
            start = cut
        last_cut = point
    if start < len(text):
        if spans and _words_between(words_at, start, len(text)) < MIN_WORDS // 2:
            spans[-1] = (spans[-1][0], len(text))
        else:
            spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _word_offsets(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def _words_between(offsets: list[int], start: int, end: int) -> int:
    import bisect

    return bisect.bisect_left(offsets, end) - bisect.bisect_left(offsets, start)


def _page_at(block: Block, offset: int) -> int:
    page = block.page_start
    for at, number in block.meta.get("page_breaks", ()):
        if at <= offset:
            page = number
        else:
            break
    return page


def bound_front_matter(blocks: list[Block]) -> int:
    """Give front matter beyond FRONT_MAX_WORDS back to the body (kind "body"); returns the words moved."""
    seen = moved = 0
    for block in blocks:
        if block.kind != "front":
            continue
        words = len(block.text.split())
        if seen + words > FRONT_MAX_WORDS:
            block.kind = "body"
            moved += words
        else:
            seen += words
    return moved


def segment(doc_id: str, blocks: list[Block], warnings: list[str] | None = None) -> tuple[str, list[Passage]]:
    """Return (clean text, passages). Problems worth the user's attention are appended to ``warnings``."""
    moved = bound_front_matter(blocks)
    if moved and warnings is not None:
        warnings.append(f"{moved:,} words flagged as front matter (title page) kept as body text instead: more than "
                        f"{FRONT_MAX_WORDS} words without sentence punctuation is running text, not a title page")
    hard_cuts = [0]
    parts: list[str] = []
    offset = 0
    starts: list[int] = []
    for block in blocks:
        if block.kind not in TEXT_KINDS:
            starts.append(-1)
            continue
        if parts:
            offset += 2
        starts.append(offset)
        parts.append(block.text)
        offset += len(block.text)
    text = "\n\n".join(parts)

    passages: list[Passage] = []
    section: list[tuple[int, str]] = []
    # pieces waiting to be merged: (text, page_start, page_end, kind, language, char_start, char_end)
    group: list[tuple[str, int, int, str, str | None, int, int]] = []

    def flush() -> None:
        if not group:
            return
        body = "\n\n".join(g[0] for g in group)
        first = group[0]
        passages.append(Passage(
            passage_id=f"{doc_id}:{len(passages) + 1:05d}", doc_id=doc_id, seq=len(passages) + 1, text=body,
            page_start=min(g[1] for g in group), page_end=max(g[2] for g in group),
            section=" > ".join(name for _, name in section), kind=first[3], language=first[4],
            char_start=max(first[5], 0), char_end=max(group[-1][6], 0),
        ))
        group.clear()

    for block, start in zip(blocks, starts, strict=True):
        if block.kind == "boilerplate":
            continue
        if block.kind == "heading":
            flush()
            level = max(block.level, 1)
            while section and section[-1][0] >= level:
                section.pop()
            section.append((level, block.text))
            continue
        for a, b in split_long(block.text, hard_cuts=hard_cuts):
            piece = block.text[a:b].strip()
            lead = len(block.text[a:b]) - len(block.text[a:b].lstrip())
            c0 = start + a + lead if start >= 0 else -1
            c1 = c0 + len(piece) if start >= 0 else -1
            item = (piece, _page_at(block, a + lead), _page_at(block, max(a, b - 1)), block.kind, block.language,
                    c0, c1)
            words = len(piece.split())
            if group and (group[0][3] != block.kind or group[0][4] != block.language
                          or sum(len(g[0].split()) for g in group) + words > MAX_WORDS):
                flush()
            group.append(item)
            # a footnote is cited on its own; other pieces merge up to MIN_WORDS
            if block.kind == "footnote" or sum(len(g[0].split()) for g in group) >= MIN_WORDS:
                flush()
    flush()
    if hard_cuts[0] and warnings is not None:
        warnings.append(f"{hard_cuts[0]:,} passages cut between words at {HARD_MAX_WORDS} words: text without "
                        "sentence punctuation (a transcript, notes, OCR output?)")
    return text, passages
