"""The HTML report: real content for every section, tables that are the library's own results, tables behind
plots, escaping, self-containedness, honest notices for thin data, determinism, and the `policytekst report`
command."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from policytekst.report import ReportParams, build_report
from policytekst.report.base import ReportContext
from policytekst.report.sections.themes import split_year

# Every section of the report, in order; with the demo corpus each one builds with status "ok".
SECTION_KEYS = ["overview", "themes", "topics", "topic_trends", "keyness", "similarity", "examples", "behind",
                "provenance"]
SECTION_RE = re.compile(r'<section class="report-section" id="(\w+)" data-status="(\w+)">(.*?)</section>', re.S)


def sections_of(page: str) -> dict[str, tuple[str, str]]:
    return {key: (status, body) for key, status, body in SECTION_RE.findall(page)}


_BUILT: dict[str, object] = {}


def shared_demo_report(demo_corpus, tmp_path_factory):
    """The full demo report, built once per test session (tests/test_browser.py opens the same one)."""
    key = str(demo_corpus.directory)
    if key not in _BUILT:
        out = tmp_path_factory.mktemp("report") / "out"
        _BUILT[key] = build_report(demo_corpus, out, ReportParams(k=6, n_boot=200, seed=0))
    return _BUILT[key]


@pytest.fixture(scope="module")
def demo_report(demo_corpus, tmp_path_factory):
    result = shared_demo_report(demo_corpus, tmp_path_factory)
    return result, result.path.read_text(encoding="utf-8")


# -- the demo report ---------------------------------------------------------------------------------------------
def test_demo_report_has_real_content_for_every_section(demo_report, demo_corpus):
    result, page = demo_report
    assert len(demo_corpus.documents()) >= 15, "the demo corpus (corpus/) should hold at least 15 documents"
    found = sections_of(page)
    assert list(found) == SECTION_KEYS, "sections missing or out of order"
    for key, (status, body) in found.items():
        section = next(s for s in result.sections if s.key == key)
        assert status == "ok", f"{key}: {status} ({section.note})"
        assert any(len(t) for t in section.tables.values()), f"{key}: no table rows behind the section"
        assert "not available" not in body and "this section failed" not in body
    for key in ("overview", "themes", "topics", "topic_trends", "keyness", "similarity"):
        assert "<svg" in found[key][1], f"{key} has no plot"


def test_overview_numbers_match_the_corpus(demo_report, demo_corpus):
    result, page = demo_report
    tables = next(s for s in result.sections if s.key == "overview").tables
    docs = demo_corpus.documents()
    assert tables["by_genre"]["documents"].sum() == len(docs)
    assert tables["by_format"]["documents"].sum() == len(docs)
    assert len(tables["documents"]) == len(docs)
    dated = [d.year for d in docs if d.year is not None]
    assert tables["by_year"]["documents"].sum() == len(dated)
    assert tables["by_year"]["year"].min() == min(dated) and tables["by_year"]["year"].max() == max(dated)
    # The header states the corpus size.
    status = demo_corpus.status()
    assert f"{status['documents']} dokumenter" in page


def test_every_plot_has_its_table_as_csv(demo_report):
    result, page = demo_report
    figures = re.findall(r"<figure.*?</figure>", page, re.S)
    assert len(figures) >= 4
    for figure in figures:
        assert "<svg" in figure
        name = re.search(r'href="tables/([^"]+\.csv)"', figure)
        assert name, "figure without a CSV link"
        csv = result.out_dir / "tables" / name.group(1)
        assert csv.is_file() and len(pd.read_csv(csv)) > 0, f"{csv.name} missing or empty"


def test_report_is_self_contained(demo_report):
    result, page = demo_report
    assert not re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', page), "external reference in the report"
    # one inline script (sortable tables, hover labels), nothing loaded from elsewhere
    assert page.count("<script") == 1 and "<script>" in page and "<link " not in page and "@import" not in page
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page


def test_params_json_records_parameters_versions_and_seed(demo_report, demo_corpus):
    result, _ = demo_report
    record = json.loads((result.out_dir / "params.json").read_text(encoding="utf-8"))
    assert record["params"]["seed"] == 0 and record["params"]["k"] == 6 and record["params"]["n_boot"] == 200
    assert record["versions"]["numpy"] and record["versions"]["python"].startswith("3.")
    assert record["corpus"]["generation"] == demo_corpus.generation
    assert set(record["sections"]) == set(SECTION_KEYS) - {"provenance"}


def test_section_tables_are_the_library_results(demo_report, demo_corpus):
    """The report only presents: its tables are what a user gets from the library functions themselves."""
    from policytekst.compare import keyness, trend_table
    from policytekst.compare.similarity import document_map, most_similar_pairs
    from policytekst.themes import DEFAULT_THEMES, theme_scores
    from policytekst.topics import TopicModel

    result, _ = demo_report
    params = ReportParams(k=6, n_boot=200, seed=0)
    tables = {s.key: s.tables for s in result.sections}
    record = json.loads((result.out_dir / "params.json").read_text(encoding="utf-8"))
    year = record["split_year_used"]
    expected = keyness(demo_corpus, {"year": (None, year - 1)}, {"year": (year, None)})
    pd.testing.assert_frame_equal(tables["keyness"]["terms"].reset_index(drop=True),
                                  expected.reset_index(drop=True))

    scores = theme_scores(demo_corpus, list(DEFAULT_THEMES), method=params.theme_method)
    years = demo_corpus.passages_frame().set_index("passage_id")["year"]
    dated = scores[years.reindex(scores.index).notna().to_numpy()].fillna(0.0)
    trends = trend_table(demo_corpus, dated, by="year", n_boot=params.n_boot, seed=params.seed,
                         expected=params.theme_method == "model")  # model: expected passages beside the mean
    pd.testing.assert_frame_equal(tables["themes"]["by_year"].reset_index(drop=True), trends.reset_index(drop=True))

    model = TopicModel(k=params.k, seed=params.seed).fit(demo_corpus)
    pd.testing.assert_frame_equal(tables["topics"]["topics"], model.topic_table(n=params.n_terms))
    shares = model.doc_topics_.set_axis(list(model.labels_), axis=1)
    shares = shares[years.reindex(shares.index).notna().to_numpy()]
    pd.testing.assert_frame_equal(tables["topic_trends"]["by_year"],
                                  trend_table(demo_corpus, shares, by="year", n_boot=params.n_boot, seed=params.seed))

    shown = tables["similarity"]["map"]
    library = document_map(demo_corpus, seed=params.seed)
    assert list(shown["doc_id"]) == list(library["doc_id"])
    for column in ("x", "y", "similarity"):
        assert shown[column].to_numpy() == pytest.approx(library[column].to_numpy())
    assert list(shown["nearest_doc_id"]) == list(library["nearest_doc_id"])
    pairs = most_similar_pairs(demo_corpus)
    pd.testing.assert_frame_equal(tables["similarity"]["pairs"][list(pairs.columns)], pairs)


def test_report_pairs_agree_with_the_similar_command(small_corpus, tmp_path):
    """`policytekst similar DOC` and the report's map and pairs are one computation: they cannot disagree."""
    from policytekst.cli import app
    from policytekst.compare import similar_documents

    result = build_report(small_corpus, tmp_path, ReportParams(sections=("similarity",)))
    tables = next(s for s in result.sections if s.key == "similarity").tables
    assert len(tables["pairs"]) == 3  # three subjects, each pair once
    for row in tables["map"].itertuples(index=False):
        top = similar_documents(small_corpus, row.doc_id, n=1)
        assert top["doc_id"].iloc[0] == row.nearest_doc_id
        assert top["similarity"].iloc[0] == pytest.approx(row.similarity)
    first = tables["pairs"].iloc[0]
    shown = CliRunner().invoke(app, ["similar", first["doc_id"], "--corpus", str(small_corpus.directory), "--json",
                                     "--n", "1"])
    assert shown.exit_code == 0, shown.output
    answer = json.loads(shown.stdout.strip().splitlines()[0])
    assert answer["doc_id"] == first["nearest_doc_id"]
    assert answer["similarity"] == pytest.approx(first["similarity"])


