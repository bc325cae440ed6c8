"""Tables for analysis tools: passages, documents, theme and topic scores, terms; a document-term matrix; Parquet
partitions.

Every table has the document variables attached (quanteda's docvars): one row per passage (or document), with
``year`` as an integer, ``authors`` as a list (a list in Parquet/Feather, "; "-joined in CSV/xlsx), and theme or
topic scores as float columns ``theme_<name>`` / ``topic_<k>``. Tables leave through
:func:`policytekst.tables.write_table`, so the format follows the file suffix.

* :func:`table` -- ``what`` in passages, documents, themes, topics, terms (terms: a long table doc_id, term, count);
* :func:`write_dtm` -- a document x lemma count matrix as Matrix Market (``FILE.mtx``) with ``FILE.vocab.txt``
  (one term a line, the columns) and ``FILE.docs.csv`` (the rows, with document variables), which
  ``Matrix::readMM``/quanteda and ``scipy.io.mmread``/scikit-learn read;
* :func:`write_partitions` -- ``DIR/passages/year=YYYY/part-0.parquet`` and ``DIR/lemmas/year=YYYY/...`` (Hive
  partitions), for DuckDB (``read_parquet('DIR/passages/*/*.parquet', hive_partitioning=true)``), Spark and Arrow.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import io as sparse_io
from scipy import sparse

from policytekst.errors import PolicytekstError, UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.tables import write_table
from policytekst.themes import theme_scores
from policytekst.topics import TopicModel
from policytekst.topics.units import passage_lemma_lists

WHATS = ("passages", "documents", "themes", "topics", "terms")
DOC_VARS = ("title", "year", "genre", "format", "language")


def documents_table(corpus) -> pd.DataFrame:
    """One row per document: doc_id, title, authors (list), year (integer), genre, language, counts, path."""
    rows = []
    for doc in corpus.documents():
        if doc.duplicate_of and not corpus.include_duplicates:
            continue
        rows.append({"doc_id": doc.doc_id, "title": doc.title, "authors": list(doc.authors), "year": doc.year,
                     "genre": doc.genre, "language": doc.language, "format": doc.format,
                     "n_pages": doc.n_pages, "n_passages": doc.n_passages, "path": doc.path})
    frame = pd.DataFrame(rows, columns=["doc_id", "title", "authors", "year", "genre", "language", "format",
                                        "n_pages", "n_passages", "path"])
    frame["year"] = frame["year"].astype("Int64")
    return frame


def passages_table(corpus) -> pd.DataFrame:
    """One row per analysed passage with its document variables (authors as a list)."""
    frame = corpus.passages_frame(ANALYSIS_KINDS, DOC_VARS).reset_index(drop=True)
    authors = {doc.doc_id: list(doc.authors) for doc in corpus.documents()}
    at = frame.columns.get_loc("title") + 1
    frame.insert(at, "authors", frame["doc_id"].map(lambda d: authors.get(d, [])))
    frame["year"] = frame["year"].astype("Int64")
    return frame


def themes_table(corpus, method: str = "model", codebook=None) -> pd.DataFrame:
    """Passages with one ``theme_<name>`` score column per theme (see :func:`policytekst.themes.theme_scores`)."""
    kwargs = {"codebook": codebook} if method == "codebook" else {}
    scores = theme_scores(corpus, method=method, **kwargs).add_prefix("theme_")
    frame = passages_table(corpus)
    return frame.join(scores, on="passage_id", how="left")


def topics_table(corpus, model: TopicModel) -> pd.DataFrame:
    """Passages with one ``topic_<k>`` share column per topic of a fitted model."""
    shares = model.doc_topics_.copy()
    shares.columns = [f"topic_{c}" for c in shares.columns]
    frame = passages_table(corpus)
    return frame.join(shares, on="passage_id", how="inner")


def load_topic_model(corpus, directory: str | Path | None = None) -> TopicModel:
    """A saved topic model (default: the corpus' own, from ``policytekst topics fit``)."""
    from policytekst.compare.similarity import DEFAULT_MODEL_DIR

    path = Path(directory) if directory else Path(corpus.directory) / DEFAULT_MODEL_DIR
    if not (path / "model.json").is_file():
        raise PolicytekstError(f"no topic model at {path}; fit one with `policytekst topics fit --corpus DIR`")
    return TopicModel.load(path)


def _document_counts(corpus) -> tuple[list[str], list[Counter]]:
    units = passage_lemma_lists(corpus, ANALYSIS_KINDS)
    # the passages analyses read (duplicates left out unless the corpus keeps them) and their documents
    frame = corpus.passages_frame(ANALYSIS_KINDS, ("year",))
    doc_of = dict(zip(frame["passage_id"], frame["doc_id"], strict=True))
    by_doc: dict[str, Counter] = {}
    for pid, lemmas in zip(units.passage_ids, units.lemmas, strict=True):
        if pid in doc_of:
            by_doc.setdefault(doc_of[pid], Counter()).update(lemmas)
    doc_ids = sorted(by_doc)
    return doc_ids, [by_doc[d] for d in doc_ids]


def terms_table(corpus, min_df: int = 1) -> pd.DataFrame:
    """A long table doc_id, term, count (content lemmas of the analysed passages)."""
    doc_ids, counts = _document_counts(corpus)
    df = Counter(term for c in counts for term in c)
    rows = [(d, t, n) for d, c in zip(doc_ids, counts, strict=True) for t, n in sorted(c.items()) if df[t] >= min_df]
    return pd.DataFrame(rows, columns=["doc_id", "term", "count"]).astype({"count": "int64"})


def table(corpus, what: str, *, method: str = "model", codebook=None, topic_model: str | Path | None = None,
          min_df: int = 1) -> pd.DataFrame:
    """The table ``what`` (one of :data:`WHATS`)."""
    if what == "passages":
        return passages_table(corpus)
    if what == "documents":
        return documents_table(corpus)
    if what == "themes":
        return themes_table(corpus, method, codebook)
    if what == "topics":
        return topics_table(corpus, load_topic_model(corpus, topic_model))
    if what == "terms":
        return terms_table(corpus, min_df)
    raise UsageError(f"unknown table {what!r}; use {', '.join(WHATS)}")


def write_dtm(corpus, path: str | Path, min_df: int = 1) -> dict[str, Path]:
    """Write the document x term count matrix as Matrix Market with its vocabulary and document rows.

    Returns the paths written: {"matrix": FILE.mtx, "vocabulary": FILE.vocab.txt, "documents": FILE.docs.csv}.
    """
    path = Path(path)
    if path.suffix.lower() != ".mtx":
        raise UsageError(f"{path}: a document-term matrix is written as Matrix Market; name the file FILE.mtx")
    doc_ids, counts = _document_counts(corpus)
    df = Counter(term for c in counts for term in c)
    vocabulary = sorted(t for t, n in df.items() if n >= min_df)
    column = {t: j for j, t in enumerate(vocabulary)}
    rows, cols, vals = [], [], []
    for i, c in enumerate(counts):
        for term, n in sorted(c.items()):
            if term in column:
                rows.append(i)
                cols.append(column[term])
                vals.append(n)
    matrix = sparse.coo_matrix((np.asarray(vals, dtype=np.int64), (rows, cols)), shape=(len(doc_ids), len(vocabulary)))
    stem = path.with_suffix("")
    targets = {"matrix": path, "vocabulary": Path(f"{stem}.vocab.txt"), "documents": Path(f"{stem}.docs.csv")}
    docs = documents_table(corpus).set_index("doc_id").reindex(doc_ids).reset_index()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        sparse_io.mmwrite(str(tmp / "m.mtx"), matrix, field="integer",
                          comment=f"policytekst document-term matrix: {len(doc_ids)} documents x {len(vocabulary)} "
                                  f"lemmas; rows in {targets['documents'].name}, columns in "
                                  f"{targets['vocabulary'].name}")
        (tmp / "v.txt").write_text("".join(t + "\n" for t in vocabulary), encoding="utf-8")
        write_table(docs, tmp / "d.csv")
        for key, name in (("matrix", "m.mtx"), ("vocabulary", "v.txt"), ("documents", "d.csv")):
            os.replace(tmp / name, targets[key])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return targets


def write_partitions(corpus, directory: str | Path) -> dict[str, int]:
    """Passages and their lemmas as Hive-partitioned Parquet (by year) under ``directory``; returns row counts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = Path(directory)
    passages = passages_table(corpus)
    units = passage_lemma_lists(corpus, ANALYSIS_KINDS)
    lemma_of = dict(zip(units.passage_ids, units.lemmas, strict=True))
    lemmas = passages[["passage_id", "doc_id", "year"]].copy()
    lemmas["lemmas"] = lemmas["passage_id"].map(lambda p: list(lemma_of.get(p, [])))
    directory.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".partitions.", dir=directory))
    counts = {}
    try:
        for name, frame in (("passages", passages), ("lemmas", lemmas)):
            for year, part in frame.groupby(frame["year"].fillna(-1).astype(int), sort=True):
                folder = tmp / name / (f"year={year}" if year >= 0 else "year=__HIVE_DEFAULT_PARTITION__")
                folder.mkdir(parents=True, exist_ok=True)
                table = pa.Table.from_pandas(part.drop(columns="year").reset_index(drop=True), preserve_index=False)
                pq.write_table(table, folder / "part-0.parquet")
            counts[name] = len(frame)
            shutil.rmtree(directory / name, ignore_errors=True)
            os.replace(tmp / name, directory / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts
