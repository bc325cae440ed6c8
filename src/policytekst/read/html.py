"""HTML reader: trafilatura's main-text extraction and its metadata (title, date, author, site)."""

from __future__ import annotations

from pathlib import Path

from policytekst.model import Page, RawDocument
from policytekst.read.errors import ReadError
from policytekst.read.text import decode_text


def read_html(path: Path) -> RawDocument:
    import trafilatura

    html, encoding = decode_text(path.read_bytes())
    # Markdown output keeps headings (#), lists and tables as structure the cleaner can use.
    text = trafilatura.extract(
        html,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_links=False,
        favor_recall=True,
        with_metadata=False,
    )
    if not text or not text.strip():
        raise ReadError("no main text found in the HTML page")
    meta = {}
    found = trafilatura.extract_metadata(html)
    if found is not None:
        for name in ("title", "author", "date", "sitename", "description", "url"):
            value = getattr(found, name, None)
            if value:
                meta[name] = str(value)
    facts = {"encoding": encoding, "n_pages": 1, "extractor": "trafilatura"}
    return RawDocument(str(path), "html", [Page(1, text)], meta=meta, facts=facts)
