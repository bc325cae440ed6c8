"""Describing: metadata fields (year, title, authors, genre, language) each with its source and evidence."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from policytekst.model import Block, Field, RawDocument

_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def describe(raw: RawDocument, blocks: list[Block], sidecar: dict[str, Any] | None = None) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    meta = raw.meta
    if meta.get("title"):
        fields["title"] = Field(meta["title"], _meta_source(raw))
    if meta.get("author"):
        fields["authors"] = Field([a.strip() for a in re.split(r";|\bog\b|&", meta["author"]) if a.strip()],
                                  _meta_source(raw))
    if meta.get("year"):
        fields["year"] = Field(int(meta["year"]), _meta_source(raw), str(meta.get("date", "")))
    if "title" not in fields:
        heading = next((b.text for b in blocks if b.kind == "heading"), None)
        if heading:
            fields["title"] = Field(heading, "text", "first heading", "low")
        elif raw.format != "table-row":
            fields["title"] = Field(Path(raw.source).stem, "path", "file name", "low")
    for name, value in (sidecar or {}).items():
        if value not in (None, ""):
            fields[name] = Field(value, "sidecar", "metadata sidecar")
    return fields


def _meta_source(raw: RawDocument) -> str:
    return {"pdf": "pdf-meta", "html": "html-meta", "table-row": "column", "docx": "docx-meta"}.get(raw.format, "meta")
