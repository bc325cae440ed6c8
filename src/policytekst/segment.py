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


def split_long(text: str, max_words: int = MAX_WORDS) -> list[tuple[int, int]]:
    """(start, end) spans of a paragraph cut at sentence ends into pieces of at most ``max_words`` words
    (a single sentence longer than that stays whole)."""
    if len(text.split()) <= max_words:
        return [(0, len(text))]
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


def segment(doc_id: str, blocks: list[Block]) -> tuple[str, list[Passage]]:
    """Return (clean text, passages)."""
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
        for a, b in split_long(block.text):
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
    return text, passages
