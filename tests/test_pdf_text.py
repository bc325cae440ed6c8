"""The 419-page budget proposition: running headers gone, two-column pages read in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REAL_PDFS, requires_shared

PROP = REAL_PDFS / "prop_1_LS_2025-2026.pdf"
pytestmark = [requires_shared, pytest.mark.skipif(not PROP.is_file(), reason=f"{PROP} not found")]


@pytest.fixture(scope="module")
def prop():
    from policytekst.clean import clean_document
    from policytekst.read import read_file
    from policytekst.segment import segment

    raw = read_file(Path(PROP))
    blocks = clean_document(raw)
    text, passages = segment("prop", blocks)
    return raw, blocks, text, passages


def test_no_running_header_or_page_number_in_body(prop):
    raw, blocks, text, passages = prop
    # the running header of every page: its first line, with numbers blanked (identified, not hard-coded)
    firsts = [p.text.strip().split("\n")[0] for p in raw.pages if p.text.strip()]
    keys = {re.sub(r"\d+", "#", f) for f in firsts}
    header_keys = {k for k in keys if sum(re.sub(r"\d+", "#", f) == k for f in firsts) > 50}
    assert header_keys, "the proposition has a running header"
    for block in blocks:
        if block.kind in ("body", "list", "summary", "appendix"):
            for line in block.text.split("\n"):
                assert re.sub(r"\d+", "#", line.strip()) not in header_keys, line
    # printed page numbers: the running header carries them; learn the offset to the physical page
    from collections import Counter

    offsets: Counter = Counter()
    for page in raw.pages:
        first = page.text.strip().split("\n")[0]
        for token in re.findall(r"(?<![\d–-])\d{1,3}(?![\d–-])", first):
            offsets[page.number - int(token)] += 1
    offset = offsets.most_common(1)[0][0]
    printed = [b for b in blocks if b.kind in ("body", "list") and b.text.strip() == str(b.page_start - offset)]
    assert len(printed) <= 3, printed[:5]  # a table cell may happen to equal the page number
    assert not any(re.search(r"Prop\. 1 LS \d{1,3}$", p.text) for p in passages if p.kind == "body")


def test_two_column_pages_read_in_order(prop):
    """Paragraphs of a column layout read in order end at a sentence end and continue with a capital or
    lower-case word as the next column begins; a column read out of order would cut sentences mid-way."""
    raw, blocks, text, passages = prop
    body = [b for b in blocks if b.kind == "body" and len(b.text.split()) >= 40]
    assert len(body) > 500
    ended = sum(1 for b in body if re.search(r"[.!?:;)”»]$", b.text.rstrip()))
    assert ended / len(body) >= 0.9, ended / len(body)
    # paragraphs that run over a page or column break keep flowing sentences: no line-end hyphen left over
    assert sum(1 for b in body if re.search(r"\w-\s[a-zæøå]{3,}", b.text) and " og" not in b.text) < 0.05 * len(body)


def test_proposition_metadata(prop):
    from policytekst.describe import describe

    raw, blocks, text, passages = prop
    fields = describe(raw, blocks)
    assert fields["genre"].value == "proposisjon"
    assert fields["year"].value == 2025
    assert "DSS3173" not in fields.get("authors", type("F", (), {"value": []})).value  # a user id is no author
    assert fields["title"].value != "Prop1LS-FIN.book"  # a file name in the PDF info is no title
