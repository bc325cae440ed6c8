"""Analyses with a stated bound (issue 17): topic fits and the document map read a seeded uniform sample when the
corpus is bigger than their bound, streamed so memory follows the bound and not the corpus."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from typer.testing import CliRunner

from policytekst.cli import app
from policytekst.compare.similarity import document_map
from policytekst.topics import TopicModel
from policytekst.topics import units as units_module
from policytekst.topics.units import passage_lemma_lists, sampled_lemma_lists


def test_no_sample_below_the_bound_reads_every_passage_as_before(demo_corpus) -> None:
    corpus = demo_corpus
    every = passage_lemma_lists(corpus)
    units, total = sampled_lemma_lists(corpus, limit=len(every) + 1)
    assert total == len(every)
    assert units.passage_ids == every.passage_ids and units.lemmas == every.lemmas


def test_a_sample_is_seeded_in_corpus_order_and_a_subset(demo_corpus) -> None:
    corpus = demo_corpus
    every = passage_lemma_lists(corpus)
    first, total = sampled_lemma_lists(corpus, limit=12, seed=0)
    again, _ = sampled_lemma_lists(corpus, limit=12, seed=0)
    other, _ = sampled_lemma_lists(corpus, limit=12, seed=1)
    assert total == len(every) > 12
    assert len(first) == 12 and first.passage_ids == again.passage_ids
    assert first.passage_ids != other.passage_ids, "another seed draws another sample"
    position = {pid: i for i, pid in enumerate(every.passage_ids)}
    assert [position[p] for p in first.passage_ids] == sorted(position[p] for p in first.passage_ids)
    lemmas = dict(zip(every.passage_ids, every.lemmas, strict=True))
    assert all(lemmas[p] == lem for p, lem in zip(first.passage_ids, first.lemmas, strict=True))


def test_sampling_reads_only_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    vocabulary = [f"ord{i}" for i in range(200)]
    every = [f"doc{i // 4}-p{i % 4}" for i in range(40_000)]
    asked: list[int] = []

    class FakeCorpus:  # 40,000 passages of 30 lemmas, made on the fly when read
        def passage_ids(self, kinds=None):
            return list(every)

    def stream(corpus, kinds=None, ids=None):
        wanted = every if ids is None else ids
        asked.append(len(wanted))
        for pid in wanted:
            i = int(pid[3:].split("-")[0]) * 4 + int(pid.rsplit("p", 1)[1])
            yield pid, [vocabulary[(i + j) % 200] for j in range(30)]

    monkeypatch.setattr(units_module, "passage_lemmas", stream)

    def peak(limit: int | None) -> float:
        tracemalloc.start()
        units, total = sampled_lemma_lists(FakeCorpus(), limit=limit)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert total == 40_000 and len(units) == min(limit or total, total)
        return top / 1e6

    bounded, unbounded = peak(100), peak(None)
    assert asked == [100, 40_000], "a sample reads only its own passages' lemmas"
    assert unbounded > 10, f"holding every passage should cost memory ({unbounded:.1f} MB)"
    assert bounded < unbounded / 3, f"a sample of 100 peaked at {bounded:.1f} MB vs {unbounded:.1f} MB for all"


def test_topic_model_on_a_sample_says_so_and_keeps_the_bound(demo_corpus, tmp_path) -> None:
    corpus = demo_corpus
    model = TopicModel(k=3, engine="nmf", seed=0, min_df=2, max_passages=40).fit(corpus)
    whole = TopicModel(k=3, engine="nmf", seed=0, min_df=2).fit(corpus)
    assert model.info_["sampled"] and model.info_["n_units"] == 40 == len(model.doc_topics_)
    assert model.info_["corpus_passages"] == whole.info_["n_units"] > 40
    assert not whole.info_["sampled"]
    assert model.get_params()["max_passages"] == 40
    loaded = TopicModel.load(model.save(tmp_path / "m"))
    assert loaded.get_params()["max_passages"] == 40


def test_topics_fit_command_takes_the_bound_and_refuses_nonsense(demo_corpus, tmp_path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["topics", "fit", "--corpus", str(demo_corpus.directory), "--k", "3", "--engine", "nmf",
                               "--min-df", "2", "--max-passages", "30", "--save", str(tmp_path / "m"), "--json"])
    assert done.exit_code == 0, done.output
    assert "seeded random sample" in done.stderr
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["n_units"] == 30 and meta["sampled"] and meta["params"]["max_passages"] == 30
    bad = runner.invoke(app, ["topics", "fit", "--corpus", str(demo_corpus.directory), "--max-passages", "0"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_document_map_on_a_sample(demo_corpus) -> None:
    corpus = demo_corpus
    full = document_map(corpus, seed=0)
    unbounded = document_map(corpus, seed=0, max_documents=None)
    sample = document_map(corpus, seed=0, max_documents=10)
    again = document_map(corpus, seed=0, max_documents=10)
    assert full.equals(unbounded), "the default bound leaves a small corpus as it was"
    assert full.attrs["documents"] == len(full) > 10 and not full.attrs["sampled"]
    assert len(sample) == 10 and sample.attrs["sampled"] and sample.attrs["documents"] >= len(full)
    assert sample.equals(again)
    assert set(sample["doc_id"]) <= set(full["doc_id"])
    assert set(sample["nearest_doc_id"]) <= set(sample["doc_id"]), "neighbours come from the sample"


def test_the_report_says_when_topics_and_the_map_are_a_sample(demo_corpus, tmp_path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from policytekst.report import ReportParams, build_report

    monkeypatch.setattr("policytekst.compare.similarity.MAX_MAP_DOCUMENTS", 12)
    monkeypatch.setattr("policytekst.topics.model.MAX_PASSAGES", 60)
    result = build_report(demo_corpus, tmp_path / "report", ReportParams(k=3, sections=("topics", "similarity")))
    page = result.path.read_text(encoding="utf-8")
    assert "tilfeldig utvalg av 60 av" in page, "the topics section names its sample"
    assert "tilfeldig utvalg av 12 av" in page, "the map names its sample"
    rows = (tmp_path / "report" / "tables").glob("*similarity*map*.csv")
    assert [sum(1 for _ in open(path, encoding="utf-8")) - 1 for path in rows] == [12]
