"""REFI-QDA export and the round trip: valid against the standard's XSDs, byte-identical, import gives it back."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from policytekst.cli import app
from policytekst.interop.qdpx_export import export_qdc, export_qdpx
from policytekst.interop.qdpx_import import import_qdc, import_qdpx, read_qdc, read_qdpx
from policytekst.interop.refi import validate
from policytekst.model import ANALYSIS_KINDS
from policytekst.themes import Codebook
from policytekst.themes.training import read_labels

XSD = Path(__file__).parent / "data" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def exported(demo_corpus, tmp_path_factory):
    """The demo corpus exported once with codebook passage coding (fast: no classifier) and its hits."""
    path = tmp_path_factory.mktemp("qdpx") / "demo.qdpx"
    summary = export_qdpx(demo_corpus, path, method="codebook", min_score=0.5)
    return path, summary


def _project(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def test_export_validates_against_the_refi_qda_schema(exported):
    path, summary = exported
    assert validate(_project(path), XSD / "Project.xsd") == []
    assert summary.documents > 0 and summary.hit_selections > 0 and summary.passage_selections > 0
    assert summary.skipped_passages == 0


def test_export_layout_text_and_offsets(exported, demo_corpus):
    path, _ = exported
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read("project.qde"))
        for source in root.iterfind(".//q:TextSource", NS):
            entry = "sources/" + source.get("plainTextPath").removeprefix("internal://")
            assert entry in names
            data = archive.read(entry)
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data  # UTF-8 without BOM, LF
            text = data.decode("utf-8")
            assert text == demo_corpus.text(source.get("name"))
            for sel in source.iterfind("q:PlainTextSelection", NS):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert 0 <= start < end <= len(text)
                if not sel.get("name").startswith("passage "):
                    assert text[start:end] == sel.get("name")  # a hit's selection is the matched words
    # every document variable of the spec's list is declared, year as an integer
    kinds = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert kinds["year"] == "Integer" and {"genre", "author", "language"} <= set(kinds)
    # a parent code that is not codable holds one code per theme
    (family,) = root.find("q:CodeBook/q:Codes", NS)
    assert family.get("isCodable") == "false"
    assert [c.get("name") for c in family.iterfind("q:Code", NS)] == Codebook.default().names


def test_reexport_is_byte_identical(exported, demo_corpus, tmp_path):
    path, _ = exported
    again = tmp_path / "again.qdpx"
    export_qdpx(demo_corpus, again, method="codebook", min_score=0.5)
    assert again.read_bytes() == path.read_bytes()


def test_round_trip_gives_back_codes_and_segments(exported, demo_corpus, tmp_path):
    path, _ = exported
    root = etree.fromstring(_project(path))
    code_names = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", NS)}
    written = set()
    for source in root.iterfind(".//q:TextSource", NS):
        for sel in source.iterfind("q:PlainTextSelection", NS):
            codes = tuple(sorted(code_names[r.get("targetGUID")] for r in sel.iterfind("q:Coding/q:CodeRef", NS)))
            written.add((source.get("name"), int(sel.get("startPosition")), int(sel.get("endPosition")), codes))

    summary = import_qdpx(path, tmp_path / "in", demo_corpus)
    segments = [json.loads(line) for line in (tmp_path / "in" / "segments.jsonl").read_text().splitlines()]
    back = {(s["source"], s["start"], s["end"], tuple(s["codes"])) for s in segments}
    assert back == written
    assert all(s["doc_id"] == s["source"] for s in segments)  # every source found its document
    # the codes come back with their names and descriptions, and load as a codebook
    book = Codebook.load(tmp_path / "in" / "codebook.yaml")
    assert book.names == Codebook.default().names
    assert book.themes["npm"].description.endswith(Codebook.default().themes["npm"].description)
    # labels: one row per analysed passage of a coded document; a passage carries a theme iff a selection
    # coded with it overlaps the passage
    labels = read_labels(tmp_path / "in" / "labels.jsonl")
    assert summary.labels == len(labels.texts) > 0
    pid = labels.ids[0]
    passage = demo_corpus.passage(pid)
    expected = sorted({c for s in segments if s["doc_id"] == passage.doc_id
                       and s["start"] < passage.char_end and s["end"] > passage.char_start for c in s["codes"]})
    assert labels.labels[0] == expected
    assert labels.texts[0] == passage.text and passage.kind in ANALYSIS_KINDS


def test_codebook_qdc_validates_and_round_trips(tmp_path):
    path = export_qdc(tmp_path / "book.qdc")
    assert validate(path.read_bytes(), XSD / "Codebook.xsd") == []
    codes = read_qdc(path)
    default = Codebook.default()
    assert [c.key for c in codes if c.codable] == default.names
    import_qdc(path, tmp_path / "out")
    assert Codebook.load(tmp_path / "out" / "codebook.yaml").names == default.names
    # a project's codebook reads the same way
    assert export_qdc(tmp_path / "again.qdc").read_bytes() == path.read_bytes()


def test_cli_export_and_import(exported, demo_corpus, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli.qdpx"
    result = runner.invoke(app, ["export", "qdpx", "--corpus", str(demo_corpus.directory), "--out", str(out),
                                 "--method", "none", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["passage_selections"] == 0 and report["hit_selections"] > 0
    assert validate(_project(out), XSD / "Project.xsd") == []
    result = runner.invoke(app, ["import", "qdpx", str(out), "--out", str(tmp_path / "imp"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["segments"] == report["selections"]
    # wrong suffix and unknown method are usage errors
    assert runner.invoke(app, ["export", "qdpx", "--corpus", str(demo_corpus.directory),
                               "--out", str(tmp_path / "x.zip")]).exit_code == 2
    assert runner.invoke(app, ["export", "qdpx", "--corpus", str(demo_corpus.directory),
                               "--out", str(tmp_path / "x.qdpx"), "--method", "magic"]).exit_code == 2
    assert not (tmp_path / "x.qdpx").exists()


def test_project_reads_back_through_the_reader(exported):
    path, summary = exported
    project = read_qdpx(path)
    assert len(project.sources) == summary.documents
    assert len(project.segments) == summary.selections
    assert not project.warnings


@pytest.mark.slow
def test_seed_corpus_export_validates(seed_corpus, tmp_path):
    """Real documents (theses, reports, a web page) export valid projects with the classifier's coding."""
    path = tmp_path / "seeds.qdpx"
    summary = export_qdpx(seed_corpus, path, method="model", min_score=0.5)
    assert validate(_project(path), XSD / "Project.xsd") == []
    assert summary.documents == len([d for d in seed_corpus.documents() if not d.duplicate_of])
    assert summary.passage_selections > 0
    project = read_qdpx(path)
    assert len(project.segments) == summary.selections
