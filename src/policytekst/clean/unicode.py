"""Unicode repair: one normal form, visible characters only, and pdfium's line-end hyphen mark made explicit."""

from __future__ import annotations

import re
import unicodedata

# pdfium reports a hyphen that ends a line as U+FFFE and drops the line break after it; we restore "-\n" so
# the hyphenation step sees every line-end hyphen in one shape and decides with a lexicon what it was.
_PDFIUM_HYPHEN = "\ufffe"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
              "\ufb06": "st"}
_HYPHENS = {"\u2010": "-", "\u2011": "-"}
_TABLE = str.maketrans({**_LIGATURES, **_HYPHENS})
_NEEDS_TABLE = re.compile("[" + "".join(_LIGATURES) + "".join(_HYPHENS) + "\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def repair(text: str, *, keep_tabs: bool = False) -> str:
    """NFC, CRLF -> LF, ligatures split, odd spaces made plain, invisible characters dropped.

    A soft hyphen (U+00AD) at a line end is a hyphenation point, so it becomes "-" there; elsewhere it is
    invisible and removed. ``keep_tabs`` keeps tab characters (cell separators in tables of text).
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace(_PDFIUM_HYPHEN + "\n", "-\n").replace(_PDFIUM_HYPHEN, "-\n")
    text = text.replace("\u00ad\n", "-\n")
    if _NEEDS_TABLE.search(text):  # translate() is slow; most pages need none of it
        text = text.translate(_INVISIBLE).translate(_TABLE)
    if keep_tabs:
        text = re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", text)
    else:
        text = _SPACES.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text
