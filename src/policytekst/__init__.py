"""policytekst: document and corpus analytics for Norwegian policy and research texts."""

from policytekst.corpus import Corpus
from policytekst.model import Block, Document, Field, Page, Passage, RawDocument

__version__ = "0.1.0"

__all__ = ["Corpus", "Block", "Document", "Field", "Page", "Passage", "RawDocument", "__version__"]
