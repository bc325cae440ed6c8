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
    docs = [("thesis-txt", "text", 40), ("thesis-pdf", "pdf", 42), ("other", "html", 10), ("row-2", "table-row", 1),
            ("row-1", "table-row", 1)]
    members = [d for d, *_ in sorted(docs, key=lambda d: canonical_order(*d))]
    groups = group(members, [("thesis-txt", "thesis-pdf"), ("row-2", "row-1")])
    assert groups == {"thesis-pdf": "thesis-pdf", "thesis-txt": "thesis-pdf", "other": "other",
                      "row-1": "row-1", "row-2": "row-1"}
    chained = group(["a", "b", "c"], [("c", "b"), ("b", "a")])
    assert set(chained.values()) == {"a"}


# -- in a corpus -------------------------------------------------------------------------------------------------------
def _demo_copy(folder, name):
    source = DEMO / name
    target = folder / name
    target.write_bytes(source.read_bytes())
    return target


def test_ingest_groups_copies_and_identical_rows_and_analyses_count_them_once(tmp_path):
    from policytekst import Corpus

    folder = tmp_path / "in"
    (folder / "kopi").mkdir(parents=True)
    _demo_copy(folder, "2019_kronikk_ei_dor_mange_trapper.txt")
    _demo_copy(folder, "2014_horingsuttalelse_aktivitetsplikt.txt")
    copy = folder / "kopi" / "2019_kronikk_ei_dor_mange_trapper_kopi.txt"
    text = decode_text((DEMO / "2019_kronikk_ei_dor_mange_trapper.txt").read_bytes())[0]
    copy.write_text("Kronikk.\n\n" + text.replace("\n", " \n"), encoding="utf-8")  # re-wrapped, one word added
    rows = ["id,text", 'a,"Brukerne ble sendt mellom etatene, og ingen tok ansvar for helheten i saken deres."',
            'b,"Brukerne ble sendt mellom etatene, og ingen tok ansvar for helheten i saken deres."',
            'c,"Arbeidslinja betyr at arbeid skal lønne seg for alle som kan jobbe, også med nedsatt arbeidsevne."']
    (folder / "rader.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    corpus = Corpus(tmp_path / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    groups = corpus.duplicate_groups()
    assert len(groups) == 2, groups
    by_member = {member: rep for rep, members in groups.items() for member in members}
    assert sum("kopi" in m or "kopi" in r for m, r in by_member.items()) == 1
    assert any(m.endswith("b") and r.endswith("a") for m, r in by_member.items())
    docs = {d.doc_id: d for d in corpus.documents()}
    assert {d.doc_id for d in docs.values() if d.duplicate_of} == set(by_member)
    counted = corpus.passages_frame()
    assert not set(counted["doc_id"]) & set(by_member)
    everything = Corpus.open(tmp_path / "corpus", include_duplicates=True).passages_frame()
    assert set(by_member) <= set(everything["doc_id"]) and len(everything) > len(counted)
    status = corpus.status()
    assert status["duplicate_documents"] == 2
    # the command line shows them and can keep them
    import json

    from typer.testing import CliRunner

    from policytekst.cli import app

    runner = CliRunner()
    shown = runner.invoke(app, ["docs", "--corpus", str(tmp_path / "corpus"), "--json"])
    marked = {r["doc_id"]: r["duplicate_of"] for r in map(json.loads, shown.stdout.splitlines())}
    assert {d for d, rep in marked.items() if rep} == set(by_member)
    said = runner.invoke(app, ["status", "--corpus", str(tmp_path / "corpus")])
    assert "duplicates left out of analyses: 2 documents" in said.stdout
    counts = [runner.invoke(app, [*flag, "themes", "table", "--corpus", str(tmp_path / "corpus"), "--by", "doc",
                                  "--json"]) for flag in ([], ["--include-duplicates"])]
    rows = [{json.loads(line)["doc"] for line in c.stdout.splitlines()} for c in counts]
    assert rows[1] - rows[0] == set(by_member)
    # re-running changes nothing; a changed copy that no longer repeats the original leaves its group
    corpus.ingest([folder], progress=False)
    assert corpus.duplicate_groups() == groups
    copy.write_text("Et helt annet innlegg om samordning mellom stat og kommune, skrevet for denne testen. " * 3,
                    encoding="utf-8")
    corpus.ingest([folder], progress=False)
    assert len(corpus.duplicate_groups()) == 1
    corpus.close()


def test_pdf_and_txt_of_the_same_thesis_are_one_group_with_the_pdf_cited(tmp_path):
    import json

    from policytekst import Corpus
    from tests.conftest import GENERATED_PDFS

    pdf = GENERATED_PDFS / "thesis2010_plain.pdf"
    if not pdf.is_file():
        import pytest

        pytest.skip(f"generated PDFs not found at {GENERATED_PDFS} (../shared)")
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "thesis.pdf").write_bytes(pdf.read_bytes())
    (folder / "thesis.txt").write_text(truth["body_text"], encoding="utf-8")  # the same thesis, saved as text
    (folder / "other.txt").write_text(decode_text((DEMO / "2014_horingsuttalelse_aktivitetsplikt.txt").read_bytes())[0],
                                      encoding="utf-8")
    with Corpus(tmp_path / "corpus", create=True) as corpus:
        corpus.ingest([folder], progress=False)
        formats = {d.doc_id: d.format for d in corpus.documents()}
        groups = corpus.duplicate_groups()
        assert len(groups) == 1
        (rep, members), = groups.items()
        assert formats[rep] == "pdf" and [formats[m] for m in members] == ["text"]
