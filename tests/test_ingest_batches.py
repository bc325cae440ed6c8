"""Table rows are written in batches (one commit per TABLE_BATCH rows) without changing the corpus or its safety.

* The same corpus: a table ingested in batches equals the same table ingested a row per commit (every stored
  column but the ingest time), and cached MinHash permutations give the signatures of a fresh MinHash.
* Still all-or-nothing per row: a row whose write fails leaves no trace, the rows before it are committed.
* Still crash-safe and incremental: a process killed in the middle of a table leaves a readable corpus holding
  whole rows only, and the next run stores the rest.
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policytekst import Corpus
from policytekst import ingest as ingest_module
from policytekst.duplicates import NUM_PERM, SEED, fingerprint, words

TABLES = ("documents", "passages", "doc_prints", "doc_bands", "passage_keys")
# Invented rows: enough to span several batches when TABLE_BATCH is made small.
TOPICS = ["samordning av tjenester i Nav", "brukermedvirkning i kommunen", "arbeidslinja og aktivitetskrav",
          "mål- og resultatstyring i sykehusene", "kasteball mellom etatene"]


def _write_table(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "dato", "parti", "tekst"])
        for i in range(n):
            topic = TOPICS[i % len(TOPICS)]
            writer.writerow([f"q{i}", f"{1996 + i % 20}-03-0{1 + i % 9}", "ABC"[i % 3],
                             f"Spørsmål {i} om {topic}. Hva vil statsråden gjøre med {topic} i år {1996 + i % 20}, "
                             f"og når kommer saken {i % 7} tilbake til Stortinget?"])
        writer.writerow(["tom", "2001-01-01", "A", ""])  # an empty row: failed, not stored
        writer.writerow(["q3", "2001-01-01", "A", "Spørsmål 3 igjen, med en annen tekst om samordning."])
    return path


def _ingest(corpus_dir: Path, table: Path) -> dict[str, int]:
    with Corpus(corpus_dir, create=True) as corpus:
        return corpus.ingest([table], text_column="tekst", id_column="id", date_column="dato",
                             meta_columns=["parti"], progress=False)


def _digest(corpus_dir: Path) -> dict[str, tuple[int, str]]:
    conn = sqlite3.connect(corpus_dir / "corpus.sqlite")
    out = {}
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "ingested_at"]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}").fetchall()
        out[table] = (len(rows), hashlib.sha1(repr(rows).encode()).hexdigest())
    out["generation"] = conn.execute("SELECT value FROM info WHERE key='generation'").fetchone()
    conn.close()
    return out


def test_batched_table_ingest_stores_the_same_corpus_as_a_commit_per_row(tmp_path, monkeypatch):
    table = _write_table(tmp_path / "sporsmal.csv", 60)
    monkeypatch.setattr(ingest_module, "TABLE_BATCH", 1)
    per_row = _ingest(tmp_path / "per_row", table)
    monkeypatch.setattr(ingest_module, "TABLE_BATCH", 7)
    batched = _ingest(tmp_path / "batched", table)
    assert per_row == batched and batched["added"] == 1
    assert _digest(tmp_path / "per_row") == _digest(tmp_path / "batched")
    assert _digest(tmp_path / "batched")["documents"][0] >= 60
    # incremental: a second run changes nothing
    before = _digest(tmp_path / "batched")
    assert _ingest(tmp_path / "batched", table)["unchanged"] == 1
    assert _digest(tmp_path / "batched") == before


def _datasketch_signature(text: str) -> tuple[int, ...]:
    from datasketch import MinHash

    tokens = words(text)
    shingles = sorted({" ".join(tokens[i:i + 5]).encode() for i in range(len(tokens) - 4)})
    fresh = MinHash(num_perm=NUM_PERM, seed=SEED)
    fresh.update_batch(shingles)
    return tuple(int(v) for v in fresh.hashvalues) if shingles else ()


def test_our_minhash_gives_the_signatures_of_datasketch(demo_corpus):
    pytest.importorskip("datasketch", minversion="2.0")
    texts = [" ".join(f"{t} ord{i}" for i in range(k)) for k, t in enumerate(TOPICS, start=3)]
    texts += [demo_corpus.text(d.doc_id) for d in demo_corpus.documents()]
    assert len(texts) > 10
    for text in texts:
        assert fingerprint(text).signature == _datasketch_signature(text)


def test_our_minhash_gives_the_signatures_of_datasketch_on_real_texts(storting_sample):
    pytest.importorskip("datasketch", minversion="2.0")
    frame = storting_sample.passages_frame()
    for text in frame["text"].head(300):
        assert fingerprint(text).signature == _datasketch_signature(text)


def test_a_row_whose_write_fails_leaves_no_trace_and_the_rows_before_it_are_kept(tmp_path, monkeypatch):
    table = _write_table(tmp_path / "sporsmal.csv", 20)
    monkeypatch.setattr(ingest_module, "TABLE_BATCH", 6)
    from policytekst.store import Store

    original = Store.write_document
    calls = {"n": 0}

    def failing(self, processed, source_key):
        calls["n"] += 1
        if calls["n"] == 10:  # mid-batch: the document row goes in, then its passages fail; the savepoint undoes it
            processed.passages.append(processed.passages[0])  # a duplicate passage id fails the insert
        return original(self, processed, source_key)

    monkeypatch.setattr(Store, "write_document", failing)
    with pytest.raises(sqlite3.IntegrityError), Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([table], text_column="tekst", id_column="id", progress=False)
    conn = sqlite3.connect(tmp_path / "c" / "corpus.sqlite")
    stored = [r[0] for r in conn.execute("SELECT doc_id FROM documents ORDER BY rowid")]
    assert len(stored) == 9  # the nine rows before the failed one, committed
    n_passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    orphans = conn.execute("SELECT COUNT(*) FROM passages WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
    assert orphans.fetchone()[0] == 0 and n_passages >= 9
    assert int(conn.execute("SELECT value FROM info WHERE key='generation'").fetchone()[0]) == 9
    conn.close()


CHILD = """
import sys, time
from pathlib import Path
from policytekst import Corpus, ingest
ingest.TABLE_BATCH = 5
from policytekst.store import Store
original = Store.write_document
def slow(self, processed, source_key):
    time.sleep(0.02)
    return original(self, processed, source_key)
