"""Small data classes that flow through the pipeline: read -> clean -> segment -> describe -> store.

Readers produce a :class:`RawDocument` (pages of raw text plus file facts). Cleaning turns it into
:class:`Block` objects (headings, paragraphs, footnotes, ...) that keep their page numbers. Segmenting
groups blocks into :class:`Passage` objects, and describing yields :class:`Field` values with evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from policytekst.duplicates import Fingerprint

# Kinds of block/passage. Only "body", "summary", "list" and "table" count as running body text for analyses
# by default; the rest are kept (and citable) but flagged.
BLOCK_KINDS = (
    "heading",  # a section heading (level in Block.level)
    "body",  # an ordinary paragraph
    "list",  # a bulleted/numbered list
    "table",  # a table rendered as text
    "summary",  # Sammendrag / Summary / Abstract
    "footnote",  # footnote text (its marker removed from the running text)
    "reference",  # a reference-list entry / literature list
    "toc",  # table of contents (not part of the running text)
    "front",  # title page, colophon, epigraph, preface material that is not body
    "appendix",  # appendices (vedlegg)
    "boilerplate",  # site chrome, running headers and footers that were detected and removed
)

# Kinds that belong to `policytekst text` (the document's own running text in reading order).
TEXT_KINDS = ("heading", "body", "list", "table", "summary", "reference", "appendix")
# Kinds that analyses (themes, topics, trends) use by default.
ANALYSIS_KINDS = ("body", "list", "summary", "appendix")


@dataclass
class Page:
    """One page of raw text as a reader found it (1-based page number as printed order in the file)."""

    number: int
    text: str


@dataclass
class RawDocument:
    """What a reader returns: raw pages and facts about the file. No cleaning has happened yet.

    ``meta`` holds metadata the file itself declares (PDF info, HTML meta tags, CSV columns), keyed by
    field name; ``facts`` holds technical facts (format, encoding, page count, outline).
    """

    source: str  # path of the file (or "file.csv#row-id" for one row of a table of texts)
    format: str  # pdf | html | text | markdown | docx | table-row
    pages: list[Page]
    meta: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    doc_id: str | None = None  # set by readers that know a stable id (CSV rows); otherwise derived from path

    @property
    def n_pages(self) -> int:
        return len(self.pages)


@dataclass
class Block:
    """A structural unit of clean text: a heading, a paragraph, a footnote, ..."""

    text: str
    kind: str = "body"
    page_start: int = 1
    page_end: int = 1
    level: int = 0  # heading level (1 = chapter); 0 for non-headings
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def shallow_dict(record: Any) -> dict[str, Any]:
    """A dataclass record's fields as a dict, values shared (``to_dict`` deep-copies them): for the way to the
    store, where the values are serialised right away and a deep copy per record cost more than writing it."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


@dataclass
class Field:
    """One metadata value with where it came from (text, pdf-meta, html-meta, column, sidecar, path)."""

    value: Any
    source: str
    evidence: str = ""
    confidence: str = "high"  # high | medium | low
    rule: str = ""  # which evidence won, e.g. html-h1, pdf-title-page, report-form, first-sentence, sidecar

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Passage:
    """A citable span of a document's clean text, about 60-250 words, on paragraph boundaries."""

    passage_id: str
    doc_id: str
    seq: int
    text: str
    page_start: int
    page_end: int
    section: str = ""  # section path, e.g. "2 Teori > 2.1 New Public Management"
    kind: str = "body"
    language: str | None = None
    char_start: int = 0  # span in the document's clean text (policytekst text)
    char_end: int = 0

    @property
    def n_words(self) -> int:
        return len(self.text.split())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    """A stored document: its metadata (with evidence) and its counts."""

    doc_id: str
    path: str
    format: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    genre: str | None = None
    language: str | None = None
    n_pages: int = 0
    n_passages: int = 0
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> Field.to_dict()
    meta: dict[str, Any] = field(default_factory=dict)  # extra columns (CSV meta columns, institution, ...)
    warnings: list[str] = field(default_factory=list)
    content_hash: str = ""
    duplicate_of: str | None = None  # the document that represents this one's duplicate group (None: itself)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ProcessedDocument:
    """Everything the store needs for one document, produced by a pure per-document function."""

    doc: Document
    pages: list[Page]
    blocks: list[Block]
    text: str  # the clean running text (`policytekst text`)
    passages: list[Passage]
    fingerprint: Fingerprint | None = None  # for duplicate detection (computed with the rest, in the worker)
