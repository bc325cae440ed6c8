"""Tables for pandas, R and Excel read back with pandas (types kept); the Matrix Market DTM; Parquet partitions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import io as sparse_io
from typer.testing import CliRunner

from policytekst.cli import app
from policytekst.interop import tables_export
from policytekst.tables import write_table
from policytekst.topics import TopicModel


@pytest.fixture(scope="module")
def topic_model_dir(demo_corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("topics") / "model"
    TopicModel(k=3, seed=0).fit(demo_corpus).save(path)
    return path


def test_passages_table_round_trips_through_parquet_feather_and_xlsx(demo_corpus, tmp_path):
    frame = tables_export.table(demo_corpus, "passages")
    assert frame["passage_id"].is_unique
    assert len(frame) == len(demo_corpus.passage_ids())
    for back in (pd.read_parquet(write_table(frame, tmp_path / "p.parquet")),
                 pd.read_feather(write_table(frame, tmp_path / "p.feather"))):
        assert list(back.columns) == list(frame.columns)
        assert pd.api.types.is_integer_dtype(back["year"])  # years stay integers
        assert back["year"].dropna().between(1990, 2030).all()
        authors = back["authors"].iloc[0]
        assert list(authors) == list(frame["authors"].iloc[0])  # lists stay lists
        assert back["text"].tolist() == frame["text"].tolist()
    back = pd.read_excel(write_table(frame, tmp_path / "p.xlsx"))
    assert len(back) == len(frame) and pd.api.types.is_integer_dtype(back["year"].dropna())
    assert back["authors"].iloc[0] == "; ".join(frame["authors"].iloc[0])  # one cell: joined


def test_documents_table(demo_corpus, tmp_path):
    frame = tables_export.table(demo_corpus, "documents")
    back = pd.read_parquet(write_table(frame, tmp_path / "d.parquet"))
    assert back["doc_id"].tolist() == frame["doc_id"].tolist()
    assert str(back["year"].dtype) == "Int64"
    docs = {d.doc_id: d for d in demo_corpus.documents()}
    row = back.iloc[0]
    assert row["year"] == docs[row["doc_id"]].year and list(row["authors"]) == docs[row["doc_id"]].authors


def test_themes_table_has_one_score_column_per_theme(demo_corpus, tmp_path):
    from policytekst.themes import theme_scores

    frame = tables_export.table(demo_corpus, "themes", method="codebook")
    scores = theme_scores(demo_corpus, method="codebook")
    columns = [f"theme_{t}" for t in scores.columns]
    assert set(columns) <= set(frame.columns) and {"year", "genre", "title"} <= set(frame.columns)
    back = pd.read_parquet(write_table(frame, tmp_path / "t.parquet")).set_index("passage_id")
    pid = scores.index[0]
    assert np.allclose(back.loc[pid, columns].to_numpy(dtype=float), scores.loc[pid].to_numpy(dtype=float))


def test_topics_table_and_cli(demo_corpus, topic_model_dir, tmp_path):
    frame = tables_export.table(demo_corpus, "topics", topic_model=topic_model_dir)
    topic_columns = [c for c in frame.columns if c.startswith("topic_")]
    assert len(topic_columns) == 3
    assert np.allclose(frame[topic_columns].sum(axis=1), 1.0, atol=1e-6)
    out = tmp_path / "topics.csv"
    result = CliRunner().invoke(app, ["export", "table", "--corpus", str(demo_corpus.directory), "--what", "topics",
                                      "--topic-model", str(topic_model_dir), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == len(frame) == json.loads(result.stdout.splitlines()[-1])["rows"]


def test_terms_as_long_table_and_matrix_market(demo_corpus, tmp_path):
    long = tables_export.table(demo_corpus, "terms")
    paths = tables_export.write_dtm(demo_corpus, tmp_path / "dtm.mtx")
    matrix = sparse_io.mmread(str(paths["matrix"])).tocsr()
    vocabulary = paths["vocabulary"].read_text(encoding="utf-8").splitlines()
    docs = pd.read_csv(paths["documents"])
    assert matrix.shape == (len(docs), len(vocabulary))
    assert matrix.sum() == long["count"].sum()
    # one cell checked against the long table
    row = long.iloc[len(long) // 2]
    i = docs.index[docs["doc_id"] == row["doc_id"]][0]
    assert matrix[i, vocabulary.index(row["term"])] == row["count"]
    assert "year" in docs.columns
    # min_df drops rare terms in both forms
    rare = tables_export.table(demo_corpus, "terms", min_df=3)
    assert set(rare["term"]) < set(long["term"])


def test_parquet_partitions_read_back(demo_corpus, tmp_path):
    import pyarrow.dataset as ds

    counts = tables_export.write_partitions(demo_corpus, tmp_path / "parts")
    passages = ds.dataset(tmp_path / "parts" / "passages", format="parquet", partitioning="hive").to_table().to_pandas()
    lemmas = ds.dataset(tmp_path / "parts" / "lemmas", format="parquet", partitioning="hive").to_table().to_pandas()
    assert len(passages) == counts["passages"] == len(demo_corpus.passage_ids())
    assert len(lemmas) == counts["lemmas"]
    assert pd.api.types.is_integer_dtype(passages["year"])
    assert isinstance(lemmas["lemmas"].iloc[0].tolist(), list) and lemmas["lemmas"].map(len).sum() > 0
    years = {d.doc_id: d.year for d in demo_corpus.documents()}
    assert all(years[d] == y for d, y in zip(passages["doc_id"], passages["year"], strict=True))


def test_cli_table_errors(demo_corpus, tmp_path):
    runner = CliRunner()
    base = ["export", "table", "--corpus", str(demo_corpus.directory)]
    assert runner.invoke(app, [*base, "--what", "nonsense", "--out", str(tmp_path / "x.csv")]).exit_code == 2
    assert runner.invoke(app, [*base, "--what", "passages", "--out", str(tmp_path / "x.pdf")]).exit_code == 2
    result = runner.invoke(app, [*base, "--what", "topics", "--out", str(tmp_path / "x.csv"),
                                 "--topic-model", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no topic model" in result.stderr
    assert not list(tmp_path.iterdir())
