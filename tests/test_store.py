"""The store: write transactions, lazy creation of a new corpus, and the passages table."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from policytekst import Corpus
from policytekst.errors import PolicytekstError, UnknownNameError, UsageError
from policytekst.ingest import CorpusLockedError, ingest_lock
from policytekst.store import DB_NAME, Store, StoreError


def _runs(store: Store) -> int:
    return store.conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]


def test_a_transaction_commits_and_an_exception_inside_rolls_everything_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "c")
    with store.transaction() as conn:
        conn.execute("INSERT INTO runs (started) VALUES ('a')")
    assert _runs(store) == 1
    with pytest.raises(ZeroDivisionError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO runs (started) VALUES ('b')")
            conn.execute("INSERT INTO runs (started) VALUES ('c')")
            1 / 0  # noqa: B018
    assert not store.conn.in_transaction, "the failed transaction is closed, not left open"
    assert _runs(store) == 1, "both rows of the failed transaction are gone"
    with sqlite3.connect(store.path) as other:  # and another connection sees only the committed row
        assert other.execute("SELECT started FROM runs").fetchall() == [("a",)]
    store.close()


def test_a_nested_transaction_is_refused_and_the_outer_one_rolls_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "c")
    with pytest.raises(RuntimeError, match="nested transactions are not supported"):
        with store.transaction() as conn:
            conn.execute("INSERT INTO runs (started) VALUES ('outer')")
            with store.transaction():
                pass
    assert _runs(store) == 0 and not store.conn.in_transaction
    with store.transaction() as conn:  # the store is usable afterwards
        conn.execute("INSERT INTO runs (started) VALUES ('again')")
    assert _runs(store) == 1
    store.close()


def test_a_failed_document_write_leaves_the_previous_version(tmp_path: Path) -> None:
    from policytekst.pipeline import process
    from policytekst.read import read_file

    src = tmp_path / "notat.txt"
    src.write_text("Notat\n\n" + "Samordningen av etatene skulle gi brukerne én dør inn. " * 20, encoding="utf-8")
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([src], progress=False)
        (doc,) = corpus.documents()
        before = [p.text for p in corpus.passages(doc.doc_id)]
        generation = corpus.generation
        processed = process(read_file(src), doc.doc_id, None, content_hash="new")
        processed.passages.append(processed.passages[0])  # a duplicate passage_id breaks the insert half-way
        with pytest.raises(sqlite3.IntegrityError):
            corpus.store.write_document(processed, str(src.resolve()))
        assert [p.text for p in corpus.passages(doc.doc_id)] == before
        assert corpus.generation == generation and corpus.document(doc.doc_id).content_hash != "new"


def test_a_new_corpus_is_created_only_when_used(tmp_path: Path) -> None:
    target = tmp_path / "new" / "corpus"
    corpus = Corpus(target, create=True)
    assert not target.exists(), "opening for creation alone writes nothing"
    corpus.close()
    assert not target.exists()
    with Corpus(target, create=True) as corpus:
        assert corpus.status()["documents"] == 0
    assert (target / DB_NAME).is_file()


def test_ingest_of_paths_that_do_not_exist_is_a_usage_error_and_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "corpus"
    with Corpus(target, create=True) as corpus:
        with pytest.raises(UsageError, match="nowhere.*no such file"):
            corpus.ingest([tmp_path / "nowhere"], progress=False)
        with pytest.raises(UsageError, match="no files or folders"):
            corpus.ingest([], progress=False)
    assert not target.exists()


def test_store_errors_are_policytekst_errors_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no corpus here") as missing:
        Store(tmp_path / "none", create=False)
    assert isinstance(missing.value, PolicytekstError) and not (tmp_path / "none").exists()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable corpus database"):
        Store(broken, create=False)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    with Corpus(tmp_path / "a-file" / "corpus", create=True) as corpus:
        with pytest.raises(StoreError, match="cannot create or open"):
            corpus.status()


def test_a_held_ingest_lock_names_its_holder(tmp_path: Path) -> None:
    with ingest_lock(tmp_path / "c"):
        with pytest.raises(CorpusLockedError, match=f"pid {os.getpid()}") as locked:
            with ingest_lock(tmp_path / "c"):
                pass
    assert isinstance(locked.value, PolicytekstError)
    with ingest_lock(tmp_path / "c"):  # released: the next run gets it
        pass


def test_passages_table_carries_document_variables_and_checks_their_names(demo_corpus) -> None:
    frame = demo_corpus.passages_frame(kinds=None)
    assert len(frame) == sum(1 for _ in demo_corpus.passages())
    docs = {d.doc_id: d for d in demo_corpus.documents()}
    for row in frame.sample(10, random_state=0).itertuples():
        year = docs[row.doc_id].year
        assert pd.isna(row.year) if year is None else row.year == year
        assert row.doc_language == docs[row.doc_id].language and row.title == docs[row.doc_id].title
    body = demo_corpus.passages_frame(kinds=["body"], doc_vars=["genre"])
    assert set(body["kind"]) == {"body"} and "genre" in body and "title" not in body
    with pytest.raises(UnknownNameError, match="unknown document variable 'text; DROP'"):
        demo_corpus.passages_frame(doc_vars=["text; DROP"])
    with pytest.raises(KeyError):  # UnknownNameError is a KeyError too
        demo_corpus.document("no-such-document")


def test_passage_doc_ids_and_document_warnings_agree_with_the_documents(demo_corpus) -> None:
    store = demo_corpus.store
    everything = store.passage_doc_ids()
    assert everything == {p.passage_id: p.doc_id for p in demo_corpus.passages()}
    body = store.passage_doc_ids(["body"])
    assert body and set(body) < set(everything)
    assert all(demo_corpus.passage(pid).kind == "body" for pid in list(body)[:50])
    expected = [(d.doc_id, d.path, d.warnings) for d in demo_corpus.documents() if d.warnings]
    assert list(store.document_warnings()) == expected


def test_document_warnings_lists_only_documents_with_warnings(tmp_path: Path) -> None:
    from policytekst.pipeline import process
    from policytekst.read import read_file

    src = tmp_path / "notat.txt"
    src.write_text("Notat\n\n" + "Arbeidslinja ble skjerpet med aktivitetskrav for unge mottakere. " * 20,
                   encoding="utf-8")
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([src], progress=False)
        assert list(corpus.store.document_warnings()) == []
        processed = process(read_file(src), "med-advarsel", None, content_hash="x")
        processed.doc.warnings = ["a warning for the test"]
        corpus.store.write_document(processed, "elsewhere")
        assert list(corpus.store.document_warnings()) == [("med-advarsel", processed.doc.path,
                                                          ["a warning for the test"])]
