"""REFI-QDA import of projects other tools write: one built by hand to the standard, one in QualCoder's style,
vendor variants, and damaged or foreign files (one clear error, nothing written, the corpus unchanged).

All texts here are written for the tests.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policytekst import Corpus
from policytekst.cli import app
from policytekst.interop.qdpx_import import import_qdpx, read_qdc, read_qdpx
from policytekst.interop.refi import RefiError, validate
from policytekst.themes import Codebook
from policytekst.themes.training import read_labels

XSD = Path(__file__).parent / "data" / "refi-qda"

_FILL = ("Kommunestyret drøftet saken over flere møter, og administrasjonen la fram tall for bemanning, ventetid, "
         "klager og kostnader i hvert av de siste fem årene. Fagforeningene og brukerorganisasjonene kom med "
         "skriftlige innspill, og rådmannen svarte på spørsmål fra representantene før vedtaket ble fattet. ")
TEXT_A = ("1 Innledning\n\n"
          + _FILL + "Kommunen innførte en bestiller-utfører-modell i hjemmetjenesten.\n\n"
          + _FILL + "Brukerne fikk likevel si sin mening om vedtakene, og brukerrådet ble spurt før endringer.\n\n"
          + _FILL + "Til slutt ble kontorene slått sammen til ett felles kontor.")
TEXT_B = "1 Notat\n\n" + _FILL + "Saksbehandleren brukte skjønn.\n" + _FILL + "Lederen fulgte opp målene hver måned.\n"

G = {  # GUIDs as a tool would write them (fixed, so tests are repeatable)
    "user": "0F3C8C4E-0000-4000-8000-000000000001",
    "family": "0F3C8C4E-0000-4000-8000-000000000010",
    "npm": "0F3C8C4E-0000-4000-8000-000000000011",
    "bruker": "0F3C8C4E-0000-4000-8000-000000000012",
    "samordning": "0F3C8C4E-0000-4000-8000-000000000013",
    "srcA": "0F3C8C4E-0000-4000-8000-000000000100",
    "srcB": "0F3C8C4E-0000-4000-8000-000000000101",
}


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _selection(guid: str, start: int, end: int, code: str, extra: str = "") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}"{extra}>'
            f'<Coding guid="{guid[:-3]}c{guid[-2:]}"><CodeRef targetGUID="{G[code]}"/></Coding>'
            f'</PlainTextSelection>')


def _codebook_xml(tag_ns: str = "urn:QDA-XML:project:1.0") -> str:
    return (f'<CodeBook><Codes>'
            f'<Code guid="{G["family"]}" name="Styring" isCodable="false">'
            f'<Description>Hvordan forvaltningen styres</Description>'
            f'<Code guid="{G["npm"]}" name="New Public Management" isCodable="true" color="#FF0000">'
            f'<Description>Markedslogikk i offentlig sektor</Description></Code>'
            f'<Code guid="{G["samordning"]}" name="Samordning" isCodable="true"/>'
            f'</Code>'
            f'<Code guid="{G["bruker"]}" name="Brukermedvirkning" isCodable="true"/>'
            f'</Codes></CodeBook>')


def spec_project(namespace: str = "urn:QDA-XML:project:1.0", sources_dir: str = "sources") -> dict[str, bytes]:
    """A project written by hand to the standard: text in source files, nested codes, two sources."""
    a1 = _span(TEXT_A, "bestiller-utfører-modell")
    a2 = _span(TEXT_A, "Brukerne fikk likevel si sin mening om vedtakene, og brukerrådet ble spurt før endringer.")
    a3 = _span(TEXT_A, "ett felles kontor")
    b1 = _span(TEXT_B, "Lederen fulgte opp målene")
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n'
           f'<Project xmlns="{namespace}" name="Handlaget" origin="hand">'
           f'<Users><User guid="{G["user"]}" name="Kari"/></Users>'
           f'{_codebook_xml()}'
           f'<Sources>'
           f'<TextSource guid="{G["srcA"]}" name="intervju_a" plainTextPath="internal://{G["srcA"]}.txt">'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000201", *a1, "npm")}'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000202", *a2, "bruker")}'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000203", *a3, "samordning")}'
           f'</TextSource>'
           f'<TextSource guid="{G["srcB"]}" name="intervju_b"><PlainTextContent>{TEXT_B}</PlainTextContent>'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000204", *b1, "npm")}'
           f'</TextSource>'
           f'</Sources></Project>')
    return {"project.qde": qde.encode("utf-8"), f"{sources_dir}/{G['srcA']}.txt": TEXT_A.encode("utf-8")}


def qualcoder_project(count: str = "lf") -> dict[str, bytes]:
    """A project in the shape QualCoder's REFI export writes: text files named after the document
    (``plainTextPath="internal://intervju_a.txt"``, a ``richTextPath`` beside it), each selection's ``name`` holding
    the coded text, creatingUser/creationDateTime everywhere, Variables with a FloatValue, Cases, Notes, a PDF
    source whose selections sit in its text Representation; the text file with a BOM and Windows line ends.

    ``count`` is how the offsets count a line end: "lf" (positions in the LF text, as a tool that keeps LF text
    internally and writes CRLF files) or "crlf" (positions in the file as it is, CRLF = two code points).
    """
    crlf = TEXT_A.replace("\n", "\r\n")
    basis = TEXT_A if count == "lf" else crlf
    a2 = _span(basis, "Brukerne fikk likevel si sin mening")
    a3 = _span(basis, "ett felles kontor")
    b1 = _span(TEXT_B, "Lederen fulgte opp målene")
    stamp = ' creatingUser="{u}" creationDateTime="2021-03-04T10:11:12Z"'.format(u=G["user"])
    quote = ' name="{q}"' + stamp
    variable = "0F3C8C4E-0000-4000-8000-000000000700"
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n'
           f'<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'name="qualcoder_project" origin="QualCoder 3.2" creatingUserGUID="{G["user"]}">'
           f'<Users><User guid="{G["user"]}" name="default"/></Users>'
           f'{_codebook_xml()}'
           f'<Variables><Variable guid="{variable}" name="alder" typeOfVariable="Float"/></Variables>'
           f'<Cases><Case guid="0F3C8C4E-0000-4000-8000-000000000300" name="Kommune A">'
           f'<SourceRef targetGUID="{G["srcA"]}"/></Case></Cases>'
           f'<Sources>'
           f'<TextSource guid="{G["srcA"]}" name="intervju_a.txt" richTextPath="internal://intervju_a.docx" '
           f'plainTextPath="internal://intervju_a.txt"{stamp}>'
           f'<Description>Intervju med leder</Description>'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000211", *a2, "bruker", quote.format(q="Brukerne fikk likevel si sin mening"))}'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000212", *a3, "samordning", quote.format(q="ett felles kontor"))}'
           f'<VariableValue><VariableRef targetGUID="{variable}"/><FloatValue>44</FloatValue></VariableValue>'
           f'</TextSource>'
           f'<PDFSource guid="{G["srcB"]}" name="intervju_b.pdf" path="internal://intervju_b.pdf"{stamp}>'
           f'<Representation guid="0F3C8C4E-0000-4000-8000-000000000501" name="intervju_b.pdf" '
           f'plainTextPath="internal://intervju_b.txt"{stamp}>'
           f'{_selection("0F3C8C4E-0000-4000-8000-000000000213", *b1, "npm", quote.format(q="Lederen fulgte opp målene"))}'
           f'</Representation></PDFSource>'
           f'</Sources>'
           f'<Notes><Note guid="0F3C8C4E-0000-4000-8000-000000000400" name="memo">'
           f'<PlainTextContent>Et notat.</PlainTextContent></Note></Notes>'
           f'</Project>')
    return {"project.qde": qde.encode("utf-8"), "sources/intervju_a.txt": b"\xef\xbb\xbf" + crlf.encode("utf-8"),
            "sources/intervju_a.docx": b"PK-not-read", "sources/intervju_b.pdf": b"%PDF-not-read",
            "sources/intervju_b.txt": TEXT_B.encode("utf-8")}


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _segments(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()]


def test_hand_made_projects_are_valid_refi_qda():
    """The fixtures themselves follow the standard (so the importer is tested on real REFI-QDA)."""
    for entries in (spec_project(), qualcoder_project()):
        assert validate(entries["project.qde"], XSD / "Project.xsd") == []


def test_import_spec_project(tmp_path):
    path = _zip(tmp_path / "hand.qdpx", spec_project())
    summary = import_qdpx(path, tmp_path / "out")
    assert (summary.codes, summary.sources, summary.segments) == (3, 2, 4)
    book = Codebook.load(tmp_path / "out" / "codebook.yaml")
    assert book.names == ["new_public_management", "samordning", "brukermedvirkning"]
    assert book.themes["new_public_management"].label == "New Public Management"
    assert book.themes["new_public_management"].description == "Markedslogikk i offentlig sektor"
    raw = (tmp_path / "out" / "codebook.yaml").read_text(encoding="utf-8")
    assert "parent: Styring" in raw  # nesting kept
    by_text = {s["text"]: s["codes"] for s in _segments(tmp_path / "out")}
    assert by_text["bestiller-utfører-modell"] == ["new_public_management"]
    assert by_text["Lederen fulgte opp målene"] == ["new_public_management"]  # inline text source
    assert by_text["ett felles kontor"] == ["samordning"]
    labels = read_labels(tmp_path / "out" / "labels.jsonl")  # what `themes train --labels` reads
    assert sorted(map(tuple, labels.labels)) == [("brukermedvirkning",), ("new_public_management",),
                                                 ("new_public_management",), ("samordning",)]


@pytest.mark.parametrize("count", ["lf", "crlf"])
def test_import_qualcoder_style_project_with_crlf_and_bom(tmp_path, count):
    path = _zip(tmp_path / "qc.qdpx", qualcoder_project(count))
    project = read_qdpx(path)
    assert [s.name for s in project.sources] == ["intervju_a.txt", "intervju_b.pdf"]
    assert all("\r" not in s.text and not s.text.startswith("\ufeff") for s in project.sources)
    sources = {s.guid: s for s in project.sources}
    texts = {sources[s.source].text[s.start:s.end]: s.codes for s in project.segments}
    assert texts == {"Brukerne fikk likevel si sin mening": ["brukermedvirkning"],
                     "ett felles kontor": ["samordning"], "Lederen fulgte opp målene": ["new_public_management"]}


@pytest.mark.parametrize("variant", ["old-namespace", "no-namespace", "Sources-folder", "lf-counted-offsets",
                                     "braced-guids", "pdf-representation", "zipped-in-a-folder",
                                     "inclusive-end"])
def test_vendor_variants(tmp_path, variant):
    """Variants tools are known to write: each imports with the same coded texts as the standard form."""
    entries = spec_project()
    if variant == "old-namespace":
        entries = spec_project(namespace="urn:QDA-XML:project:0.9")
    elif variant == "no-namespace":
        entries["project.qde"] = entries["project.qde"].replace(b' xmlns="urn:QDA-XML:project:1.0"', b"")
    elif variant == "Sources-folder":
        entries = spec_project(sources_dir="Sources")
    elif variant == "lf-counted-offsets":
        # a tool that stores CRLF text but counts positions in its LF form (names hold the quoted text)
        crlf = TEXT_A.replace("\n", "\r\n")
        entries[f"sources/{G['srcA']}.txt"] = crlf.encode("utf-8")
        qde = entries["project.qde"].decode()
        for words in ("bestiller-utfører-modell", "ett felles kontor"):
            start, end = _span(TEXT_A, words)
            qde = qde.replace(f'startPosition="{start}" endPosition="{end}"',
                              f'name="{words}" startPosition="{start}" endPosition="{end}"')
        entries["project.qde"] = qde.encode()
    elif variant == "braced-guids":
        qde = entries["project.qde"].decode()
        for value in G.values():
            qde = qde.replace(f'"{value}"', f'"{{{value.lower()}}}"')
        entries["project.qde"] = qde.encode()
        entries[f"sources/{G['srcA'].lower()}.txt"] = entries.pop(f"sources/{G['srcA']}.txt")
        entries["project.qde"] = entries["project.qde"].replace(f"internal://{{{G['srcA'].lower()}}}".encode(),
                                                                f"internal://{G['srcA'].lower()}".encode())
    elif variant == "pdf-representation":
        qde = entries["project.qde"].decode()
        qde = qde.replace(f'<TextSource guid="{G["srcB"]}" name="intervju_b">',
                          f'<PDFSource guid="{G["srcB"]}" name="intervju_b.pdf" path="relative://b.pdf">'
                          f'<Representation guid="0F3C8C4E-0000-4000-8000-000000000500" name="b">')
        qde = qde.replace("</TextSource></Sources>", "</Representation></PDFSource></Sources>")
        entries["project.qde"] = qde.encode()
    elif variant == "inclusive-end":  # a tool that writes the last code point's position (names hold the quote)
        qde = entries["project.qde"].decode()
        for text, words in ((TEXT_A, "bestiller-utfører-modell"), (TEXT_A, "ett felles kontor"),
                            (TEXT_B, "Lederen fulgte opp målene")):
            start, end = _span(text, words)
            qde = qde.replace(f'startPosition="{start}" endPosition="{end}"',
                              f'name="{words}" startPosition="{start}" endPosition="{end - 1}"')
        start, end = _span(TEXT_A, "Brukerne fikk likevel si sin mening om vedtakene, og brukerrådet ble spurt før "
                                   "endringer.")
        entries["project.qde"] = qde.replace(f'endPosition="{end}"', f'endPosition="{end - 1}"').encode()
    elif variant == "zipped-in-a-folder":  # a project folder zipped by hand: everything one level down
        entries = {f"Handlaget/{name}": data for name, data in entries.items()}
    project = read_qdpx(_zip(tmp_path / f"{variant}.qdpx", entries))
    sources = {s.guid: s for s in project.sources}
    coded = sorted((sources[s.source].text[s.start:s.end], tuple(s.codes)) for s in project.segments)
    assert coded == sorted([("bestiller-utfører-modell", ("new_public_management",)),
                            ("Brukerne fikk likevel si sin mening om vedtakene, og brukerrådet ble spurt før "
                             "endringer.", ("brukermedvirkning",)),
                            ("ett felles kontor", ("samordning",)),
                            ("Lederen fulgte opp målene", ("new_public_management",))])


def _bad(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.qdpx"
    entries = spec_project()
    if kind == "not-a-zip":
        path.write_text("dette er ingen zip-fil", encoding="utf-8")
        return path
    if kind == "truncated-zip":
        _zip(path, entries)
        path.write_bytes(path.read_bytes()[:60])
        return path
    if kind == "no-project":
        entries.pop("project.qde")
    elif kind == "invalid-xml":
        entries["project.qde"] = entries["project.qde"][:-20]
    elif kind == "foreign-namespace":
        entries["project.qde"] = entries["project.qde"].replace(b"urn:QDA-XML:project:1.0", b"urn:example:other")
    elif kind == "foreign-root":
        entries["project.qde"] = b'<?xml version="1.0"?><html><body>hei</body></html>'
    elif kind == "offsets-outside":
        entries["project.qde"] = entries["project.qde"].replace(
            f'endPosition="{_span(TEXT_A, "ett felles kontor")[1]}"'.encode(), b'endPosition="99999"')
    elif kind == "missing-text":
        entries.pop(f"sources/{G['srcA']}.txt")
    return _zip(path, entries)


BAD = {"not-a-zip": "not a REFI-QDA project", "truncated-zip": "not a REFI-QDA project",
       "no-project": "no project.qde", "invalid-xml": "not valid XML", "foreign-namespace": "unknown namespace",
       "foreign-root": "not a REFI-QDA file", "offsets-outside": "outside its text",
       "missing-text": "is not in the project"}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_files_give_one_clear_error_and_write_nothing(tmp_path, kind):
    path = _bad(tmp_path, kind)
    with pytest.raises(RefiError) as info:
        import_qdpx(path, tmp_path / "out")
    assert BAD[kind] in str(info.value) and str(path) in str(info.value)
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["import", "qdpx", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and BAD[kind] in result.stderr and "Traceback" not in result.output


def test_bad_codebook_files(tmp_path):
    (tmp_path / "x.qdc").write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>", encoding="utf-8")
    with pytest.raises(RefiError, match="not valid XML"):
        read_qdc(tmp_path / "x.qdc")
    (tmp_path / "y.qdc").write_text("<Book xmlns='urn:QDA-XML:codebook:1.0'/>", encoding="utf-8")
    with pytest.raises(RefiError, match="not a REFI-QDA file"):
        read_qdc(tmp_path / "y.qdc")
    with pytest.raises(RefiError, match="no such file"):
        read_qdc(tmp_path / "missing.qdc")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """Two documents whose texts are the hand-made project's sources."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "intervju_a.txt").write_text(TEXT_A, encoding="utf-8")
    (folder / "intervju_b.txt").write_text(TEXT_B, encoding="utf-8")
    corpus = Corpus(tmp_path_factory.mktemp("small") / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus
    corpus.close()


def test_selections_map_to_the_passages_they_cover(tmp_path, small_corpus):
    path = _zip(tmp_path / "hand.qdpx", spec_project())
    import_qdpx(path, tmp_path / "out", small_corpus)
    rows = [json.loads(line) for line in (tmp_path / "out" / "labels.jsonl").read_text().splitlines()]
    passages = {p.passage_id: p for d in small_corpus.documents() for p in small_corpus.passages(d.doc_id)}
    assert rows and all(r["id"] in passages for r in rows)
    for row in rows:  # a passage's labels: the codes of the selections inside its text
        text = passages[row["id"]].text
        expected = set()
        if "bestiller-utfører-modell" in text or "Lederen fulgte opp målene" in text:
            expected.add("new_public_management")
        if "brukerrådet" in text:
            expected.add("brukermedvirkning")
        if "ett felles kontor" in text:
            expected.add("samordning")
        assert set(row["labels"]) == expected, row


def test_bad_file_leaves_the_corpus_unchanged(tmp_path, small_corpus):
    before = small_corpus.generation, len(small_corpus.documents())
    with pytest.raises(RefiError):
        import_qdpx(_bad(tmp_path, "offsets-outside"), tmp_path / "out", small_corpus, add_sources=True)
    assert (small_corpus.generation, len(small_corpus.documents())) == before


def test_qualcoder_style_project_maps_to_the_corpus_by_file_name(tmp_path, small_corpus):
    path = _zip(tmp_path / "qc.qdpx", qualcoder_project())
    summary = import_qdpx(path, tmp_path / "out", small_corpus, negatives=False)
    assert summary.matched_sources == 2  # "intervju_a.txt" and "intervju_b.pdf" are documents intervju_a, _b
    rows = [json.loads(line) for line in (tmp_path / "out" / "labels.jsonl").read_text().splitlines()]
    assert {r["doc_id"] for r in rows} == {"intervju_a", "intervju_b"}
    assert sorted(label for r in rows for label in r["labels"]) == ["brukermedvirkning", "new_public_management",
                                                                     "samordning"]


def test_held_out_project_with_multi_coding_nested_codes_and_relative_paths(tmp_path):
    """Written after the importer and run once, unchanged (not used to tune it): deeper nesting with codable
    parents, two codings on one selection, a coding of an unknown code (a warning, not an error), a source file
    referenced by a relative path with an upper-case extension, xsi attributes, and a picture source."""
    text = "Første avsnitt om styring.\nAndre avsnitt om brukere og samarbeid på tvers av etatene.\n"
    s1, e1 = _span(text, "brukere og samarbeid")
    qde = (f'<?xml version="1.0" encoding="UTF-8"?>'
           f'<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'xsi:schemaLocation="urn:QDA-XML:project:1.0 Project.xsd" name="ATLAS-lik" origin="other tool">'
           f'<CodeBook><Codes>'
           f'<Code guid="{G["family"]}" name="Tjenester" isCodable="true">'
           f'<Code guid="{G["bruker"]}" name="Brukere" isCodable="true">'
           f'<Code guid="{G["samordning"]}" name="Brukere og samarbeid" isCodable="true"/></Code></Code>'
           f'</Codes></CodeBook>'
           f'<Sources>'
           f'<PictureSource guid="0F3C8C4E-0000-4000-8000-000000000600" name="bilde" path="relative://b.png"/>'
           f'<TextSource guid="{G["srcA"]}" name="notat" plainTextPath="relative://Notater/notat.TXT">'
           f'<PlainTextSelection guid="0F3C8C4E-0000-4000-8000-000000000221" startPosition="{s1}" '
           f'endPosition="{e1}"><Description>to koder</Description>'
           f'<Coding guid="0F3C8C4E-0000-4000-8000-000000000231"><CodeRef targetGUID="{G["bruker"]}"/></Coding>'
           f'<Coding guid="0F3C8C4E-0000-4000-8000-000000000232"><CodeRef targetGUID="{G["samordning"]}"/></Coding>'
           f'<Coding guid="0F3C8C4E-0000-4000-8000-000000000233"><CodeRef targetGUID="{G["npm"]}"/></Coding>'
           f'</PlainTextSelection></TextSource></Sources></Project>')
    path = _zip(tmp_path / "held_out.qdpx", {"project.qde": qde.encode(), "sources/notat.TXT": text.encode()})
    summary = import_qdpx(path, tmp_path / "out")
    assert (summary.codes, summary.sources, summary.segments) == (3, 1, 1)
    (segment,) = _segments(tmp_path / "out")
    assert segment["text"] == "brukere og samarbeid"
    assert segment["codes"] == ["brukere", "brukere_og_samarbeid"]
    assert any("unknown code" in w for w in summary.warnings) and any("PictureSource" in w for w in summary.warnings)
    raw = (tmp_path / "out" / "codebook.yaml").read_text(encoding="utf-8")
    assert "parent: Brukere" in raw and "parent: Tjenester" in raw
    assert Codebook.load(tmp_path / "out" / "codebook.yaml").names == ["tjenester", "brukere", "brukere_og_samarbeid"]


def test_empty_selection_is_a_warning_not_an_error(tmp_path):
    entries = spec_project()
    start, end = _span(TEXT_A, "ett felles kontor")
    entries["project.qde"] = entries["project.qde"].replace(f'endPosition="{end}"'.encode(),
                                                            f'endPosition="{start}"'.encode())
    summary = import_qdpx(_zip(tmp_path / "empty.qdpx", entries), tmp_path / "out")
    assert summary.segments == 3 and any("is empty" in w for w in summary.warnings)


def test_cli_qdc_commands_accept_a_corpus_option(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["export", "qdc", "--corpus", str(tmp_path), "--out", str(tmp_path / "b.qdc")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", "qdc", str(tmp_path / "b.qdc"), "--corpus", str(tmp_path),
                                 "--out", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    assert Codebook.load(tmp_path / "in" / "codebook.yaml").names == Codebook.default().names


def test_add_sources_ingests_the_project_texts_and_maps_to_them(tmp_path):
    corpus = Corpus(tmp_path / "corpus", create=True)
    try:
        summary = import_qdpx(_zip(tmp_path / "hand.qdpx", spec_project()), tmp_path / "out", corpus,
                              add_sources=True)
        assert summary.added_documents == 2
        assert sorted(d.doc_id for d in corpus.documents()) == ["intervju_a", "intervju_b"]
        assert summary.matched_sources == 2
        rows = [json.loads(line) for line in (tmp_path / "out" / "labels.jsonl").read_text().splitlines()]
        assert {r["doc_id"] for r in rows} == {"intervju_a", "intervju_b"}
        assert all(":" in r["id"] for r in rows)  # passage ids of the corpus, not selection ids
        # a second import adds nothing: the sources are documents now
        again = import_qdpx(_zip(tmp_path / "hand.qdpx", spec_project()), tmp_path / "out2", corpus,
                            add_sources=True)
        assert again.added_documents == 0 and len(corpus.documents()) == 2
    finally:
        corpus.close()
