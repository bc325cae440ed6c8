"""Duplicate detection: the fingerprint and grouping rules (the corpus-level behaviour is tested with ingest)."""

from __future__ import annotations

import random

from policytekst.duplicates import (
    NEAR_JACCARD,
    canonical_order,
    containment,
    fingerprint,
    group,
    is_duplicate,
    jaccard,
    text_key,
)
from policytekst.read.text import decode_text
from tests.conftest import DEMO


def _texts() -> dict[str, str]:
    return {p.name: decode_text(p.read_bytes())[0] for p in sorted([*DEMO.glob("*.txt"), *DEMO.glob("*.md")])}


def test_exact_key_ignores_case_punctuation_and_line_breaks():
    assert text_key("Brukerne ble\nkasteballer, sa hun.") == text_key("brukerne ble kasteballer sa hun")
    assert text_key("brukerne ble kasteballer") != text_key("brukerne ble ikke kasteballer")


def test_different_documents_are_not_duplicates():
    prints = {name: fingerprint(text) for name, text in _texts().items()}
    names = sorted(prints)
    assert len(names) >= 3
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not is_duplicate(prints[a], prints[b]), (a, b, jaccard(prints[a], prints[b]))


def test_light_edits_and_an_added_title_page_stay_duplicates():
    rng = random.Random(0)
    for text in _texts().values():
        tokens = text.split()
        edited = tokens[:]
        for _ in range(max(1, len(tokens) // 200)):  # about one changed word in 200 (OCR slips, hyphenation)
            edited[rng.randrange(len(edited))] = "endret"
        a, b = fingerprint(text), fingerprint(" ".join(edited))
        assert jaccard(a, b) >= NEAR_JACCARD - 0.1 and is_duplicate(a, b)
        framed = fingerprint("Masteroppgave i sosialt arbeid. Høgskolen. Våren 2010. " + text + " Litteraturliste.")
        assert containment(a, framed) > 0.85 and is_duplicate(a, framed)


def test_half_a_document_is_not_a_duplicate_of_another_half():
    text = next(iter(_texts().values()))
    tokens = text.split()
    first, second = " ".join(tokens[: len(tokens) // 2]), " ".join(tokens[len(tokens) // 2:])
    assert not is_duplicate(fingerprint(first), fingerprint(second))


def test_short_texts_need_identical_words():
    assert is_duplicate(fingerprint("Ja."), fingerprint("ja"))
    assert not is_duplicate(fingerprint("Ja takk"), fingerprint("Nei takk"))


def test_fingerprint_is_deterministic_and_bands_are_stable():
    text = next(iter(_texts().values()))
    assert fingerprint(text) == fingerprint(text)
    assert fingerprint(text).bands() == fingerprint(text).bands()
    assert len(set(fingerprint(text).bands()) & set(fingerprint(text + " slutt").bands())) > 0


def test_group_picks_the_most_citable_copy():
    docs = [("thesis-txt", "txt", 40), ("thesis-pdf", "pdf", 42), ("other", "html", 10), ("row-2", "table", 1),
            ("row-1", "table", 1)]
    members = [d for d, *_ in sorted(docs, key=lambda d: canonical_order(*d))]
    groups = group(members, [("thesis-txt", "thesis-pdf"), ("row-2", "row-1")])
    assert groups == {"thesis-pdf": "thesis-pdf", "thesis-txt": "thesis-pdf", "other": "other",
                      "row-1": "row-1", "row-2": "row-1"}
    chained = group(["a", "b", "c"], [("c", "b"), ("b", "a")])
    assert set(chained.values()) == {"a"}
