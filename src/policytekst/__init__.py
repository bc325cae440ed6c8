"""policytekst: document and corpus analytics for Norwegian policy and research texts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Corpus", "Block", "Document", "Field", "Page", "Passage", "RawDocument", "__version__"]

if TYPE_CHECKING:
    from policytekst.corpus import Corpus
    from policytekst.model import Block, Document, Field, Page, Passage, RawDocument

# The public names load on first use (PEP 562): `import policytekst` and the command's start-up then cost a few
# milliseconds instead of pandas, numpy and scipy (which `Corpus` brings along).
_LAZY = {"Corpus": "policytekst.corpus", "Block": "policytekst.model", "Document": "policytekst.model",
         "Field": "policytekst.model", "Page": "policytekst.model", "Passage": "policytekst.model",
         "RawDocument": "policytekst.model"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'policytekst' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
