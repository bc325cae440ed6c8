"""Ingest end to end: statuses, incremental re-ingest, bad input, crash safety and concurrent runs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BAD_PDFS, REAL_PDFS, SEEDS, requires_shared
from typer.testing import CliRunner

from policytekst import Corpus
from policytekst.cli import app
from policytekst.executors import DASK_HINT, dask_installed
from policytekst.ingest import CorpusLockedError, ingest_lock

PARAGRAPH = ("Samordningen av Aetat, trygdeetaten og den kommunale sosialtjenesten skulle gi brukerne én dør inn. "
             "Mange brukere hadde opplevd å bli sendt fram og tilbake mellom etatene uten at noen tok ansvar. ")


def write_docs(folder: Path, n: int, words: int = 80) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"notat_{i:04d}.txt"
        path.write_text(f"Notat {i}\n\n" + (PARAGRAPH * (words // 30 + 1)), encoding="utf-8")
        paths.append(path)
    return paths


def _options(executor_args: list[str]) -> dict[str, str]:
    """The CLI's executor options as keyword arguments of Corpus.ingest."""
    return {name.lstrip("-"): value for name, value in zip(executor_args[::2], executor_args[1::2], strict=True)}


def run_cli(*args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(app, list(args))
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.stderr


def test_reingest_is_a_noop_and_a_changed_file_replaces_its_old_version(tmp_path: Path, executor_args) -> None:
    paths = write_docs(tmp_path / "src", 3)
    corpus_dir = str(tmp_path / "corpus")
    code, lines, _ = run_cli("ingest", str(tmp_path / "src"), "--corpus", corpus_dir, "--json", *executor_args)
    assert code == 0 and [line["status"] for line in lines] == ["added"] * 3
    with Corpus.open(corpus_dir) as corpus:
        generation = corpus.generation
    code, lines, _ = run_cli("ingest", str(tmp_path / "src"), "--corpus", corpus_dir, "--json", *executor_args)
    assert [line["status"] for line in lines] == ["unchanged"] * 3
    paths[1].write_text("Endret notat\n\n" + "Arbeidslinja ble skjerpet med aktivitetskrav. " * 20, encoding="utf-8")
    code, lines, _ = run_cli("ingest", str(tmp_path / "src"), "--corpus", corpus_dir, "--json", *executor_args)
    assert [line["status"] for line in lines] == ["unchanged", "updated", "unchanged"]
    with Corpus.open(corpus_dir) as corpus:
        assert corpus.generation == generation + 1
        assert len(corpus.documents()) == 3
        changed = lines[1]["doc_id"]
        assert "Arbeidslinja" in corpus.text(changed) and "Samordningen" not in corpus.text(changed)
        texts = [p.text for p in corpus.passages(changed)]
        assert texts and not any("Samordningen" in t for t in texts), "old passages are replaced, not kept"


def test_every_bad_input_gets_one_clear_line_and_the_rest_is_ingested(tmp_path: Path, executor_args) -> None:
    src = tmp_path / "src"
    write_docs(src, 2)
    (src / "empty.txt").write_bytes(b"")
    (src / "junk.txt").write_bytes(os.urandom(4000).replace(b"\n", b"\x00"))
    (src / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    missing = tmp_path / "does-not-exist"
    code, lines, _ = run_cli("ingest", str(src), str(missing), "--corpus", str(tmp_path / "c"), "--json",
                             *executor_args)
    assert code == 0
    by_name = {Path(line["path"]).name: line for line in lines}
    assert by_name["notat_0000.txt"]["status"] == by_name["notat_0001.txt"]["status"] == "added"
    # an unsupported file met while walking a folder is skipped; everything else that cannot be read failed
    expected = {"empty.txt": ("failed", "empty file"), "junk.txt": ("failed", "binary content"),
                "figure.png": ("skipped", "unsupported format"),
                "truncated.pdf": ("failed", "damaged or unreadable PDF"), "does-not-exist": ("failed", "no such file")}
    for name, (status, reason) in expected.items():
        line = by_name[name]
        assert line["status"] == status, line
        assert name in line["error"] and reason in line["error"], line
    code, _, _ = run_cli("ingest", str(src), "--corpus", str(tmp_path / "c"), "--strict", *executor_args)
    assert code == 1, "--strict turns failures into exit code 1"


@requires_shared
def test_shared_pdfs_with_and_without_password(tmp_path: Path, executor_args) -> None:
    corpus_dir = str(tmp_path / "c")
    code, lines, _ = run_cli("ingest", str(BAD_PDFS), "--corpus", corpus_dir, "--json", *executor_args)
    status = {Path(line["path"]).name: line for line in lines}
    assert code == 0
    assert "give its password" in status["encrypted-password.pdf"]["error"]
    assert "needs OCR" in status["no-text-layer-images.pdf"]["error"]
    assert status["multicolumn-latex.pdf"]["status"] == "added"
    code, lines, _ = run_cli("ingest", str(BAD_PDFS / "encrypted-password.pdf"), "--corpus", corpus_dir,
                             "--password", "openpassword", "--json", *executor_args)
    assert lines[0]["status"] == "added"
    code, lines, _ = run_cli("ingest", str(BAD_PDFS / "encrypted-aes256.pdf"), "--corpus", corpus_dir,
                             "--password", "wrong", "--json", *executor_args)
    assert "wrong password" in lines[0]["error"]


@pytest.mark.slow  # 1,500 files end to end: several seconds
def test_a_folder_of_thousands_of_files(tmp_path: Path) -> None:
    write_docs(tmp_path / "many", 1500, words=30)
    with Corpus(tmp_path / "c", create=True) as corpus:
        counts = corpus.ingest([tmp_path / "many"], progress=False)
        assert counts["added"] == 1500 and corpus.status()["documents"] == 1500


def test_docs_passages_text_and_status_json(tmp_path: Path) -> None:
    write_docs(tmp_path / "src", 2, words=300)
    corpus_dir = str(tmp_path / "c")
    run_cli("ingest", str(tmp_path / "src"), "--corpus", corpus_dir)
    code, docs, _ = run_cli("docs", "--corpus", corpus_dir, "--json")
    assert code == 0 and len(docs) == 2
    assert {"doc_id", "path", "title", "authors", "year", "genre", "language", "n_pages", "n_passages"} <= set(docs[0])
    doc_id = docs[0]["doc_id"]
    code, passages, _ = run_cli("passages", "--corpus", corpus_dir, "--json", "--doc", doc_id)
    assert len(passages) == docs[0]["n_passages"] > 1
    assert {"passage_id", "doc_id", "text", "page_start", "page_end", "section", "kind", "language"} <= set(passages[0])
    result = CliRunner().invoke(app, ["text", doc_id, "--corpus", corpus_dir])
    assert "Samordningen av Aetat" in result.stdout
    code, status, _ = run_cli("status", "--corpus", corpus_dir, "--json")
    assert status[0]["documents"] == 2 and status[0]["last_run"]["counts"]["added"] == 2
    assert run_cli("text", "nope", "--corpus", corpus_dir)[0] == 2  # an unknown document id: bad usage
    assert run_cli("docs", "--corpus", str(tmp_path / "no-corpus"))[0] == 1


def test_a_second_concurrent_ingest_is_refused_clearly(tmp_path: Path, executor_args) -> None:
    write_docs(tmp_path / "src", 1)
    corpus_dir = tmp_path / "c"
    with ingest_lock(corpus_dir):
        with pytest.raises(CorpusLockedError, match="another ingest"):
            with ingest_lock(corpus_dir):
                pass
        code, _, stderr = run_cli("ingest", str(tmp_path / "src"), "--corpus", str(corpus_dir), *executor_args)
        assert code == 1 and "another ingest" in stderr
    assert run_cli("ingest", str(tmp_path / "src"), "--corpus", str(corpus_dir), *executor_args)[0] == 0


@pytest.mark.slow  # a real subprocess ingest, killed half-way: several seconds
@pytest.mark.parametrize("options", [[], ["--executor", "dask", "--workers", "2"]], ids=["process", "dask"])
def test_kill_9_loses_nothing_stored_and_a_rerun_finishes_without_duplicates(tmp_path: Path, options) -> None:
    if options and not dask_installed():
        pytest.skip(f"the [dask] extra is not installed: {DASK_HINT}")
    write_docs(tmp_path / "src", 400, words=200)
    corpus_dir = tmp_path / "c"
    db = corpus_dir / "corpus.sqlite"
    # with Dask and no --scheduler the killed process held the LocalCluster: its workers must not keep the lock
    proc = subprocess.Popen([sys.executable, "-m", "policytekst", "ingest", str(tmp_path / "src"),
                             "--corpus", str(corpus_dir), *options], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    stored = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 20:
                break
    # a finished ingest would make the test vacuous: 400 documents take far longer than storing the first 20
    assert proc.poll() is None, "the ingest finished before it could be interrupted (give it more documents)"
    assert stored >= 20, f"only {stored} documents stored within a minute"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT d.doc_id, d.n_passages, COUNT(p.passage_id) FROM documents d "
                            "LEFT JOIN passages p USING (doc_id) GROUP BY d.doc_id").fetchall()
    assert 20 <= len(rows) < 400
    assert all(n == count for _, n, count in rows), "no document is half-written"
    with Corpus(corpus_dir) as corpus:
        counts = corpus.ingest([tmp_path / "src"], progress=False)
        assert counts["unchanged"] == len(rows) and counts["added"] == 400 - len(rows)
        assert corpus.status()["documents"] == 400


@requires_shared
def test_seed_corpus_and_real_pdfs_ingest(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c", create=True) as corpus:
        counts = corpus.ingest([SEEDS, REAL_PDFS / "nav_pale-2_legeerklaering.pdf"], progress=False)
        assert counts == {"added": 6, "updated": 0, "unchanged": 0, "failed": 0, "skipped": 0}
        assert all(doc.n_passages > 0 for doc in corpus.documents())


def test_sidecar_overrides_fields_and_is_not_ingested(tmp_path: Path, executor_args) -> None:
    src = tmp_path / "src"
    write_docs(src, 1)
    (src / "metadata.csv").write_text("file,title,authors,year,genre\n"
                                      "notat_0000.txt,Et notat om samordning,Hansen; Berg,2004,rapport\n",
                                      encoding="utf-8")
    with Corpus(tmp_path / "c", create=True) as corpus:
        results = []
        corpus.ingest([src], progress=False, on_result=results.append, **_options(executor_args))
        assert [r.status for r in results] == ["skipped", "added"]
        doc = corpus.documents()[0]
        assert (doc.title, doc.authors, doc.year, doc.genre) == ("Et notat om samordning", ["Hansen", "Berg"],
                                                                   2004, "rapport")
        assert doc.fields["year"]["source"] == "sidecar"


def test_worker_processes_give_the_same_corpus_as_one_process(tmp_path: Path) -> None:
    write_docs(tmp_path / "src", 12, words=150)
    stored = []
    for workers in (1, 2):
        with Corpus(tmp_path / f"c{workers}", create=True) as corpus:
            counts = corpus.ingest([tmp_path / "src"], workers=workers, progress=False)
            assert counts["added"] == 12
            stored.append([(p.passage_id, p.text) for p in corpus.passages()])
    assert stored[0] == stored[1]


def test_a_sidecar_row_for_a_table_gives_defaults_to_its_rows(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "sporsmal.csv").write_text("id,date,genre,text\n1,2004-02-01,,Om Aetat og trygdeetaten\n"
                                      "2,2007-03-01,interpellasjon,Om NAV-kontorene\n", encoding="utf-8")
    (src / "metadata.csv").write_text("file,genre,institution\nsporsmal.csv,sporsmal,Stortinget\n", encoding="utf-8")
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([src], meta_columns=None, progress=False)
        docs = {d.doc_id: d for d in corpus.documents()}
        assert docs["sporsmal-1"].genre == "sporsmal" and docs["sporsmal-1"].year == 2004
        assert docs["sporsmal-1"].meta["institution"] == "Stortinget"
        assert docs["sporsmal-1"].fields["genre"]["source"] == "sidecar"
