"""Cleaning: ordered, named, pure steps from raw pages to structural blocks.

Entry point: :func:`clean_document` (RawDocument -> list[Block]).
"""

from policytekst.clean.pipeline import clean_document

__all__ = ["clean_document"]
