"""The per-document pipeline: RawDocument -> ProcessedDocument. Pure, so it can run in any worker process."""

from __future__ import annotations

import hashlib
from typing import Any

from policytekst.clean import clean_document
from policytekst.clean.pagenumbers import printed_labels
from policytekst.describe import describe
from policytekst.duplicates import fingerprint
from policytekst.model import Document, ProcessedDocument, RawDocument, shallow_dict
from policytekst.segment import segment

# Bump when cleaning/segmenting/describing changes output, so re-ingest re-processes unchanged files.
PIPELINE_VERSION = "6"


def content_hash(data: bytes, sidecar: dict[str, Any] | None = None) -> str:
    digest = hashlib.sha256(data)
    digest.update(repr(sorted((sidecar or {}).items())).encode())
    digest.update(PIPELINE_VERSION.encode())
    return digest.hexdigest()


def process(raw: RawDocument, doc_id: str, sidecar: dict[str, Any] | None = None, *, content_hash: str = "") -> ProcessedDocument:
    blocks = clean_document(raw)
    segment_warnings: list[str] = []
    text, passages = segment(doc_id, blocks, segment_warnings)
    fields = describe(raw, blocks, sidecar)
    languages = [p.language for p in passages if p.language]
    language = fields["language"].value if "language" in fields else (
        max(set(languages), key=languages.count) if languages else None)
    known = {"title", "authors", "year", "genre", "language"}
    doc = Document(
        doc_id=doc_id,
        path=raw.source,
        format=raw.format,
        title=_value(fields, "title"),
        authors=_value(fields, "authors") or [],
        year=_value(fields, "year"),
        genre=_value(fields, "genre"),
        language=language,
        n_pages=raw.n_pages,
        n_passages=len(passages),
        fields={name: shallow_dict(f) for name, f in fields.items()},  # the Field objects are this call's own
        meta={**{k: v for k, v in raw.meta.items() if k not in known},
              **{name: f.value for name, f in fields.items() if name not in known}},
        warnings=[*raw.warnings, *segment_warnings],
        content_hash=content_hash,
    )
    labels = page_labels(raw)
    if labels:
        doc.meta["page_labels"] = labels  # citations give the page as printed ("s. 12", "s. iv")
    return ProcessedDocument(doc=doc, pages=raw.pages, blocks=blocks, text=text, passages=passages,
                             fingerprint=fingerprint(text))


def page_labels(raw: RawDocument) -> list[str] | None:
    """Printed page labels of a paged document: the PDF's own /PageLabels, else the numbers printed on the pages."""
    if raw.format != "pdf" or raw.n_pages < 2:
        return None
    declared = raw.meta.get("page_labels")
    if isinstance(declared, list) and any(declared):
        return [str(label) for label in declared]
    return printed_labels([page.text for page in raw.pages])


def _value(fields: dict, name: str):
    field = fields.get(name)
    return field.value if field is not None else None
