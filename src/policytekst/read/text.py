"""Plain text and Markdown reader: detects the encoding so cp1252/latin-1 Norwegian text comes out right."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from policytekst.model import Page, RawDocument
from policytekst.read.errors import ReadError

# Share of control characters (other than whitespace) above which bytes are not text.
_MAX_CONTROL_SHARE = 0.01


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding). UTF-8 first; then the best guess; then cp1252."""
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary content, not text (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Norwegian single-byte text is nearly always cp1252 or latin-1: prefer them when they decode cleanly and
    # give Norwegian letters, because detectors often guess a Cyrillic or Turkish code page for short texts.
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best), best.encoding
    raise ReadError("binary content, not text (no text encoding fits)")


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    sample = text[:200000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f" or 0x7F <= ord(ch) < 0xA0)
    return control / len(sample) <= _MAX_CONTROL_SHARE


def read_text(path: Path, *, markdown: bool = False) -> RawDocument:
    data = path.read_bytes()
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError("no text (file holds only white space)")
    # Form feeds mark pages in text exported from PDFs (pdftotext); otherwise the file is one page and
    # cleaning may find printed page numbers inside it.
    chunks = text.split("\f") if "\f" in text else [text]
    pages = [Page(i + 1, chunk) for i, chunk in enumerate(chunks)]
    facts = {"encoding": encoding, "n_pages": len(pages), "paged_by": "formfeed" if len(pages) > 1 else "none"}
    return RawDocument(str(path), "markdown" if markdown else "text", pages, facts=facts)