Store.write_document = slow
with Corpus(Path(sys.argv[1]), create=True) as corpus:
    corpus.ingest([Path(sys.argv[2])], text_column="tekst", id_column="id", progress=False)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_table_ingest_keeps_whole_rows_and_the_next_run_stores_the_rest(tmp_path):
    table = _write_table(tmp_path / "sporsmal.csv", 200)
    corpus_dir = tmp_path / "c"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(corpus_dir), str(table)], env=env)
    db = corpus_dir / "corpus.sqlite"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    stored = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 20:
                break
    if child.poll() is not None:
        pytest.skip("the ingest finished before it could be killed (a very fast machine)")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert docs >= 20 and docs % 5 == 0  # whole batches of whole rows
        assert conn.execute("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                            "(SELECT 1 FROM passages p WHERE p.doc_id = d.doc_id)").fetchone()[0] == 0
    counts = _ingest(corpus_dir, table)
    assert counts.get("added", 0) + counts.get("updated", 0) == 1
    reference = tmp_path / "reference"
    _ingest(reference, table)
    assert _digest(corpus_dir)["passages"] == _digest(reference)["passages"]
    assert _digest(corpus_dir)["documents"] == _digest(reference)["documents"]


def test_workers_for_table_rows_store_the_same_corpus(tmp_path, monkeypatch):
    table = _write_table(tmp_path / "sporsmal.csv", 150)
    monkeypatch.setattr(ingest_module, "ROWS_PER_TASK", 16)
    one = _ingest(tmp_path / "one", table)
    with Corpus(tmp_path / "two", create=True) as corpus:
        two = corpus.ingest([table], text_column="tekst", id_column="id", date_column="dato",
                            meta_columns=["parti"], progress=False, workers=2)
    assert one == two
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_seen_keys_spill_to_a_temporary_file_and_are_removed_on_close() -> None:
    from policytekst.ingest import SeenKeys

    seen = SeenKeys(limit=3)
    keys = [f"/data/doc{i}.txt" for i in range(10)]
    for key in keys:
        seen.add(key)
    seen.add(keys[0])  # a key met twice is one member
    assert all(key in seen for key in keys)
    assert "/data/doc10.txt" not in seen and "/data/doc1" not in seen
    assert len(seen._recent) < 3, "past the bound the keys moved to disk"
    folder = Path(seen._folder.name)
    assert folder.exists()
    seen.close()
    assert not folder.exists() and keys[5] not in seen
