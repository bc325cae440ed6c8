"""Language per block: detected once per section (a heading and the blocks under it) with
policytekst.nlp.detect_language, then per block only where a block is long enough to differ.

Detecting per section keeps the cost proportional to the number of sections, not of paragraphs, and gives
the detector enough text to be right; an English summary under its own heading is its own section.
"""

from __future__ import annotations

from policytekst.model import Block

_SAMPLE = 500  # characters of a section given to the detector (its cost grows with the length)
_MIN_WORDS = 8


def detect(text: str) -> str | None:
    """The language of a text's first characters, or None when the detector fails."""
    from policytekst.nlp import detect_language

    try:
        return detect_language(text[:_SAMPLE])
    except Exception:  # noqa: BLE001 - a detector failure must not lose the document
        return None


def assign_languages(blocks: list[Block]) -> None:
    """Set Block.language in place (footnotes and short blocks inherit from their section)."""
    sections: list[list[Block]] = [[]]
    for block in blocks:
        if block.kind == "heading" and sections[-1]:
            sections.append([])
        sections[-1].append(block)
    previous = None
    for section in sections:
        text = " ".join(b.text for b in section if b.kind not in ("boilerplate", "heading"))
        if len(text.split()) < _MIN_WORDS:
            text = " ".join(b.text for b in section)
        language = detect(text) if len(text.split()) >= 3 else None
        language = language or previous
        for block in section:
            block.language = language
        previous = language or previous
