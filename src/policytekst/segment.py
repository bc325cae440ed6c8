"""Segmenting: blocks -> the document's clean running text and passages of about 60-250 words."""

from __future__ import annotations

from policytekst.model import TEXT_KINDS, Block, Passage

MIN_WORDS = 60
MAX_WORDS = 250


def segment(doc_id: str, blocks: list[Block]) -> tuple[str, list[Passage]]:
    """Return (clean text, passages). Paragraphs are merged up to MIN_WORDS within a section and kind."""
    parts: list[str] = []
    offset = 0
    spans: list[tuple[Block, int, int]] = []
    for block in blocks:
        if block.kind not in TEXT_KINDS:
            spans.append((block, -1, -1))
            continue
        if parts:
            offset += 2
        start = offset
        parts.append(block.text)
        offset += len(block.text)
        spans.append((block, start, offset))
    text = "\n\n".join(parts)

    passages: list[Passage] = []
    section: list[str] = []
    group: list[tuple[Block, int, int]] = []

    def flush() -> None:
        if not group:
            return
        first, last = group[0], group[-1]
        body = "\n\n".join(b.text for b, _, _ in group)
        passages.append(Passage(
            passage_id=f"{doc_id}:{len(passages) + 1:05d}", doc_id=doc_id, seq=len(passages) + 1, text=body,
            page_start=first[0].page_start, page_end=max(b.page_end for b, _, _ in group),
            section=" > ".join(section), kind=first[0].kind, language=first[0].language,
            char_start=max(first[1], 0), char_end=max(last[2], 0),
        ))
        group.clear()

    for block, start, end in spans:
        if block.kind == "heading":
            flush()
            level = max(block.level, 1)
            del section[level - 1:]
            section.append(block.text)
            continue
        if group and (group[0][0].kind != block.kind
                      or sum(len(b.text.split()) for b, _, _ in group) + len(block.text.split()) > MAX_WORDS):
            flush()
        group.append((block, start, end))
        if sum(len(b.text.split()) for b, _, _ in group) >= MIN_WORDS:
            flush()
    flush()
    return text, passages
