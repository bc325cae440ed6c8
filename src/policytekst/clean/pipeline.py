"""Minimal cleaning pipeline (foundation): unicode repair, pdfium hyphen marks, paragraphs, Markdown headings."""

from __future__ import annotations

import re
import unicodedata

from policytekst.model import Block, RawDocument

_HEADING_MD = re.compile(r"^(#{1,6})\s+(.+)$")


def clean_document(raw: RawDocument) -> list[Block]:
    blocks: list[Block] = []
    for page in raw.pages:
        text = unicodedata.normalize("NFC", page.text)
        text = text.replace("\ufffe\n", "").replace("\ufffe", "")
        for para in re.split(r"\n\s*\n", text):
            para = para.strip()
            if not para:
                continue
            match = _HEADING_MD.match(para)
            if match and "\n" not in para:
                blocks.append(Block(match.group(2).strip(), "heading", page.number, page.number,
                                    level=len(match.group(1))))
            else:
                blocks.append(Block(" ".join(para.split()), "body", page.number, page.number))
    return blocks