def test_default_split_year_leaves_material_on_both_sides(demo_corpus, tmp_path):
    ctx = ReportContext(corpus=demo_corpus, params=ReportParams(), out_dir=tmp_path)
    year = split_year(ctx)
    passages = ctx.passages().dropna(subset=["year"])
    before = passages.loc[passages["year"] < year, "n_words"].sum()
    after = passages.loc[passages["year"] >= year, "n_words"].sum()
    assert before > 0 and after > 0
    assert before / (before + after) >= 0.3, "the default split should put a fair share of words before it"
    assert ReportContext(corpus=demo_corpus, params=ReportParams(split_year=2010), out_dir=tmp_path).params \
        .split_year == 2010 and split_year(ReportContext(demo_corpus, ReportParams(split_year=2010), tmp_path)) == 2010


# -- a tiny corpus the tests write: pairs of documents on three subjects, one with hostile markup -------------------
SUBJECTS = {
    "fiske": "Fiskeflåten langs kysten trenger kvoter som gir trygge arbeidsplasser i fiskeværene. Torsk og sild "
             "landes i havnene, og fiskerne ønsker at kvotene fordeles rettferdig mellom små og store båter. "
             "Foredling av fisk på land gir arbeid i kystkommunene, mens trålerne fisker lenger ute på havet.",
    "skole": "Skolen skal gi elevene lesing, regning og skriving, og lærerne trenger tid til hver elev. "
             "Klassene er store, og rektorene ber om flere lærere i grunnskolen. Elevene skriver prøver, og "
             "foreldrene følger med på leksene. Skolebiblioteket låner ut bøker til elever og lærere.",
    "sykehus": "Sykehuset har lange ventelister for operasjoner, og pasientene venter på behandling. Legene og "
               "sykepleierne arbeider skift i akuttmottaket. Sengepostene er fulle om vinteren, og pasientene "
               "blir liggende i korridoren. Helseforetaket vil bygge nye operasjonsstuer ved sykehuset.",
}
# a second document on each subject, in other words (two copies of one text would be one duplicate group)
SECOND = {
    "fiske": "Kvotene for torsk bestemmer hvor mange båter som kan fiske fra havnene nord i landet. Fiskerne vil ha "
             "mer av fisken foredlet på land, så arbeidsplassene blir i fiskeværene og ikke på trålerne.",
    "skole": "Lærerne i grunnskolen mener elevene trenger mer tid til lesing og skriving. Rektorene vil ha mindre "
             "klasser, og foreldrene ber skolen gi elevene færre lekser og flere bøker i skolebiblioteket.",
    "sykehus": "Pasientene i akuttmottaket venter lenge før legene kan starte behandling. Sykepleierne på sengepostene "
               "ber helseforetaket om flere operasjonsstuer, så ventelistene ved sykehuset blir kortere.",
}
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    from policytekst import Corpus

    folder = tmp_path_factory.mktemp("small_docs")
    rows = ["file,title,year,genre"]
    for i, (subject, text) in enumerate(SUBJECTS.items()):
        for j in range(2):
            name = f"{subject}{j}.txt"
            extra = f" Merknad: {HOSTILE}" if (subject, j) == ("skole", 1) else ""
            body = "\n\n".join([text + extra, SECOND[subject]] if j else [text + extra, text.replace(".", " i år.", 2)])
            (folder / name).write_text(body + "\n", encoding="utf-8")
            title = f"{subject.title()} {j} {HOSTILE}" if (subject, j) == ("skole", 1) else f"{subject.title()} {j}"
            rows.append(f'{name},"{title.replace(chr(34), chr(34) * 2)}",{2000 + 4 * i + j},rapport')
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "ødelagt.pdf").write_bytes(b"%PDF-1.4\n this is not a PDF body \x00\x01")  # must fail, visibly
    corpus = Corpus(tmp_path_factory.mktemp("small") / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus
    corpus.close()


def test_captured_text_is_escaped(small_corpus, tmp_path):
    result = build_report(small_corpus, tmp_path, ReportParams(sections=("overview", "similarity")))
    page = result.path.read_text(encoding="utf-8")
    assert len(small_corpus.documents()) == 6
    assert "Skole 1" in page, "the hostile title should be shown (escaped), not dropped"
    # the report's own inline script is the only one; the hostile title adds none
    assert page.count("<script") == 1 and "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # The file that could not be read is named in the overview, with its error.
    failures = next(s for s in result.sections if s.key == "overview").tables["failures"]
    assert len(failures) == 1 and "ødelagt.pdf" in failures["path"].iloc[0] and failures["error"].iloc[0]
    assert "1 fil kunne ikke leses" in page and "ødelagt.pdf" in sections_of(page)["overview"][1]


def test_similarity_map_puts_documents_on_the_same_subject_together(small_corpus, tmp_path):
    result = build_report(small_corpus, tmp_path, ReportParams(sections=("similarity",)))
    table = next(s for s in result.sections if s.key == "similarity").tables["map"]
    subject = {d.doc_id: re.sub(r"\d", "", Path(d.path).stem) for d in small_corpus.documents()}
    hits = sum(subject[a] == subject[b] for a, b in zip(table["doc_id"], table["nearest_doc_id"], strict=True))
    assert hits == len(table) == 6
    assert (table["similarity"] > 0.3).all()
    # On the map, each document is closer to its pair than to any other document.
    coords = table.set_index("doc_id")[["x", "y"]]
    for doc_id, row in coords.iterrows():
        distance = ((coords - row) ** 2).sum(axis=1).drop(doc_id)
        assert subject[distance.idxmin()] == subject[doc_id]


def test_same_seed_gives_the_same_tables(small_corpus, tmp_path):
    params = ReportParams(sections=("similarity",), seed=3)
    first = build_report(small_corpus, tmp_path / "a", params)
    second = build_report(small_corpus, tmp_path / "b", params)
    analysis = [p for p in first.tables if not p.name.startswith("provenance_")]  # provenance has timings
    assert len(analysis) == 3  # the map, the most similar pairs and the passages the map's points link to
    for path in analysis:
        assert path.read_bytes() == (tmp_path / "b" / "tables" / path.name).read_bytes(), path.name
    assert len(second.tables) == len(first.tables)


def test_failing_section_is_shown_and_strict_raises(small_corpus, tmp_path, monkeypatch):
    from policytekst.report.sections import similarity

    def broken(corpus, seed, **bounds):
        raise RuntimeError("lemma store is corrupt")

    monkeypatch.setattr(similarity, "document_map", broken)
    result = build_report(small_corpus, tmp_path, ReportParams(sections=("overview", "similarity")))
    assert result.status() == {"overview": "ok", "similarity": "failed", "behind": "ok", "provenance": "ok"}
    assert "lemma store is corrupt" in (tmp_path / "errors.log").read_text(encoding="utf-8")
    assert "this section failed" in result.path.read_text(encoding="utf-8")
    with pytest.raises(RuntimeError, match="corrupt"):
        build_report(small_corpus, tmp_path, ReportParams(sections=("similarity",)), strict=True)


# -- the command -----------------------------------------------------------------------------------------------
def test_report_command(small_corpus, tmp_path):
    from policytekst.cli import app

    runner = CliRunner()
    out = tmp_path / "rep"
    ok = runner.invoke(app, ["report", "--corpus", str(small_corpus.directory), "--out", str(out), "--json",
                             "--sections", "overview", "--seed", "1"])
    assert ok.exit_code == 0, ok.output
    record = json.loads(ok.stdout.strip().splitlines()[-1])
    assert Path(record["report"]).is_file() and record["sections"] == {"overview": "ok", "behind": "ok",
                                                                               "provenance": "ok"}
    assert json.loads((out / "params.json").read_text())["params"]["seed"] == 1

    missing = runner.invoke(app, ["report", "--corpus", str(tmp_path / "nowhere"), "--out", str(out)])
    assert missing.exit_code == 1 and "no corpus here" in missing.output
    bad = runner.invoke(app, ["report", "--corpus", str(small_corpus.directory), "--out", str(out),
                              "--sections", "overview,nonsense"])
    assert bad.exit_code == 2 and "nonsense" in bad.output
    bad_method = runner.invoke(app, ["report", "--corpus", str(small_corpus.directory), "--out", str(out),
                                     "--theme-method", "magic"])
    assert bad_method.exit_code == 2


def test_report_text_is_readable_norwegian(demo_report):
    _, page = demo_report
    text = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    text = textwrap.dedent(re.sub(r"<[^>]+>", " ", text))
    for heading in ("Korpusoversikt", "Dokumentlikhet", "Parametere, versjoner og frø"):
        assert heading in text


def test_corpus_without_years_gets_honest_notices_not_failures(tmp_path_factory):
    from policytekst import Corpus

    folder = tmp_path_factory.mktemp("undated")
    for i, text in enumerate(list(SUBJECTS.values()) * 2):
        (folder / f"notat{i}.txt").write_text(text + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("undated_report")
    with Corpus(tmp_path_factory.mktemp("undated_corpus") / "corpus", create=True) as corpus:
        corpus.ingest([folder], progress=False)
        assert all(d.year is None for d in corpus.documents())
        result = build_report(corpus, out, ReportParams(sections=("overview", "themes", "topic_trends", "keyness")))
    status = result.status()
    assert "failed" not in status.values(), {s.key: s.note for s in result.sections}
    assert status["keyness"] == "empty" and "year" in next(s.note for s in result.sections if s.key == "keyness")
    assert status["topic_trends"] == "empty"
    page = result.path.read_text(encoding="utf-8")
    if status["themes"] == "ok":
        assert "Ingen dokumenter har år" in sections_of(page)["themes"][1]
